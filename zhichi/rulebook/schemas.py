"""The law library's inputs as the API takes them, shared by the apps above it: the order to pay
is sent to the criminal-lead check (``POST /rules/criminal-lead``) and stored on a lead and on a
case's facts, so it is declared here once, below all of them."""

from __future__ import annotations

from ninja import Field

from zhichi.common.schemas import ObjectIn, OptionalDay, kept, text
from zhichi.core.criminal import AUTHORITY_MAX_LENGTH


class PaymentOrderIn(ObjectIn):
    """The labour administration's order to pay (责令支付, rule CR-5). On a case's facts each
    part sent changes ("" or null clears it) and a part left out keeps its value."""

    authority: text(max_length=AUTHORITY_MAX_LENGTH) | None = Field(None, json_schema_extra=kept())
    issued_on: OptionalDay = Field(None, description="not in the future", json_schema_extra=kept())
    deadline: OptionalDay = Field(
        None, description="not before issued_on", json_schema_extra=kept()
    )
