"""Who may change the law library's configuration: the system administrator (MLPS three roles)."""

from zhichi.accounts.models import Role


def can_view(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_edit(user) -> bool:
    return can_view(user) and user.role == Role.SYSADMIN
