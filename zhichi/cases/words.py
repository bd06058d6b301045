"""A case's system-written texts in the reader's language (docs/architecture.md, "Words, not
codes"): its level reasons (C3) and risk reasons (EW-2, EW-3), and its deadlines' labels and legal
bases. They are stored as codes with values (``regrade``, ``refresh_deadlines``) and put into
words here each time they are shown, on the page and in the API alike.

Higher apps add the labels of their own deadline kinds through ``register_deadline_source``
(cases.services.derived) and the bases of their own through ``DEADLINE_BASES.add``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhichi.cases.choices import Category, CourtEventKind, VisitTarget
from zhichi.common.words import Vocabulary, listing, prose_date, yuan
from zhichi.core.grading import GROUPS
from zhichi.parties.models import Group
from zhichi.rulebook.words import PERIOD_BASES, verdict_label


def choice_label(enum, value) -> str:
    """The label of a stored choice; the raw value when it is no longer one (old events)."""
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value or "")


# --- level reasons (C3, SP-3, CR-, EW-3) --------------------------------------------------------
def _standard(p) -> str:
    """The amount standard a grade compared with: the province's figure, or the national floor
    when the province's is not entered."""
    if p["basis"] == "national_floor":
        return _(
            "the province's figure for ten or more workers is not entered, so %(standard)s yuan "
            "of %(source)s is used"
        ) % {"standard": yuan(p["standard"]), "source": p["source"]}
    return _(
        "the province's “relatively large amount” for ten or more workers, %(standard)s yuan "
        "(%(source)s, in force from %(day)s)"
    ) % {
        "standard": yuan(p["standard"]),
        "source": p["source"],
        "day": prose_date(p["effective_from"]),
    }


def _count(p, key: str) -> int:
    return p[key] if isinstance(p[key], int) else 0


def _routine(p) -> str:
    return ngettext(
        "No ground to raise the level: %(claimants)s claimant (fewer than %(minimum)s), "
        "%(amount)s yuan claimed in total (below the standard amount: %(standard)s), and no "
        "ground in the groups, the category, a criminal lead or a mass-dispute risk: handled "
        "as level 1.",
        "No ground to raise the level: %(claimants)s claimants (fewer than %(minimum)s), "
        "%(amount)s yuan claimed in total (below the standard amount: %(standard)s), and no "
        "ground in the groups, the category, a criminal lead or a mass-dispute risk: handled "
        "as level 1.",
        _count(p, "claimants"),
    ) % {
        "claimants": p["claimants"],
        "minimum": p["minimum"],
        "amount": yuan(p["amount"]),
        "standard": _standard(p),
    }


def _vulnerable(p) -> str:
    return _("A claimant belongs to a group that needs special protection: %(group)s.") % {
        "group": choice_label(Group, p["group"])
    }


def _criminal(p) -> str:
    return _("The criminal-lead check concluded: %(verdict)s.") % {
        "verdict": verdict_label(p["verdict"])
    }


RISK_LEVEL_NAMES = {
    "high": gettext_lazy("high risk"),
    "low": gettext_lazy("low risk"),
    "none": gettext_lazy("no risk"),
}


def _risk_major(p) -> str:
    return _("Mass wage-dispute risk score %(score)s (%(level)s): handled as a major case.") % {
        "score": p["score"],
        "level": RISK_LEVEL_NAMES.get(p["risk_level"], p["risk_level"]),
    }


LEVEL_REASONS = Vocabulary(
    "level reason",
    {
        "routine": _routine,
        "claimants_major": gettext_lazy(
            "%(claimants)s claimants, %(minimum)s or more: handled as a major case."
        ),
        "claimants_standard": gettext_lazy("%(claimants)s claimants, %(minimum)s or more."),
        "amount_major": lambda p: (
            _(
                "%(amount)s yuan claimed in total, %(multiple)s times the standard amount or more "
                "(%(major)s yuan; %(standard)s): handled as a major case."
            )
            % {
                "amount": yuan(p["amount"]),
                "multiple": p["multiple"],
                "major": yuan(p["major"]),
                "standard": _standard(p),
            }
        ),
        "amount_standard": lambda p: (
            _("%(amount)s yuan claimed in total, reaching the standard amount (%(standard)s).")
            % {"amount": yuan(p["amount"]), "standard": _standard(p)}
        ),
        "category_standard": lambda p: (
            _("A case of %(category)s: handled at least as level 2.")
            % {"category": choice_label(Category, p["category"])}
        ),
        "minor_in_category": lambda p: (
            _(
                "A case of %(category)s involving a minor (Minor Protection Law art. 106): handled "
                "as a major case."
            )
            % {"category": choice_label(Category, p["category"])}
        ),
        "criminal_transfer": gettext_lazy(
            "The criminal-lead check says to transfer (every element of refusing to pay wages "
            "is met)."
        ),
        "criminal_order_first": gettext_lazy(
            "The criminal-lead check says to ask for an order to pay first (the amount is a "
            "“relatively large amount”; the order to pay is still to come)."
        ),
        "criminal_depends_on_province_config": gettext_lazy(
            "The criminal-lead check depends on the province's “relatively large amount” (not "
            "entered); no final finding until then."
        ),
        "criminal_below_threshold": _criminal,
        "criminal_not_applicable": _criminal,
        "risk_high": _risk_major,
        "risk_low": _risk_major,
        "risk_none": _risk_major,
        # a head's override (C3): the reason is the head's own words
        "level_set_by_head": gettext_lazy("Level set by the department head: %(reason)s"),
    },
)
LEVEL_REASONS.update({f"vulnerable_{group}": _vulnerable for group in GROUPS})


