"""Import fix-up: httpx added where used, requests imports dropped once nothing uses them."""

from __future__ import annotations

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source


def migrate(source: str) -> str:
    return migrate_source(source, "x.py", Options(format=False)).code


def test_partly_used_from_import_keeps_only_what_is_still_used():
    out = migrate(
        "from requests import get, Session, codes as C\n\n"
        "def f(u, s):\n    assert isinstance(s, Session)\n    return get(u).status_code == C.ok\n"
    )
    assert out.startswith("from requests import Session\nimport httpx\n")
    assert "httpx.codes.OK" in out


def test_new_import_takes_the_place_of_the_removed_one_with_its_comments():
    out = migrate("import os\n# HTTP client\nimport requests\nimport sys\n\nrequests.get('u')\n")
    assert out.startswith("import os\n# HTTP client\nimport httpx\nimport sys\n")


def test_existing_httpx_alias_is_used_and_not_imported_twice():
    out = migrate("import httpx as hx\nimport requests\n\nrequests.get('u')\n")
    assert out == "import httpx as hx\n\nhx.get('u', follow_redirects=True, timeout=None)\n"


def test_unreferenced_from_import_is_kept_as_a_possible_re_export():
    source = "from requests import Session  # re-exported\n"
    assert migrate(source) == source


def test_an_import_the_references_missed_goes_when_nothing_uses_it():
    # after a semicolon in a block, the import was never searched for: it stayed, unused
    out = migrate("def f(u):\n    x = 1; import requests\n    return requests.get(u)\n")
    assert out == "import httpx\ndef f(u):\n    x = 1\n    return httpx.get(u, follow_redirects=True, timeout=None)\n"


@pytest.mark.parametrize("exports", [
    '__all__ = ["fetch", "requests", "Session"]\n',
    '__all__: list[str] = ["fetch"]\n__all__ += ("requests",)\n__all__.extend(["Session"])\n',
])
def test_imports_of_names_in_all_stay(exports):
    """``from module import *`` would raise AttributeError for a name __all__ lists and nothing binds."""
    out = migrate(
        "import requests\nfrom requests import Session\n\n" + exports
        + "\n\ndef fetch(u):\n    with Session() as s:\n        return requests.get(u)\n"
    )
    assert "httpx.Client(" in out and "httpx.get(u" in out
    namespace: dict = {}
    exec(compile(out, "x.py", "exec"), namespace)
    assert [name for name in namespace["__all__"] if name not in namespace] == []


def test_requests_stays_imported_while_anything_uses_it():
    out = migrate("import requests\n\nrequests.get('u')\nprint(requests.__version__)\n")
    assert out.startswith("import requests\nimport httpx\n")


def test_emptied_block_gets_pass_and_stays_valid():
    out = migrate("try:\n    import requests\nexcept ImportError:\n    pass\n\nrequests.get('u')\n")
    compile(out, "x.py", "exec")
    assert "import requests" not in out and "import httpx" in out


@pytest.mark.parametrize("source", [
    "import os\nif True: import requests\n\nrequests.get('u')\n",
    "x = 1; import requests\n\nrequests.get('u')\n",
    "from requests import Session; import requests\n\nrequests.get('u')\n",
])
def test_an_import_after_a_colon_or_a_semicolon_is_seen(source):
    """The file was skipped as not importing requests, or its requests name went unresolved."""
    from migrator.engine.pipeline import migrate_bytes

    new = migrate_bytes(source.encode(), "x.py", Options(format=False)).new.decode()
    assert "httpx.get('u', follow_redirects=True, timeout=None)" in new and "import requests" not in new


def test_json_is_imported_for_json_decode_error():
    out = migrate(
        "import requests\n\ntry:\n    requests.get('u').json()\nexcept requests.JSONDecodeError:\n    pass\n"
    )
    assert out.startswith("import httpx\nimport json\n")
    assert "except json.JSONDecodeError:" in out


@pytest.mark.parametrize("source", [
    "import requests\ntry:\n    import requests.adapters\nexcept ImportError:\n    pass\nrequests.get('u')\n",
    "import requests\nif TYPE_CHECKING: import requests.adapters\nrequests.get('u')\n",
    "import requests\ndef f():\n    from requests import get\n    return get('u')\n",
])
def test_nested_imports_are_found_without_a_full_search(source):
    """The text test that spares the import fix-up a search of every block must not miss one."""
    import libcst as cst

    from migrator.engine.imports import NESTED_IMPORT_RE, fix_imports

    module = cst.parse_module(source)
    assert NESTED_IMPORT_RE.search(source)
    assert fix_imports(module, {"requests", "get"}, ()).code == fix_imports(module, {"requests", "get"}, (), NESTED_IMPORT_RE.search(source) is not None).code


@pytest.mark.parametrize("source, kept", [
    ("import requests\nif TYPE_CHECKING: import requests.adapters\nrequests.get('u')\n", "if TYPE_CHECKING: pass\n"),
    ("import requests\nif TYPE_CHECKING: import os; import requests.adapters\nrequests.get('u')\n", "if TYPE_CHECKING: import os\n"),
    ("import requests\nif TYPE_CHECKING: import requests.adapters; import os  # why\nrequests.get('u')\n", "if TYPE_CHECKING: import os  # why\n"),
])
def test_import_on_a_header_line_is_removed(source, kept):
    """``if X: import requests.y`` (a one-line body) loses the import like an indented one."""
    out = migrate(source)
    compile(out, "x.py", "exec")
    assert "requests" not in out
    assert kept in out
