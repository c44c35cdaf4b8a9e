"""Every test gets its own empty cache of earlier results (never the user's ~/.cache)."""

import pytest

from migrator.project.cache import ENV


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path_factory.mktemp("cache")))
