"""The law library's results in the reader's language (docs/architecture.md, "Words, not codes").

``zhichi.core`` answers with codes and values (and its own Chinese reference text); what is
stored and what the calculators, the case page and the API show is put into words here: the
criminal-lead check's reasons and next step (rules CR-1 … CR-8), the statutory periods' names,
lengths and legal bases (TL-, JA-6, CR-8), and the figures a check used.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhichi.common.words import Vocabulary, listing, prose_date, yuan
from zhichi.core import calendar, criminal
from zhichi.rulebook.provinces import PROVINCE_NAMES

LAW_2013 = gettext_lazy("Fa Shi [2013] No. 3")


# --- the criminal-lead check (rules CR-1 … CR-8) ------------------------------------------------
def _individual_meets(p) -> str:
    if p["basis"] == "national_range":
        return _(
            "Of the workers owed three months' wages or more, the most owed to one is %(amount)s "
            "yuan, at or above the top of the national range (%(ceiling)s yuan): a “relatively "
            "large amount” whatever the province's figure."
        ) % {"amount": yuan(p["amount"]), "ceiling": yuan(p["ceiling"])}
    values = {
        "workers": p["workers"],
        "amount": yuan(p["amount"]),
        "months": p["months"],
        "threshold": yuan(p["threshold"]),
    }
    if p["workers"] == 1:
        return (
            _(
                "One worker is owed %(amount)s yuan for %(months)s months (three months or more), "
                "reaching the province's “relatively large amount” (%(threshold)s yuan)."
            )
            % values
        )
    return (
        _(
            "%(workers)s workers are each owed three months' wages or more, reaching the "
            "province's “relatively large amount” (%(threshold)s yuan); the most owed to one is "
            "%(amount)s yuan for %(months)s months."
        )
        % values
    )


def _individual_below(p) -> str:
    if p["basis"] == "national_range":
        return _(
            "Of the workers owed three months' wages or more, the most owed to one is %(amount)s "
            "yuan, below the bottom of the national range (%(floor)s yuan): not a “relatively "
            "large amount” whatever the province's figure."
        ) % {"amount": yuan(p["amount"]), "floor": yuan(p["floor"])}
    return _(
        "Of the workers owed three months' wages or more, the most owed to one is %(amount)s "
        "yuan, below the province's “relatively large amount” (%(threshold)s yuan)."
    ) % {"amount": yuan(p["amount"]), "threshold": yuan(p["threshold"])}


def _collective(p, province: str, national: str) -> str:
    values = {
        "workers": p["workers"],
        "total": yuan(p["total"]),
        "threshold": yuan(p["threshold"]),
        "floor": yuan(p["floor"]),
        "ceiling": yuan(p["ceiling"]),
    }
    return (national if p["basis"] == "national_range" else province) % values


def _outside(p) -> str:
    figures = []
    if p.given("individual"):
        figures.append(_("one worker: %(amount)s yuan") % {"amount": yuan(p["individual"])})
    if p.given("collective"):
        figures.append(
            _("ten or more workers: %(amount)s yuan") % {"amount": yuan(p["collective"])}
        )
    return _(
        "A figure configured for the province lies outside the national range of %(law)s art. 3 "
        "(%(figures)s): check the configuration."
    ) % {"figures": listing(figures), "law": LAW_2013}


def _province_missing(p) -> str:
    text = _(
        "The figures of the province (code %(province)s) for a “relatively large amount” (one "
        "worker; ten or more workers together) are not entered. Ask the system administrator to "
        "enter the figures the provincial high court fixed, with their source and effective "
        "date, and check again; no final finding until then."
    )
    if not p.given("province"):
        text = _(
            "The province's figures for a “relatively large amount” (one worker; ten or more "
            "workers together) are not entered. Ask the system administrator to enter the figures "
            "the provincial high court fixed, with their source and effective date, and check "
            "again; no final finding until then."
        )
    return text % {"province": p["province"]}


def _no_order(p) -> str:
    if p["order"] == "no_deadline":
        return _(
            "The order to pay sets no deadline, so “still not paying after an order to pay” is "
            "not met: first ask the labour department or labour inspection for an order to pay."
        )
    return _(
        "No order to pay from a government department (an order to correct within a time limit, "
        "an administrative decision and the like) is recorded, so “still not paying after an "
        "order to pay” is not met: first ask the labour department or labour inspection for an "
        "order to pay."
    )


def _order(p, issued: str, undated: str) -> str:
    values = {
        "authority": p["authority"] if p.given("authority") else _("A government department"),
        "issued_on": prose_date(p["issued_on"]),
        "deadline": prose_date(p["deadline"]),
    }
    return (issued if p.given("issued_on") else undated) % values


def _limitation(p) -> str:
    values = {
        "basic": p["basic"],
        "serious": p["serious"],
        "start": prose_date(p["start"]),
        "basic_end": prose_date(p["basic_end"]),
        "serious_end": prose_date(p["serious_end"]),
    }
    if p.given("start"):
        return (
            _(
                "Limitation period for prosecution: %(basic)s years for the basic offence, "
                "%(serious)s years with serious consequences (Criminal Law art. 87). Counted from "
                "the passing of the order's deadline, from %(start)s, it ends on %(basic_end)s "
                "for the basic offence and on %(serious_end)s with serious consequences; the "
                "criminal department decides when it starts, and a lead close to the end should "
                "be handled first."
            )
            % values
        )
    return (
        _(
            "Limitation period for prosecution: %(basic)s years for the basic offence, "
            "%(serious)s years with serious consequences (Criminal Law art. 87), counted from "
            "when the offence is complete (the order's deadline passed without payment)."
        )
        % values
    )


CRIMINAL_REASONS = Vocabulary(
    "criminal-check reason",
    {
        "nothing_owed": gettext_lazy(
            "No worker or amount of unpaid wages is recorded: this is not a lead for the crime "
            "of refusing to pay wages."
        ),
        "paid_after_order": lambda p: (
            _(
                "The wages were paid in full after the order to pay. Paid before a criminal case is "
                "opened and without serious consequences, it may not be treated as a crime nor "
                "prosecuted (%(law)s art. 6; the standards for opening a case)."
            )
            % {"law": LAW_2013}
        ),
        "serious_consequences_check": gettext_lazy(
            "If the arrears seriously affected the basic living of the workers or of those they "
            "support, left a serious illness untreated or a child out of school, or the workers "
            "asking for their wages met violence or threats of it, check again separately."
        ),
        "individual_months_short": gettext_lazy(
            "No worker is owed %(months)s months' wages or more, so the one-worker “relatively "
            "large amount” does not apply (it needs %(months)s months or more)."
        ),
        "individual_meets": _individual_meets,
        "individual_below": _individual_below,
        "individual_between": lambda p: (
            _(
                "Of the workers owed three months' wages or more, the most owed to one is %(amount)s "
                "yuan, inside the national range (%(floor)s to %(ceiling)s yuan): whether it is a "
                "“relatively large amount” depends on the province's figure."
            )
            % {
                "amount": yuan(p["amount"]),
                "floor": yuan(p["floor"]),
                "ceiling": yuan(p["ceiling"]),
            }
        ),
        "collective_workers_short": lambda p: (
            ngettext(
                "%(workers)s worker is owed wages, fewer than %(minimum)s, so the “relatively large "
                "amount” of several workers together does not apply.",
                "%(workers)s workers are owed wages, fewer than %(minimum)s, so the “relatively large "
                "amount” of several workers together does not apply.",
                p["workers"] if isinstance(p["workers"], int) else 0,
            )
            % p
        ),
        "collective_meets": lambda p: _collective(
            p,
            _(
                "%(workers)s workers are owed %(total)s yuan in total, reaching the province's "
                "“relatively large amount” for ten or more workers (%(threshold)s yuan)."
            ),
            _(
                "%(workers)s workers are owed %(total)s yuan in total, at or above the top of the "
                "national range (%(ceiling)s yuan): a “relatively large amount” whatever the "
                "province's figure."
            ),
        ),
        "collective_below": lambda p: _collective(
            p,
            _(
                "%(workers)s workers are owed %(total)s yuan in total, below the province's "
                "“relatively large amount” for ten or more workers (%(threshold)s yuan)."
            ),
            _(
                "%(workers)s workers are owed %(total)s yuan in total, below the bottom of the "
                "national range (%(floor)s yuan): not a “relatively large amount” whatever the "
                "province's figure."
            ),
        ),
        "collective_between": lambda p: (
            _(
                "%(workers)s workers are owed %(total)s yuan in total, inside the national range "
                "(%(floor)s to %(ceiling)s yuan): whether it is a “relatively large amount” depends "
                "on the province's figure."
            )
            % {
                "workers": p["workers"],
                "total": yuan(p["total"]),
                "floor": yuan(p["floor"]),
                "ceiling": yuan(p["ceiling"]),
            }
        ),
        "province_figure_outside_national_range": _outside,
        "province_figure_missing": _province_missing,
        "no_payment_order": _no_order,
        "order_by_posting": gettext_lazy(
            "Where the employer or its manager absconded and cannot be served, an order to pay "
            "posted at their home or place of business and recorded by photograph or video "
            "counts as made."
        ),
        "order_deadline_running": lambda p: _order(
            p,
            _(
                "%(authority)s ordered payment on %(issued_on)s by %(deadline)s; the deadline has "
                "not passed. Only if the wages are still unpaid after it may the lead be sent as "
                "a criminal lead."
            ),
            _(
                "%(authority)s ordered payment by %(deadline)s; the deadline has not passed. Only "
                "if the wages are still unpaid after it may the lead be sent as a criminal lead."
            ),
        ),
        "order_deadline_passed": lambda p: _order(
            p,
            _(
                "%(authority)s ordered payment on %(issued_on)s by %(deadline)s; the deadline has "
                "passed and the wages are still unpaid."
            ),
            _(
                "%(authority)s ordered payment by %(deadline)s; the deadline has passed and the "
                "wages are still unpaid."
            ),
        ),
        "evasion_transferred_assets": lambda p: (
            _(
                "Hid property, paid debts in bad faith, invented debts, feigned bankruptcy or "
                "closure, or moved or disposed of property in another way (%(law)s art. 2 (1))."
            )
            % {"law": LAW_2013}
        ),
        "evasion_absconded": lambda p: (
            _("Ran away or hid (%(law)s art. 2 (2)).") % {"law": LAW_2013}
        ),
        "evasion_destroyed_records": lambda p: (
            _(
                "Hid, destroyed or altered accounts, staff rolls, wage payment records, attendance "
                "records or other records of pay (%(law)s art. 2 (3))."
            )
            % {"law": LAW_2013}
        ),
        "evasion_refused_summons": gettext_lazy(
            "Told by the labour department in writing, by phone, by text message or in another "
            "way that confirms receipt, did not appear at the set time and place, or said "
            "plainly that it would not pay: treated as evading payment by absconding (Ren She "
            "Bu Fa [2014] No. 100)."
        ),
        "ability_to_pay_to_verify": gettext_lazy(
            "No evasion such as moving assets or absconding is recorded; a transfer must "
            "establish that the employer “could pay but did not” (Criminal Law art. 276-1)."
        ),
        "limitation_period": _limitation,
    },
)

NEXT_STEPS = Vocabulary(
    "criminal-check next step",
    {
        "add_workers": gettext_lazy(
            "No criminal lead to send; if wages are owed, add the workers and the amounts and "
            "check again."
        ),
        "follow_up_payment": gettext_lazy(
            "No criminal lead to send; follow up on the payment of what is still owed."
        ),
        "civil_remedies": gettext_lazy(
            "Below the “relatively large amount”: no criminal lead to send; recover the wages "
            "through labour inspection, labour arbitration or a supported suit."
        ),
        "enter_province_figures": lambda p: (
            _(
                "Enter the province's figures for a “relatively large amount” and check again; no "
                "final finding until then. Meanwhile, the labour department or labour inspection "
                "may first be asked for an order to pay."
            )
            if p["order_first"] is True
            else _(
                "Enter the province's figures for a “relatively large amount” and check again; no "
                "final finding until then."
            )
        ),
        "order_first": gettext_lazy(
            "First ask the labour department or labour inspection for an order to pay; if the "
            "wages are still unpaid after its deadline, check again for a criminal lead."
        ),
        "await_order_deadline": lambda p: (
            _(
                "When the order's deadline (%(deadline)s) has passed, check whether the wages were "
                "paid; if not, send the criminal lead."
            )
            % {"deadline": prose_date(p["deadline"])}
        ),
        "transfer": gettext_lazy(
            "Write a lead transfer letter, send it to this procuratorate's criminal department "
            "(which may supervise the opening of a case) and follow up on its answer."
        ),
    },
)


# what the check concluded, by its verdict code
VERDICT_NAMES = {
    "transfer": gettext_lazy("Transfer to the criminal department"),
    "order_first": gettext_lazy("Ask labour inspection for an order to pay first"),
    "below_threshold": gettext_lazy("Below the threshold"),
    "depends_on_province_config": gettext_lazy("Depends on the province's threshold (not entered)"),
    "not_applicable": gettext_lazy("Not a criminal lead"),
}


def verdict_label(value: str) -> str:
    """A verdict's name in the reader's language (an unknown code as it is)."""
    return str(VERDICT_NAMES.get(value, value))


def stored_check(verdict: criminal.Verdict) -> dict:
    """What a case (and a transfer made from it) keeps of a check: codes and values only."""
    return {
        "verdict": verdict.verdict,
        "reasons": [
            {"code": r.code, "rule": r.rule, "params": dict(r.params)} for r in verdict.reasons
        ],
        "threshold": verdict.threshold,
        "next_step": {"code": verdict.step, "params": dict(verdict.step_params)},
    }


def check_words(check: dict | None) -> dict:
    """A stored check in the reader's language, in the API's shape: ``{"verdict", "reasons":
    [{"code", "rule", "text"}], "threshold", "next_step", "checked_on"}``. A check stored before
    codes were (its reasons with a ``text``, its next step a sentence) reads as it was written."""
    if not check:
        return {}
    out = dict(check)
    out["reasons"] = [
        {
            "code": r.get("code", ""),
            "rule": r.get("rule", ""),
            "text": CRIMINAL_REASONS.words(r) if "params" in r else str(r.get("text", "")),
        }
        for r in check.get("reasons") or []
    ]
    out["next_step"] = NEXT_STEPS.words(check.get("next_step"))
    return out


def verdict_words(verdict: criminal.Verdict) -> dict:
    """A check just made (the calculators, the rules API), in the reader's language."""
    return check_words(stored_check(verdict))


