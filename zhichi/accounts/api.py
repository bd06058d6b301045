"""Who the token belongs to, and the caller's own tokens: lets a partner system check its
credentials, see when they expire and revoke one it no longer needs (issue 12 item 8)."""

from ninja import Field, Router, Schema

from zhichi.accounts import rules, services
from zhichi.accounts.models import ApiToken
from zhichi.common.api import ErrorOut, ValidationErrorOut, keyset_paginated
from zhichi.common.schemas import IsoText, OptionalIsoText

router = Router()


class MeOut(Schema):
    username: str
    name: str = Field(..., alias="display_name")
    role: str
    organisation: str | None
    department: str | None

    @staticmethod
    def resolve_organisation(user) -> str | None:
        return user.organisation.code if user.organisation else None

    @staticmethod
    def resolve_department(user) -> str | None:
        return user.department.code if user.department else None


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="The user this token belongs to")
def me(request):
    return request.auth


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="the token's first characters, to tell tokens apart")
    created_at: IsoText
    last_used_at: OptionalIsoText
    expires_at: IsoText
    revoked_at: OptionalIsoText
    state: str = Field(..., description="active | expired | revoked")

    @staticmethod
    def resolve_state(token: ApiToken) -> str:
        return token.state().value


@router.get(
    "/tokens",
    response={200: list[TokenOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Your API tokens, newest first (never the secret itself)",
)
@keyset_paginated()
def list_my_tokens(request):
    return rules.own_tokens(request.auth)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, 401: ErrorOut, 404: ErrorOut},
    summary="Revoke one of your API tokens: it stops working at once",
)
def revoke_my_token(request, token_id: int):
    token = rules.get_own_token_for(request.auth, token_id)  # someone else's: 404
    services.revoke_token(token=token, actor=request.auth)
    return token
