"""Rule R5: the three administrators' roles are given on the server (`manage.py set_admin_role`),
never from a page; the account then holds no token and no old session."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhichi.accounts.models import ApiToken, Role, User
from zhichi.accounts.services import issue_token
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_r5_set_admin_role_creates_an_administrator_with_a_temporary_password(users):
    out, err = StringIO(), StringIO()
    call_command(
        "set_admin_role", "auditor2", "auditor", organisation="WHPROC", stdout=out, stderr=err
    )
    raw = out.getvalue().strip().splitlines()[-1]
    user = User.objects.get(username="auditor2")
    assert user.role == Role.AUDITOR and user.must_change_password
    assert user.check_password(raw)
    entry = AuditEntry.objects.get(action="user.admin_role")
    assert entry.detail["created"] is True and entry.username == "manage.py"
    assert raw not in str(entry.detail)


def test_r5_an_account_made_an_administrator_loses_its_tokens_and_sessions(users):
    officer = users["civil2"]
    issue_token(user=officer, name="t")
    stamp = officer.security_stamp
    call_command("set_admin_role", "civil2", "secadmin", stdout=StringIO())
    officer.refresh_from_db()
    assert officer.role == Role.SECADMIN and officer.department_id is None
    assert officer.security_stamp != stamp
    assert not ApiToken.objects.in_state("active").filter(user=officer).exists()


def test_r5_set_admin_role_refuses_a_new_account_without_organisation(users):
    with pytest.raises(CommandError, match="organisation"):
        call_command("set_admin_role", "nobody9", "sysadmin", stdout=StringIO())
    with pytest.raises(CommandError, match="no organisation"):
        call_command("set_admin_role", "nobody9", "sysadmin", organisation="NOPE")
    assert not User.objects.filter(username="nobody9").exists()
