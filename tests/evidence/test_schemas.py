"""An attachment's fields are declared once (issue 14 item 1): ``evidence.schemas.AttachmentIn``
refuses a bad kind or description at its field, and the upload service refuses the same values
the same way, beside the file's own refusal, before anything is stored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.refusals import refused as refused_by
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.evidence import services
from zhichi.evidence.models import Attachment
from zhichi.evidence.schemas import AttachmentIn

DESCRIPTION_MAX = Attachment._meta.get_field("description").max_length


def refused(data) -> dict[str, str]:
    return refused_by(AttachmentIn, data)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"kind": "missing"}),
        ({"kind": ""}, {"kind": "required"}),
        ({"kind": "virus"}, {"kind": "choice"}),
        ({"kind": ["iou"]}, {"kind": "choice"}),
        ({"kind": "iou", "description": 5}, {"description": "type"}),
        (
            {"kind": "iou", "description": "长" * (DESCRIPTION_MAX + 1)},
            {"description": "max_length"},
        ),
        ("iou", {"body": "model_type"}),
    ],
)
def test_the_schema_refuses_a_bad_value_at_its_field(data, errors):
    assert refused(data) == errors


def test_the_description_is_read_without_its_spaces():
    assert parse(AttachmentIn, {"kind": "iou", "description": "  欠条  "}).description == "欠条"


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=DESCRIPTION_MAX + 1).filter(lambda t: len(t.strip()) > DESCRIPTION_MAX))
def test_any_description_longer_than_the_column_is_refused_with_max_length(description):
    assert refused({"kind": "iou", "description": description}) == {"description": "max_length"}


@pytest.mark.django_db
def test_the_service_refuses_the_same_values_with_the_file_s_refusal(users, shared, evidence_dir):
    data = {"kind": "virus", "description": "长" * (DESCRIPTION_MAX + 1)}
    with pytest.raises(InvalidInput) as exc:
        services.upload_attachment(actor=users["civil1"], file=None, case_id=shared["case"], **data)

    assert [(e.field, e.code) for e in exc.value.errors] == [
        *refused(data).items(),
        ("file", "required"),
    ]
    assert not Attachment.objects.exists()
