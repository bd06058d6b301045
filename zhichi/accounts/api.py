"""Who the token belongs to: lets a partner system check its credentials."""

from ninja import Router, Schema

from zhichi.api_support import ErrorOut

router = Router()


class MeOut(Schema):
    username: str
    name: str
    role: str
    organisation: str | None
    department: str | None


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="The user this token belongs to")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "organisation": user.organisation.code if user.organisation else None,
        "department": user.department.code if user.department else None,
    }