# the figures a check used (``threshold``): what each key and value means
_FIGURE_NAMES = {
    "individual": gettext_lazy("One worker (the province's figure)"),
    "collective": gettext_lazy("Ten or more workers together (the province's figure)"),
    "individual_floor": gettext_lazy("One worker: bottom of the national range"),
    "individual_ceiling": gettext_lazy("One worker: top of the national range"),
    "collective_floor": gettext_lazy("Ten or more workers: bottom of the national range"),
    "collective_ceiling": gettext_lazy("Ten or more workers: top of the national range"),
}
_BASES = {
    "province": gettext_lazy("The province's figures"),
    "national_range": gettext_lazy("The national range (the province's figures are not entered)"),
}


def threshold_rows(threshold: dict | None) -> list[tuple[str, str]]:
    """The figures a check used as (what, value) rows in the reader's language."""
    if not threshold:
        return []
    rows = [(_("Basis"), str(_BASES.get(threshold.get("basis"), threshold.get("basis") or "—")))]
    code = threshold.get("province")
    if code:
        rows.append((_("Province"), f"{code} {PROVINCE_NAMES.get(code, '')}".strip()))
    for key, name in _FIGURE_NAMES.items():
        figure = threshold.get(key)
        if isinstance(figure, dict):
            rows.append(
                (
                    str(name),
                    _("%(amount)s yuan · %(source)s · in force from %(day)s")
                    % {
                        "amount": yuan(figure.get("value")),
                        "source": figure.get("source", ""),
                        "day": figure.get("effective_from", ""),
                    },
                )
            )
    return rows


