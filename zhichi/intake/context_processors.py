"""What the navigation offers the signed-in user (intake sits above cases, so it sees both)."""

from zhichi.cases.rules import case_scope
from zhichi.intake.rules import can_create_lead, lead_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "new_lead": can_create_lead(user),
            "leads": lead_scope(user) is not None,
            "cases": case_scope(user) is not None,
        }
    }
