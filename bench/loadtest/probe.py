"""What the load test's users look for, read from the seeded database (prints one JSON line).

Run inside the load test's environment (``python -m bench.loadtest.probe``): real claimant
names and their two-character pieces, employers' names and credit codes, and case numbers, so
that searches find what a working day's searches find.
"""

from __future__ import annotations

import json
import os
import random


def probe(seed: int = 13) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichi.settings")
    django.setup()
    from zhichi.cases.choices import PartyRole  # models only after django.setup()
    from zhichi.cases.models import Case, CaseParty  # models only after django.setup()
    from zhichi.parties.models import PartyKind  # models only after django.setup()

    rng = random.Random(seed)
    claimants = sorted(
        set(CaseParty.objects.filter(role=PartyRole.CLAIMANT).values_list("party__name", flat=True))
    )
    employers = sorted(
        set(
            CaseParty.objects.filter(role=PartyRole.RESPONDENT, party__kind=PartyKind.ORGANISATION)
            .exclude(party__credit_code="")
            .values_list("party__name", "party__credit_code")
        )
    )
    names = rng.sample(claimants, min(40, len(claimants)))
    pieces = sorted({n[i : i + 2] for n in names for i in range(len(n) - 1)})
    numbers = list(Case.objects.order_by("?").values_list("number", flat=True)[:20])
    return {
        "names": names,
        "name_pieces": rng.sample(pieces, min(40, len(pieces))),
        "employer_names": [name for name, _code in employers][:40],
        "employer_codes": [code for _name, code in employers][:40],
        "case_numbers": numbers,
        "cases": Case.objects.count(),
    }


if __name__ == "__main__":
    print(json.dumps(probe(), ensure_ascii=False))
