"""A document's issue inputs, declared once: the API validates its bodies with them and the
services read the reason a page gives (or a caller's) through them
(``zhichi.common.inputs.parse``).

Whether a re-issue needs a reason (a document of that kind was issued before), the subject the
document is about and who may issue it need the database: the services' checks."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from zhichi.cases.schemas import words
from zhichi.common.schemas import choice, whole
from zhichi.documents.models import DocumentKind

REASON = 2000


def _none_is_blank(value: Any) -> Any:
    return "" if value is None else value


# why a document is re-issued: kept without the spaces around it; none ("") for a first issue
Reason = Annotated[words(max_length=REASON), BeforeValidator(_none_is_blank)]


class IssueIn(Schema):
    kind: choice(DocumentKind)
    subject_id: whole(minimum=1, maximum=2**53) = Field(
        None,
        description="the transfer, suggestion, assistance application, visit or mediation the "
        "document is about (default: the latest)",
    )
    reason: Reason = Field("", description="required to re-issue a document (it keeps its number)")


class LeadIssueIn(Schema):
    reason: Reason = Field("", description="required to re-issue the notice (it keeps its number)")
