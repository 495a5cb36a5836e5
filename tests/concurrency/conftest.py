"""An engine on the test's own database, without building the web app (the races need none)."""

from __future__ import annotations

import pytest

from models.db import make_engine


@pytest.fixture
def race_engine(database_url: str):  # noqa: ANN201
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