def _points(text: str, p) -> str:
    return _("%(reason)s (+%(points)s)") % {"reason": text, "points": p["weight"]}


def _evading(p) -> str:
    what = {"absconded": _("absconded"), "transferred_assets": _("moved its assets")}
    kinds = p["kinds"] if isinstance(p["kinds"], list) else []
    return _("The employer or its manager %(what)s") % {
        "what": listing(what.get(k, k) for k in kinds)
    }


def _risk(phrase):
    """A risk reason: its words, then the points it adds."""
    if callable(phrase):
        return lambda p: _points(phrase(p), p)
    return lambda p: _points(str(phrase) % p, p)


RISK_REASONS = Vocabulary(
    "risk reason",
    {
        code: _risk(phrase)
        for code, phrase in {
            "workers_many": gettext_lazy("%(claimants)s people involved, %(minimum)s or more"),
            "collective_threshold_missing": gettext_lazy(
                "The province's “relatively large amount” for ten or more workers is not "
                "entered, so “the amount reaches the province's figure” was not scored; ask the "
                "system administrator to enter it, then score again"
            ),
            "amount_reaches_collective_threshold": lambda p: (
                _(
                    "%(amount)s yuan involved, reaching the province's “relatively large amount” for "
                    "ten or more workers, %(threshold)s yuan (%(source)s, in force from %(day)s)"
                )
                % {
                    "amount": yuan(p["amount"]),
                    "threshold": yuan(p["threshold"]),
                    "source": p["source"],
                    "day": prose_date(p["effective_from"]),
                }
            ),
            "months_long": gettext_lazy(
                "Wages unpaid for up to %(months)s months, %(minimum)s months or more"
            ),
            "construction": gettext_lazy("A construction project"),
            "contractor_crew": gettext_lazy(
                "Workers hired by a labour contractor (包工头), or unlawful subcontracting"
            ),
            "employer_evading": _evading,
            "project_ending": gettext_lazy(
                "The project is finished, or the company is stopping business or closing"
            ),
            "campaign_window": lambda p: (
                _(
                    "During the winter campaign against unpaid wages (%(start)s to %(end)s): handle "
                    "with higher priority"
                )
                % {"start": prose_date(p["start"]), "end": prose_date(p["end"])}
            ),
            "workers_mass": gettext_lazy("%(claimants)s people involved, %(minimum)s or more"),
            "past_petitions": gettext_lazy(
                "There were group petitions, sit-ins, or blocked roads or sites"
            ),
            "self_harm_threats": gettext_lazy("Someone threatened self-harm or other extreme acts"),
            "alert": gettext_lazy(
                "Risk score %(score)s, at or above the alert score of %(alert_score)s: warn the "
                "department head, and consider contacting the labour department or the office "
                "for eradicating unpaid wages of migrant workers"
            ),
            "no_risk_factor": gettext_lazy(
                "No risk factor of a mass wage dispute in what is recorded"
            ),
        }.items()
    },
)


def stored_reasons(reasons) -> list[dict]:
    """What a case keeps of grading's or the risk score's reasons: codes, rules, values."""
    return [{"code": r.code, "rule": r.rule, "params": dict(r.params)} for r in reasons]


def level_reason_words(stored) -> list[str]:
    """A case's level reasons in the reader's language (an old sentence as it was written)."""
    return [LEVEL_REASONS.words(r) for r in stored or []]


def risk_reason_words(stored) -> list[str]:
    """A case's risk reasons in the reader's language (an old sentence as it was written)."""
    return [RISK_REASONS.words(r) for r in stored or []]


# --- deadlines (TL-, C6; higher apps add theirs) ------------------------------------------------
DEADLINE_LABELS = Vocabulary(
    "deadline label",
    {
        "review": gettext_lazy("Review decision (support or not)"),
        "judicial_confirmation": gettext_lazy(
            "Apply for judicial confirmation of the agreement of %(day)s"
        ),
        "instalment": lambda p: (
            _("Instalment of %(amount)s yuan due") % {"amount": yuan(p["amount"])}
        ),
        "appeal": gettext_lazy("Appeal period for %(person)s"),
        "enforcement_application": lambda p: (
            _("Apply for enforcement of the %(kind)s of %(day)s")
            % {"kind": choice_label(CourtEventKind, p["court_kind"]), "day": p["day"]}
        ),
        "visit": lambda p: (
            _("Return visit to the %(target)s") % {"target": choice_label(VisitTarget, p["target"])}
        ),
    },
)

# a deadline's legal basis: the statutory periods' own (rulebook), and the case's local ones
DEADLINE_BASES = Vocabulary("deadline basis")
DEADLINE_BASES.update({code: PERIOD_BASES.phrase(code) for code in PERIOD_BASES.codes()})
DEADLINE_BASES.update(
    {
        # rule SP-8: configurable, not a national statute
        "review_time_limit": gettext_lazy("Local time limit for the review stage"),
        # rule C4: what to do when an instalment stays unpaid
        "instalment_if_unpaid": gettext_lazy(
            "If unpaid: apply for judicial confirmation of the agreement (within 30 days of it) "
            "and then for enforcement, or support a suit."
        ),
    }
)
