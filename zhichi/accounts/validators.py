from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterClassValidator:
    """Rule R6: a password mixes at least N of lower case, upper case, digits and symbols."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    def _count(self, password: str) -> int:
        kinds = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        return sum(kinds)

    def validate(self, password: str, user=None) -> None:
        if self._count(password) < self.classes:
            raise ValidationError(
                ngettext(
                    "Use at least %(n)d kind of character (lower case, upper case, digits, symbols).",
                    "Use at least %(n)d kinds of characters (lower case, upper case, digits, symbols).",
                    self.classes,
                )
                % {"n": self.classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower case, upper case, digits, symbols.") % {
            "n": self.classes
        }
