"""requests imported under ``try: ... except ImportError:`` (an optional dependency): httpx is
imported in the same guard, so the module still imports where httpx is missing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

GONE = '''"""Optional HTTP support."""
import os

try:
    import requests
except ImportError:
    # not installed
    requests = None  # callers check


def fetch(url):
    return requests.get(url).content
'''
GONE_AFTER = '''"""Optional HTTP support."""
import os

try:
    import httpx
except ImportError:
    # not installed
    httpx = None  # callers check


def fetch(url):
    return httpx.get(url, follow_redirects=True, timeout=None).content
'''
# ``requests is None`` asks whether the optional dependency is there: with httpx in the same guard
# (both None together), the check reads httpx, and requests leaves the guard
STAYS = '''try:
    import requests
except ImportError:
    requests = None


def fetch(url):
    if requests is None:
        raise RuntimeError("install requests")
    return requests.get(url).content
'''
STAYS_AFTER = '''try:
    import httpx
except ImportError:
    httpx = None


def fetch(url):
    if httpx is None:
        raise RuntimeError("install requests")
    return httpx.get(url, follow_redirects=True, timeout=None).content
'''
# a parameter named requests is another object: its check stays, and so does requests' import
PARAMETER = '''try:
    import requests
except ImportError:
    requests = None


def fetch(url, requests=requests):
    if requests is None:
        raise RuntimeError("install requests")
    return requests.get(url).content
'''


def migrate(source: str) -> str:
    return migrate_source(source, "x.py", Options(format=False)).code


@pytest.mark.parametrize("before, after", [
    (GONE, GONE_AFTER),
    (STAYS, STAYS_AFTER),
    (PARAMETER, PARAMETER),
    # on the header's line; a flag rather than None: nothing binds httpx, as nothing bound requests
    ("try: import requests\nexcept ImportError: requests = None; OK = False\n\nrequests.get('u')\n",
     "try:\n    import httpx\nexcept ImportError: httpx = None; OK = False\n\nhttpx.get('u', follow_redirects=True, timeout=None)\n"),
    ("try:\n    import requests\n    OK = True\nexcept (ImportError, OSError):\n    OK = False\n\nrequests.get('u')\n",
     "try:\n    import httpx\n    OK = True\nexcept (ImportError, OSError):\n    OK = False\n\nhttpx.get('u', follow_redirects=True, timeout=None)\n"),
], ids=["requests-gone", "presence-check", "parameter", "one-line", "flag"])
def test_httpx_is_imported_in_the_guard_requests_had(before, after):
    assert migrate(before) == after


@pytest.mark.parametrize("before, after", [
    # requests imported unconditionally too: it was never optional
    ("import requests\ntry:\n    from requests.adapters import HTTPAdapter\nexcept ImportError:\n    HTTPAdapter = None\n\nrequests.get('u')\n",
     "import httpx\ntry:\n    from requests.adapters import HTTPAdapter\nexcept ImportError:\n    HTTPAdapter = None\n\nhttpx.get('u', follow_redirects=True, timeout=None)\n"),
    # no ImportError caught: no guard
    ("try:\n    import requests\nfinally:\n    pass\n\nrequests.get('u')\n",
     "import httpx\ntry:\n    pass\nfinally:\n    pass\n\nhttpx.get('u', follow_redirects=True, timeout=None)\n"),
    # a standard library module needs no guard
    ("try:\n    import requests\nexcept ImportError:\n    requests = None\n\ntry:\n    pass\nexcept requests.JSONDecodeError:\n    pass\n",
     "import json\ntry:\n    pass\nexcept ImportError:\n    requests = None\n\ntry:\n    pass\nexcept json.JSONDecodeError:\n    pass\n"),
], ids=["also-unguarded", "try-finally", "stdlib"])
def test_imports_stay_unguarded_where_requests_was_not_optional_or_they_cannot_fail(before, after):
    assert migrate(before) == after


def test_a_second_run_changes_nothing():
    once = migrate_source(STAYS, "x.py", Options()).code
    assert migrate_source(once, "x.py", Options()).code == once


_IMPORT_WITHOUT_HTTPX = """
import importlib.util, sys
sys.modules["httpx"] = None  # import httpx raises ImportError, as where it is not installed
spec = importlib.util.spec_from_file_location("migrated", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
try:
    module.fetch("http://127.0.0.1:9/")
except Exception as exc:
    print(type(exc).__name__, exc)
print("httpx", module.httpx, "requests", getattr(module, "requests", "-"))
"""


# the text read as requests decoded it: the helper that does so goes after the guard it uses
TEXT = GONE.replace(".content", ".text")


def test_a_helper_goes_after_the_guarded_import():
    out = migrate(TEXT)
    assert out.index("except ImportError:") < out.index("def _requests_text(") < out.index("def fetch(")
    assert "return _requests_text(httpx.get(url, follow_redirects=True, timeout=None))" in out


@pytest.mark.parametrize("source, fetch", [
    (GONE, "AttributeError 'NoneType' object has no attribute 'get'"),  # as requests.get did on None
    (STAYS, "RuntimeError install requests"),
    (TEXT, "AttributeError 'NoneType' object has no attribute 'get'"),
])
def test_the_migrated_module_imports_where_httpx_is_missing(tmp_path, source, fetch):
    path = tmp_path / "migrated.py"
    path.write_text(migrate(source))
    proc = subprocess.run([sys.executable, "-c", _IMPORT_WITHOUT_HTTPX, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == fetch
    assert proc.stdout.splitlines()[1] == "httpx None requests -"
