import pytest

from zhichi.accounts.models import Notification
from zhichi.accounts.notify import notify
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_notifications_page_shows_only_my_own_and_reading_it_changes_nothing(users, web):
    """Issue 12 item 16: a GET never changes anything; marking read is a POST."""
    notify(user=users["civil1"], kind="deadline_due", text="回访到期：五华检民支〔2026〕1号")
    notify(user=users["civil2"], kind="deadline_due", text="别人的提醒")

    html = web("civil1").get("/notifications/").content.decode()

    assert "回访到期" in html
    assert "别人的提醒" not in html
    assert html.count('action="/notifications/read/"') == 2  # mark this one, mark all
    assert Notification.objects.get(user=users["civil1"]).read_at is None
    assert Notification.objects.get(user=users["civil2"]).read_at is None


def test_mark_one_notification_read_touches_only_that_one_and_is_audited(users, web):
    first = notify(user=users["civil1"], kind="x", text="第一条")
    second = notify(user=users["civil1"], kind="x", text="第二条")

    response = web("civil1").post("/notifications/read/", {"id": first.pk, "page": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    row = AuditEntry.objects.get(action="notification.read")
    assert (row.username, row.detail) == ("civil1", {"count": 1, "all": False})


def test_mark_all_read_marks_only_my_own(users, web):
    mine = [notify(user=users["civil1"], kind="x", text=f"提醒{i}") for i in range(3)]
    theirs = notify(user=users["civil2"], kind="x", text="别人的提醒")

    web("civil1").post("/notifications/read/")

    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_someone_elses_notification_cannot_be_marked_read(users, web):
    theirs = notify(user=users["civil2"], kind="x", text="别人的提醒")

    web("civil1").post("/notifications/read/", {"id": theirs.pk})

    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert not AuditEntry.objects.filter(action="notification.read").exists()


def test_marking_read_needs_a_post_and_a_login(users, web, client):
    note = notify(user=users["civil1"], kind="x", text="提醒")

    assert web("civil1").get("/notifications/read/", {"id": note.pk}).status_code == 405
    assert client.post("/notifications/read/", {"id": note.pk}).status_code == 302
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_dedupe_key_sends_a_notice_once(users):
    first = notify(user=users["civil1"], kind="x", text="a", dedupe_key="k1")
    second = notify(user=users["civil1"], kind="x", text="a", dedupe_key="k1")

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_notifications_page_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302
