"""The criminal-lead flag says what is known (rules CR-1 … CR-9; issue 13, item 4).

The evaluator's last answer on the facts is stored on the case (``criminal_check``, with the
``criminal_lead_candidate`` or ``criminal_threshold_unknown`` flag, cases.services.derived). What
the flag *shows* also depends on two things that change without the facts changing: whether the
case is still open, and what became of a criminal-lead transfer. Both are read when the flag is
shown, never stored, so the flag cannot lag behind them:

- ``candidate``: the check says transfer, or order to pay first, and nothing was sent yet. Asks
  for action (amber).
- ``threshold_unknown``: the amount lies between the national floor and ceiling and the
  province's 数额较大 figures are not entered (rule CR-4): neither a candidate nor cleared. Neutral,
  and says what is missing and who enters it.
- ``sent``: a criminal-lead transfer waits for the receiver's answer.
- ``answered``: the receiver accepted, rejected or answered it: the flag shows that outcome
  instead of asking for action.
- ``closed``: the case was closed while flagged, without a criminal-lead transfer.

The transfers app (above this one) tells what became of its transfers through
``register_referral_source``. Only codes are stored; every sentence here is made in the reader's
language when the flag is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhichi.cases.models import Case, CaseStatus, Flag
from zhichi.rulebook.provinces import PROVINCE_NAMES
from zhichi.rulebook.words import verdict_label

CANDIDATE = "candidate"
THRESHOLD_UNKNOWN = "threshold_unknown"
SENT = "sent"
ANSWERED = "answered"
CLOSED = "closed"
STATES = (CANDIDATE, THRESHOLD_UNKNOWN, SENT, ANSWERED, CLOSED)
# the states in which the check asks nothing more of the case's officer
SETTLED = frozenset({SENT, ANSWERED, CLOSED})

# the stored flags this module decides the showing of
CRIMINAL_FLAGS = frozenset({Flag.CRIMINAL_LEAD_CANDIDATE, Flag.CRIMINAL_THRESHOLD_UNKNOWN})
_FLAG_OF_VERDICT = {
    "transfer": Flag.CRIMINAL_LEAD_CANDIDATE,
    "order_first": Flag.CRIMINAL_LEAD_CANDIDATE,
    "depends_on_province_config": Flag.CRIMINAL_THRESHOLD_UNKNOWN,
}
# the states of a transfer in which the receiver has not answered yet
_WAITING = frozenset({"sent", "received"})
# UI.md: the four meanings of a badge's colour
TONES = {
    CANDIDATE: "warning",
    THRESHOLD_UNKNOWN: "neutral",
    SENT: "active",
    ANSWERED: "done",
    CLOSED: "neutral",
}


@dataclass(frozen=True)
class Referral:
    """The latest criminal-lead transfer of a case, as the transfers app reports it. Codes, plus
    their labels made by the source in the reader's language when asked."""

    transfer_id: int
    number: str
    status: str  # sent | received | accepted | rejected | answered | closed
    status_label: str
    result: str  # the answer's result code; "" until answered
    result_label: str
    receiver: str  # the receiving department or organisation, by name
    on: date | None  # when it reached its state

    def as_dict(self) -> dict:
        return {
            "transfer_id": self.transfer_id,
            "number": self.number,
            "status": self.status,
            "result": self.result or None,
            "receiver": self.receiver,
            "on": self.on.isoformat() if self.on else None,
        }


@dataclass(frozen=True)
class ReferralSource:
    # case ids -> the latest criminal-lead transfer of each that has one (one query)
    latest: Callable[[Collection[int]], dict[int, Referral]]
    # a queryset of the ``case_id`` (never null) of every case with a criminal-lead transfer
    referred_case_ids: Callable[[], QuerySet]


_source: ReferralSource | None = None


def register_referral_source(
    *,
    latest: Callable[[Collection[int]], dict[int, Referral]],
    referred_case_ids: Callable[[], QuerySet],
) -> None:
    """Called once by the transfers app (AppConfig.ready)."""
    global _source
    _source = ReferralSource(latest=latest, referred_case_ids=referred_case_ids)


@dataclass(frozen=True)
class CriminalFlag:
    state: str
    flag: str  # the flag code shown in ``flags`` ("" when the flag no longer asks for anything)
    verdict: str | None
    province: str | None
    missing: tuple[str, ...]  # what the check lacks, as codes: "province_figures"
    referral: Referral | None
    closed_on: date | None

    @property
    def tone(self) -> str:
        return TONES[self.state]

    @property
    def label(self) -> str:
        return _label(self)

    @property
    def detail(self) -> str:
        return _detail(self)

    def as_dict(self) -> dict:
        """The API's ``criminal_flag``: codes, and the two sentences in the reader's language."""
        return {
            "state": self.state,
            "verdict": self.verdict,
            "province": self.province,
            "missing": list(self.missing),
            "referral": self.referral.as_dict() if self.referral else None,
            "label": self.label,
            "detail": self.detail,
        }


def _referrals(case_ids: Collection[int]) -> dict[int, Referral]:
    if _source is None or not case_ids:
        return {}
    return _source.latest(case_ids)


