"""The facts of a lead and of its case, as the API takes them: declared once, used by the lead
(``POST /leads``) and the case's facts (``POST /cases/{id}/facts``). The order to pay, which the
criminal-lead check (``POST /rules/criminal-lead``) takes too, is the law library's
(``rulebook.schemas.PaymentOrderIn``)."""

from __future__ import annotations

from zhichi.cases.models import Evasion, LabourRelationship
from zhichi.common.schemas import choice, one_of

LabourRelationshipIn = choice(LabourRelationship, required=False)
EvasionIn = list[one_of(Evasion)]
EVASION = "how the employer evades paying (rule CR-3)"
