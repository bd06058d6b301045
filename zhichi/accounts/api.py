"""Who the token belongs to, and the caller's own tokens: lets a partner system check its
credentials, see when they expire and revoke one it no longer needs (issue 12 item 8)."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhichi.accounts import rules, services
from zhichi.accounts.models import ApiToken
from zhichi.common.api import ErrorOut, ValidationErrorOut, keyset_page
from zhichi.common.errors import FieldError, InvalidInput

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


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="the token's first characters, to tell tokens apart")
    created_at: str
    last_used_at: str | None
    expires_at: str
    revoked_at: str | None
    state: str = Field(..., description="active | expired | revoked")


class TokenPage(Schema):
    items: list[TokenOut]
    next_cursor: str | None


def token_out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "state": token.state().value,
    }


@router.get(
    "/tokens",
    response={200: TokenPage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Your API tokens, newest first (never the secret itself)",
)
def list_my_tokens(request, limit: int = Query(50, ge=1, le=200), cursor: str | None = None):
    try:
        rows, next_cursor = keyset_page(rules.own_tokens(request.auth), limit=limit, cursor=cursor)
    except ValueError:
        raise InvalidInput([FieldError("cursor", "invalid", _("This cursor is not valid."))])
    return {"items": [token_out(t) for t in rows], "next_cursor": next_cursor}


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, 401: ErrorOut, 404: ErrorOut},
    summary="Revoke one of your API tokens: it stops working at once",
)
def revoke_my_token(request, token_id: int):
    token = rules.get_own_token_for(request.auth, token_id)  # someone else's: 404
    services.revoke_token(token=token, actor=request.auth)
    return token_out(token)
