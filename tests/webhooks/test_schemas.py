"""The subscription input is declared once (issue 14 item 1): ``webhooks.schemas.SubscriptionIn``
refuses a bad value at its field with the project's code, and the service given the same values
as a dict (the page's form, a caller) refuses them the same way, before anything is saved."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.refusals import refused as refused_by
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.webhooks import services
from zhichi.webhooks.models import WebhookSubscription
from zhichi.webhooks.schemas import SubscriptionIn

URL = "https://partner.example/hook"
URL_MAX = WebhookSubscription._meta.get_field("url").max_length
DESCRIPTION_MAX = WebhookSubscription._meta.get_field("description").max_length


def refused(data) -> dict[str, str]:
    return refused_by(SubscriptionIn, data)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"events": ["transfer.sent"]}, {"url": "missing"}),
        ({"url": "   ", "events": ["transfer.sent"]}, {"url": "required"}),
        ({"url": 5, "events": ["transfer.sent"]}, {"url": "type"}),
        ({"url": URL}, {"events": "missing"}),
        ({"url": URL, "events": "transfer.sent"}, {"events": "list_type"}),
        ({"url": URL, "events": ["transfer.sent", "nope"]}, {"events.1": "choice"}),
        ({"url": URL, "events": ["ping"]}, {"events.0": "choice"}),
        (
            {"url": URL, "events": ["transfer.sent"], "description": "长" * (DESCRIPTION_MAX + 1)},
            {"description": "max_length"},
        ),
    ],
)
def test_the_schema_refuses_a_bad_value_at_its_field(data, errors):
    assert refused(data) == errors


def test_the_schema_reads_text_without_its_spaces_and_each_event_once():
    given_ = parse(
        SubscriptionIn,
        {"url": f"  {URL} ", "events": ["transfer.sent", "transfer.sent"], "description": " x "},
    )

    assert (given_.url, given_.events, given_.description) == (URL, ["transfer.sent"], "x")


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=URL_MAX + 1, max_size=URL_MAX + 40).filter(lambda t: t.strip() == t))
def test_any_url_longer_than_the_column_is_refused_with_max_length(url):
    assert refused({"url": url, "events": ["transfer.sent"]}) == {"url": "max_length"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"url": "", "events": ["transfer.sent"]}, {"url": "required"}),
        ({"url": URL, "events": ["nope"]}, {"events.0": "choice"}),
        ({"url": URL, "events": ["transfer.sent"], "description": "x" * 201}, None),
    ],
)
def test_the_service_refuses_a_dict_the_same_way_and_saves_nothing(users, data, errors):
    with pytest.raises(InvalidInput) as exc:
        services.create_subscription(actor=users["hrss1"], data=data)

    assert {e.field: e.code for e in exc.value.errors} == (errors or refused(data))
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.django_db
def test_the_service_still_asks_for_at_least_one_event_beside_the_address(users):
    with pytest.raises(InvalidInput) as exc:
        services.create_subscription(
            actor=users["hrss1"], data={"url": "https://a:b@x.example/", "events": []}
        )

    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("url", "userinfo"),
        ("events", "required"),
    ]
