"""Overdue replies to procuratorial suggestions in the daily reminder run (rule TL-9).

Once a reply is overdue the case officer, the heads of the case's department and the chief
procurators are told, each once. The case-deadline reminder (cases/services/reminders.py) already
tells the officer and the heads about an open case's overdue deadlines, this reply included: the
same dedupe keys are used for them here, so whichever run comes first sends the notice and the
other sends nothing. Suggestions of closed cases are escalated too (the recipient's reply is
still owed after the case ends).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User, department_heads
from zhichi.accounts.notify import notify
from zhichi.audit.services import record
from zhichi.cases.models import CaseDeadline
from zhichi.cases.services.reminders import ReminderRun
from zhichi.supervision.models import Suggestion
from zhichi.supervision.services import suggestion_url


def suggestion_reminders(today: date) -> ReminderRun:
    overdue = (
        Suggestion.objects.overdue(today)
        .select_related("case", "case__officer")
        .order_by("reply_due", "id")
    )
    checked = reminded = escalated = 0
    heads: dict[int, list[User]] = {}
    chiefs: dict[int, list[User]] = {}
    for s in overdue.iterator(chunk_size=500):
        checked += 1
        case = s.case
        row = (
            CaseDeadline.objects.filter(case=case, key=f"suggestion:{s.pk}")
            .values_list("pk", flat=True)
            .first()
        )
        values = {
            "due": s.reply_due.isoformat(),
            "number": s.number,
            "org": s.to_org_name,
            "case": case.number,
            "officer": case.officer.display_name if case.officer else "—",
        }
        url = suggestion_url(s)
        told = []
        if case.officer_id and case.officer.is_active:
            sent = notify(
                user=case.officer,
                kind="deadline_overdue",
                text=_(
                    "Overdue since %(due)s: the reply to procuratorial suggestion %(number)s "
                    "(%(org)s, %(case)s)"
                )
                % values,
                url=url,
                # the case reminder's key for the same deadline (one notice, whoever sends it)
                dedupe_key=(
                    f"deadline:{row}:overdue"
                    if row
                    else f"suggestion-overdue:{s.pk}:{case.officer_id}"
                ),
                email=True,
            )
            if sent is not None:
                reminded += 1
                told.append(case.officer.username)
        if case.department_id and case.department_id not in heads:
            heads[case.department_id] = list(department_heads(case.department_id))
        if case.organisation_id not in chiefs:
            chiefs[case.organisation_id] = list(
                User.objects.filter(
                    organisation_id=case.organisation_id, role=Role.CHIEF, is_active=True
                )
            )
        text = (
            _(
                "Escalated: overdue since %(due)s: the reply to procuratorial suggestion "
                "%(number)s (%(org)s, %(case)s, officer %(officer)s)"
            )
            % values
        )
        for head in heads.get(case.department_id, []) if case.department_id else []:
            sent = notify(
                user=head,
                kind="escalation",
                text=text,
                url=url,
                dedupe_key=(
                    f"escalate:{row}:{head.pk}" if row else f"suggestion-overdue:{s.pk}:{head.pk}"
                ),
                email=True,
            )
            if sent is not None:
                escalated += 1
                told.append(head.username)
        for chief in chiefs[case.organisation_id]:
            sent = notify(
                user=chief,
                kind="escalation",
                text=text,
                url=url,
                dedupe_key=f"suggestion-overdue:{s.pk}:{chief.pk}",
                email=True,
            )
            if sent is not None:
                escalated += 1
                told.append(chief.username)
        if told:
            record(
                action="suggestion.overdue",
                obj=s,
                detail={"due": values["due"], "today": today.isoformat(), "told": told},
            )
    return ReminderRun(reminded=reminded, escalated=escalated, checked=checked)
