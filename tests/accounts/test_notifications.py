import pytest

from zhichi.accounts.models import Notification
from zhichi.accounts.notify import notify

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_notifications_page_shows_only_my_own_and_marks_them_read(users, web):
    notify(user=users["civil1"], kind="deadline_due", text="回访到期：五华检民支〔2026〕1号")
    notify(user=users["civil2"], kind="deadline_due", text="别人的提醒")

    html = web("civil1").get("/notifications/").content.decode()

    assert "回访到期" in html
    assert "别人的提醒" not in html
    assert Notification.objects.get(user=users["civil1"]).read_at is not None
    assert Notification.objects.get(user=users["civil2"]).read_at is None


def test_dedupe_key_sends_a_notice_once(users):
    first = notify(user=users["civil1"], kind="x", text="a", dedupe_key="k1")
    second = notify(user=users["civil1"], kind="x", text="a", dedupe_key="k1")

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_notifications_page_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302
