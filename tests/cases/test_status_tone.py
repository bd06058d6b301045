"""The one tone of a background job's or a delivery's state on every page (zc.status_tone):
exports, case-file builds, imports, webhook deliveries and the portal's text messages."""

import pytest

from zhichi.cases.templatetags.zc import status_tone
from zhichi.documents.models import ExportStatus
from zhichi.imports.models import ImportStatus
from zhichi.portal.models import SmsStatus
from zhichi.webhooks.models import DeliveryStatus

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        (ExportStatus.QUEUED, "active"),
        (ExportStatus.RUNNING, "active"),
        (ExportStatus.DONE, "done"),
        (ExportStatus.FAILED, "danger"),
        (ExportStatus.EXPIRED, "neutral"),
        (ImportStatus.MAPPING, "neutral"),
        (ImportStatus.RUNNING, "active"),
        (DeliveryStatus.PENDING, "warning"),
        (DeliveryStatus.DELIVERED, "done"),
        (SmsStatus.SENT, "done"),
        (SmsStatus.NOT_SENT, "neutral"),
        (SmsStatus.FAILED, "danger"),
    ],
)
def test_each_state_has_the_tone_the_pages_showed_before(status, tone):
    assert status_tone(status) == tone
