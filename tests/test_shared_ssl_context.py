"""Clients made per object or per call share one SSL context, the one httpx would build for each."""

from __future__ import annotations

import importlib.util
import ssl
import textwrap

import httpx
import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source


def _load(tmp_path, code: str, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _migrate(source: str) -> str:
    return migrate_source(textwrap.dedent(source), "x.py", Options()).code


def test_objects_share_the_context_httpx_would_have_built(tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    code = _migrate("""
        import requests
        from requests.adapters import HTTPAdapter

        class Account:
            def __init__(self):
                self.session = requests.Session()
                self.session.mount("https://", HTTPAdapter(max_retries=2))

            def close(self):
                self.session.close()
    """)
    module = _load(tmp_path, code, "accounts")
    a, b = module.Account(), module.Account()
    try:
        contexts = {id(t._pool._ssl_context) for acc in (a, b) for t in (acc.session._transport, *acc.session._mounts.values())}
        assert contexts == {id(module._HTTPX_SSL_CONTEXT)}  # one for both objects and their mounts
    finally:
        a.close(), b.close()
    own = httpx.create_ssl_context()
    shared = module._HTTPX_SSL_CONTEXT
    assert isinstance(shared, ssl.SSLContext)
    assert (shared.verify_mode, shared.check_hostname, shared.cert_store_stats()) == (own.verify_mode, own.check_hostname, own.cert_store_stats())


@pytest.mark.parametrize("source", [
    # requests imported under a guard: httpx's import goes after the last top-level import
    """
    import os
    try:
        import requests
    except ImportError:
        requests = None
    import json

    def fetch(url):
        with requests.Session() as s:
            return s.get(url).status_code
    """,
    # httpx already imported after requests
    """
    import requests
    import os

    import httpx

    def fetch(url):
        with requests.Session() as s:
            return s.get(url).status_code
    """,
    # a module docstring and a __future__ import
    '''
    """Docs."""
    from __future__ import annotations

    import requests

    def fetch(url):
        with requests.Session() as s:
            return s.get(url).status_code
    ''',
])
def test_the_context_is_built_after_httpx_is_imported(tmp_path, source):
    code = _migrate(source)
    assert "_HTTPX_SSL_CONTEXT = httpx.create_ssl_context()" in code
    _load(tmp_path, code, f"m{abs(hash(source))}")  # imports without a NameError


@pytest.mark.parametrize("source", [
    "s = requests.Session()\n",  # module level: made once anyway
    "def f():\n    s = requests.Session()\n    s.verify = False\n    s.close()\n",  # its own context
    "def f():\n    s = requests.Session()\n    s.trust_env = False\n    s.close()\n",
])
def test_clients_that_keep_their_own_context(source):
    code = _migrate("import requests\n" + source)
    assert "httpx.Client(" in code and "_HTTPX_SSL_CONTEXT" not in code


def test_a_later_run_reuses_the_context_the_module_has(tmp_path):
    """A session migrated by a later run (once what kept it was fixed) uses the module's context."""
    first = _migrate("""
        import requests

        def a(url):
            with requests.Session() as s:
                return s.get(url).status_code
    """)
    later = _migrate(first + "\n\nimport requests\n\n\ndef b(url):\n    with requests.Session() as s:\n        return s.get(url).status_code\n")
    assert later.count("_HTTPX_SSL_CONTEXT = httpx.create_ssl_context()") == 1
    assert later.count("verify=_HTTPX_SSL_CONTEXT") == 2
    _load(tmp_path, later, "later")