# --- statutory periods (TL-, JA-6, CR-8) -------------------------------------------------------
_UNITS = {
    "days": lambda n: ngettext("%(count)s day", "%(count)s days", n),
    "months": lambda n: ngettext("%(count)s month", "%(count)s months", n),
    "years": lambda n: ngettext("%(count)s year", "%(count)s years", n),
    "working_days": lambda n: ngettext("%(count)s working day", "%(count)s working days", n),
}


def period_words(unit: str, count: int) -> str:
    """A period's length in the reader's language: 10 working days, 10个工作日."""
    words = _UNITS.get(unit)
    return words(count) % {"count": count} if words else f"{count}"


PERIOD_NAMES = Vocabulary(
    "statutory period",
    {
        "appeal_judgment": gettext_lazy("Appeal against a judgment"),
        "appeal_ruling": gettext_lazy("Appeal against a ruling"),
        "enforcement_application": gettext_lazy("Application for enforcement"),
        "judicial_confirmation": gettext_lazy("Judicial confirmation of a mediation agreement"),
        "suggestion_reply": gettext_lazy("Reply to a procuratorial suggestion"),
        "assistance_decision": gettext_lazy("Judicial assistance: the approval opinion"),
        "assistance_notification": gettext_lazy("Judicial assistance: telling the applicant"),
        "arbitration_limitation": gettext_lazy("Limitation period for labour arbitration"),
        "arbitration_acceptance": gettext_lazy("Labour arbitration: deciding to accept"),
        "arbitration_award": gettext_lazy("Labour arbitration: the award"),
        "sue_after_award": gettext_lazy("Suing after an arbitration award"),
        "civil_limitation": gettext_lazy("Limitation period for civil claims"),
        "labour_inspection_limit": gettext_lazy("Time limit of labour inspection"),
        "prosecution_limitation": gettext_lazy("Limitation period for prosecution"),
        "prosecution_limitation_serious": gettext_lazy(
            "Limitation period for prosecution (graver offence)"
        ),
    },
)

