"""What the navigation offers the signed-in user (intake sits above cases, so it sees both)."""

from zhichi.cases.rules import is_approver, may_see_cases
from zhichi.cases.scope import may_see_leads
from zhichi.cases.selectors import approvals_inbox
from zhichi.intake.rules import can_create_lead


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    approver = is_approver(user)
    return {
        "nav": {
            "new_lead": can_create_lead(user),
            "leads": may_see_leads(user),
            "cases": may_see_cases(user),
            # only for the roles that decide approvals: one count query per page
            "approvals": approver,
            "approvals_pending": approvals_inbox(user).count() if approver else 0,
        }
    }
