"""Who may change the law library's configuration: the system administrator (MLPS three roles)."""

from zhichi.accounts.rules import is_signed_in, is_system_admin


def can_view(user) -> bool:
    return is_signed_in(user)


def can_edit(user) -> bool:
    return is_system_admin(user)