def _flag(case: Case, referral: Referral | None) -> CriminalFlag | None:
    check = case.criminal_check or {}
    verdict = check.get("verdict")
    threshold = check.get("threshold") or {}
    flagged = _FLAG_OF_VERDICT.get(verdict)
    if referral is not None:
        state = SENT if referral.status in _WAITING else ANSWERED
    elif flagged is None:
        return None
    elif case.status == CaseStatus.CLOSED:
        state = CLOSED
    else:
        state = CANDIDATE if flagged == Flag.CRIMINAL_LEAD_CANDIDATE else THRESHOLD_UNKNOWN
    missing = ()
    if state == THRESHOLD_UNKNOWN and threshold.get("missing"):
        missing = (str(threshold["missing"]),)
    return CriminalFlag(
        state=state,
        flag=flagged if state in (CANDIDATE, THRESHOLD_UNKNOWN) else "",
        verdict=verdict,
        province=threshold.get("province"),
        missing=missing,
        referral=referral,
        closed_on=case.closed_on,
    )


def flag_for(case: Case) -> CriminalFlag | None:
    """The criminal-lead flag of one case; None when there is nothing to show."""
    return _flag(case, _referrals([case.pk]).get(case.pk))


def flags_for(cases: Iterable[Case]) -> dict[int, CriminalFlag | None]:
    """The flags of a page of cases, with one question to the transfers app for all of them."""
    cases = list(cases)
    referrals = _referrals([c.pk for c in cases])
    return {c.pk: _flag(c, referrals.get(c.pk)) for c in cases}


def shown_flags(case: Case, criminal: CriminalFlag | None) -> list[str]:
    """The case's flags as they are shown (page badges, the API's ``flags``): the criminal-lead
    flag only while it still asks for something (candidate, or waiting for the threshold)."""
    keep = criminal.flag if criminal is not None else ""
    return [f for f in (case.flags or []) if f not in CRIMINAL_FLAGS or f == keep]


def filter_flag(qs: QuerySet[Case], flag: str) -> QuerySet[Case]:
    """The cases whose shown flags include ``flag``: the criminal-lead flags only on open cases
    without a criminal-lead transfer, as ``shown_flags`` shows them."""
    qs = qs.filter(flags__has_element=flag)
    if flag in CRIMINAL_FLAGS:
        qs = qs.filter(status=CaseStatus.OPEN)
        if _source is not None:
            qs = qs.exclude(pk__in=_source.referred_case_ids())
    return qs


# --- the sentences, in the reader's language ---------------------------------------------------
def _province_name(code: str | None) -> str:
    if not code:
        return _("the province")
    name = PROVINCE_NAMES.get(code)
    return f"{code} {name}" if name else code


def _label(flag: CriminalFlag) -> str:
    if flag.state == CANDIDATE:
        return str(Flag.CRIMINAL_LEAD_CANDIDATE.label)
    if flag.state == THRESHOLD_UNKNOWN:
        return _("Depends on the province's threshold")
    if flag.state == CLOSED:
        return _("Closed without a criminal-lead transfer")
    referral = flag.referral
    if referral is None:  # SENT and ANSWERED always carry their transfer
        return ""
    if flag.state == SENT:
        return _("Criminal lead sent to %(receiver)s: waiting for the answer") % {
            "receiver": referral.receiver
        }
    if referral.status == "accepted":
        return _("%(receiver)s accepted the criminal lead") % {"receiver": referral.receiver}
    if referral.status == "rejected":
        return _("%(receiver)s rejected the criminal lead") % {"receiver": referral.receiver}
    if referral.result_label:
        return _("%(receiver)s answered: %(result)s") % {
            "receiver": referral.receiver,
            "result": referral.result_label,
        }
    return _("%(receiver)s answered the criminal lead") % {"receiver": referral.receiver}


def _verdict_label(verdict: str | None) -> str:
    return verdict_label(verdict or "")


def _detail(flag: CriminalFlag) -> str:
    if flag.state == CANDIDATE:
        if flag.verdict == "order_first":
            return _(
                "The amount reaches the threshold, but no order to pay has yet gone unmet: "
                "ask labour inspection for an order to pay first (rule CR-5)."
            )
        return _(
            "The amount reaches the threshold and the order to pay went unmet: send the lead "
            "to the criminal department (rule CR-9)."
        )
    if flag.state == THRESHOLD_UNKNOWN:
        return _(
            "The amount lies between the national floor and ceiling, and the figures of "
            "%(province)s for “a relatively large amount” are not entered (one worker; ten or "
            "more workers). The check cannot decide until the system administrator enters them, "
            "with their source and effective date, in the law library (rule CR-4)."
        ) % {"province": _province_name(flag.province)}
    if flag.state == CLOSED:
        return _("The last check found: %(verdict)s. The case was closed on %(day)s.") % {
            "verdict": _verdict_label(flag.verdict),
            "day": flag.closed_on.isoformat() if flag.closed_on else "—",
        }
    referral = flag.referral
    if referral is None:
        return ""
    values = {
        "number": referral.number,
        "status": referral.status_label,
        "day": referral.on.isoformat() if referral.on else "—",
    }
    if flag.state == SENT:
        return _("Transfer %(number)s: %(status)s on %(day)s.") % values
    return (
        _("Transfer %(number)s: %(status)s on %(day)s. Nothing more is asked of this check.")
        % values
    )
