"""The facts of a lead and of its case, as the API takes them: declared once, used by the lead
(``POST /leads``), the case's facts (``POST /cases/{id}/facts``) and the criminal-lead check
(``POST /rules/criminal-lead``)."""

from __future__ import annotations

from ninja import Field

from zhichi.cases.models import Case, Evasion, LabourRelationship
from zhichi.common.schemas import ObjectIn, OptionalDay, choice, one_of, text


def kept(extra: dict | None = None):
    """The schema of a field that may be left out, which keeps the stored value (PATCH): no
    default is shown, since none is applied."""

    def shape(schema: dict) -> None:
        schema.pop("default", None)
        schema.update(extra or {})

    return shape


class PaymentOrderIn(ObjectIn):
    """The labour administration's order to pay (责令支付, rule CR-5). On a case's facts each
    part sent changes ("" or null clears it) and a part left out keeps its value."""

    authority: text(Case, "payment_order_authority") | None = Field(None, json_schema_extra=kept())
    issued_on: OptionalDay = Field(None, description="not in the future", json_schema_extra=kept())
    deadline: OptionalDay = Field(
        None, description="not before issued_on", json_schema_extra=kept()
    )


LabourRelationshipIn = choice(LabourRelationship, required=False)
EvasionIn = list[one_of(Evasion)]
EVASION = "how the employer evades paying (rule CR-3)"
