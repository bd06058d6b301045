"""The read replica's alias for the tests of tests/scaleout, as the settings add it when
ZHICHI_REPLICA_DATABASE_URL is given, but a test mirror of ``default``: a second connection to
the test database, as a standby is a second server with the primary's data. The tests that use
it name it (``django_db(databases=...)``); every other test is kept from it as usual."""

from __future__ import annotations

import pytest
from django.db import connections

from zhichi.common.replica import REPLICA


@pytest.fixture(scope="session", autouse=True)
def replica_alias():
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
