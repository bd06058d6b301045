"""What a refused input answers, as ``{field: code}``: for the schema tests of every app."""

from __future__ import annotations

import pytest

from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse


def refusal(call) -> dict[str, str]:
    """The field errors ``call()`` is refused with (it must be refused)."""
    with pytest.raises(InvalidInput) as exc:
        call()
    return {e.field: e.code for e in exc.value.errors}


def refused(schema, data) -> dict[str, str]:
    """The field errors ``data`` read through ``schema`` is refused with."""
    return refusal(lambda: parse(schema, data))