_ASSISTANCE_OPINION = gettext_lazy(
    "Opinions on Establishing and Improving the National Judicial Assistance System (Trial) (2014)"
)

PERIOD_BASES = Vocabulary(
    "legal basis of a period",
    {
        "appeal_judgment": gettext_lazy(
            "Civil Procedure Law art. 171: appeal within fifteen days of the service of the "
            "judgment"
        ),
        "appeal_ruling": gettext_lazy(
            "Civil Procedure Law art. 171: appeal within ten days of the service of the ruling"
        ),
        "enforcement_application": gettext_lazy(
            "Civil Procedure Law art. 250: enforcement may be applied for within two years, from "
            "the last day of the period for performance the decision sets"
        ),
        "judicial_confirmation": gettext_lazy(
            "Civil Procedure Law art. 205: apply together for judicial confirmation within thirty "
            "days of the mediation agreement taking effect"
        ),
        "suggestion_reply": gettext_lazy(
            "Provisions on the Work of Procuratorial Suggestions: reply in writing within two "
            "months of receiving the suggestion"
        ),
        "assistance_decision": lambda p: (
            _("%(opinions)s: give the approval opinion within ten working days")
            % {"opinions": _ASSISTANCE_OPINION}
        ),
        "assistance_notification": lambda p: (
            _("%(opinions)s: tell the applicant within two working days of the aid money arriving")
            % {"opinions": _ASSISTANCE_OPINION}
        ),
        "arbitration_limitation": gettext_lazy(
            "Labour Dispute Mediation and Arbitration Law art. 27: the limitation period for "
            "arbitration is one year, from when the party knew or should have known its rights "
            "were infringed"
        ),
        "arbitration_acceptance": gettext_lazy(
            "Labour Dispute Mediation and Arbitration Law art. 29: decide within five days of "
            "receiving the application whether to accept it"
        ),
        "arbitration_award": gettext_lazy(
            "Labour Dispute Mediation and Arbitration Law art. 43: conclude within forty-five "
            "days of accepting the application (extendable by up to fifteen days with approval)"
        ),
        "sue_after_award": gettext_lazy(
            "Labour Dispute Mediation and Arbitration Law arts. 48 and 50: sue in a people's "
            "court within fifteen days of receiving the award"
        ),
        "civil_limitation": gettext_lazy(
            "Civil Code art. 188: the limitation period for asking a people's court to protect "
            "civil rights is three years"
        ),
        "labour_inspection_limit": gettext_lazy(
            "Regulations on Labour Security Supervision art. 20: a violation neither found nor "
            "reported within two years is no longer investigated"
        ),
        "prosecution_limitation": gettext_lazy(
            "Criminal Law art. 87: no prosecution after five years where the maximum penalty is "
            "less than five years' imprisonment"
        ),
        "prosecution_limitation_serious": gettext_lazy(
            "Criminal Law art. 87: no prosecution after ten years where the maximum penalty is "
            "five years' imprisonment or more but less than ten"
        ),
    },
)


def period_choice(kind: str) -> str:
    """A statutory period in the calculator's list: its name, its length and its rule."""
    period = calendar.PERIODS[kind]
    return _("%(name)s: %(length)s (%(rule)s)") % {
        "name": PERIOD_NAMES.words({"code": kind}),
        "length": period_words(period.unit, period.count),
        "rule": period.rule,
    }
