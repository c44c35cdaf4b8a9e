"""Name resolution from imports, in all their spellings, and shadowing."""

from __future__ import annotations

import libcst as cst
import pytest

from migrator.engine.context import Context
from migrator.engine.engine import Engine
from migrator.engine.names import canonical, import_bindings
from migrator.engine.options import Options


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("import requests", {"requests": "requests"}),
        ("import requests as rq", {"rq": "requests"}),
        ("import requests.adapters", {"requests": "requests"}),
        ("import requests.adapters as ad", {"ad": "requests.adapters"}),
        ("from requests import Session, get as fetch", {"Session": "requests.Session", "fetch": "requests.get"}),
        ("from requests.exceptions import HTTPError", {"HTTPError": "requests.exceptions.HTTPError"}),
        ("from requests import ConnectionError", {"ConnectionError": "requests.exceptions.ConnectionError"}),
        ("from requests.sessions import Session", {"Session": "requests.Session"}),
        ("from requests.api import post", {"post": "requests.post"}),
        ("from requests.status_codes import codes", {"codes": "requests.codes"}),
        ("from urllib3.util.retry import Retry", {"Retry": "urllib3.Retry"}),
        ("from requests.packages.urllib3.util.retry import Retry", {"Retry": "urllib3.Retry"}),
        ("import os, requests", {"requests": "requests"}),
        ("from . import requests", {}),
        ("import httpx", {}),
    ],
)
def test_import_bindings(statement, expected):
    stmt = cst.parse_statement(statement).body[0]
    assert import_bindings(stmt) == expected


def test_canonical_spellings():
    assert canonical("requests.exceptions.Timeout") == canonical("requests.Timeout") == "requests.exceptions.Timeout"
    assert canonical("requests.packages.urllib3.util.retry.Retry") == "urllib3.Retry"
    assert canonical("requests.adapters.HTTPAdapter") == "requests.adapters.HTTPAdapter"


def _resolved(source: str) -> list[tuple[str, str]]:
    """(dotted text, qualified name) of every requests reference the engine records."""
    module = cst.parse_module(source)
    ctx = Context(module, "x.py", Options(), None)
    module.visit(Engine(ctx, []))
    return [(cst.Module([]).code_for_node(orig), qual) for _, orig, qual in ctx.refs]


def test_shadowing_parameters_locals_and_comprehensions():
    source = """
import requests
from requests import get

def param(requests):
    return requests.get(1)

def local():
    get = dict.get
    return get({}, 1)

def uses_global():
    return requests.get(1)

def nested():
    requests = None
    def inner():
        return requests.get(1)   # the enclosing local, not the library
    return inner

def local_import():
    import requests as r2
    return r2.post(1)

squares = [requests for requests in range(3)]
"""
    assert _resolved(source) == [("requests.get", "requests.get"), ("r2.post", "requests.post")]


def test_global_declaration_is_not_shadowing():
    source = "import requests\n\ndef f():\n    global requests\n    return requests.head(1)\n"
    assert _resolved(source) == [("requests.head", "requests.head")]


def test_class_body_names_do_not_leak_into_methods():
    source = (
        "import requests\n\nclass A:\n    requests = None\n    x = requests\n\n"
        "    def m(self):\n        return requests.get(1)\n"
    )
    assert _resolved(source) == [("requests.get", "requests.get")]  # `x = requests` is the class attribute


def test_rebound_names_cover_every_binding_but_module_level_imports():
    import ast

    from migrator.engine.names import rebound_names

    source = """
import requests
from requests import Session as S
try:
    import urllib3
except ImportError:
    urllib3 = None
def f(a, *b, c=1, **d):
    import requests as r2
    global g
    x = [y for y in a]
    with open(a) as fh:
        pass
    for i, (j, k) in enumerate(a):
        pass
    try:
        pass
    except Exception as exc:
        pass
    (w := 1)
    lam = lambda q: q
    match a:
        case {"k": v, **rest}:
            pass
        case [first, *others]:
            pass
class C:
    attr = 1
del zz
"""
    names = rebound_names(ast.parse(source))
    assert {"requests", "S"} & names == set()
    assert {"urllib3", "f", "a", "b", "c", "d", "r2", "g", "x", "y", "fh", "i", "j", "k", "exc", "w", "lam", "q",
            "v", "rest", "first", "others", "C", "attr", "zz"} <= names


def test_the_word_test_before_the_import_expression_changes_no_answer():
    from pathlib import Path

    from migrator.engine.names import IMPORT_RE, imports_requests
    from migrator.lint.rules import HTTPX_IMPORT_RE, imports_httpx

    root = Path(__file__).resolve().parent.parent
    samples = [p.read_bytes() for p in sorted(root.rglob("*.py")) if ".venv" not in p.parts] + [
        b"import os, requests\n", b"from urllib3.util import Retry\n", b"def test_x(requests_mock):\n", b"import httpx as h\n",
        b"x = 'requests'\n", b"# import requests\n", b"", b"\xef\xbb\xbfimport requests\n", b"\xef\xbb\xbfimport httpx\n",
    ]
    assert any(imports_requests(s) for s in samples) and not all(imports_requests(s) for s in samples)
    for data in samples:
        assert imports_requests(data) == bool(IMPORT_RE.search(data))
        assert imports_httpx(data) == bool(HTTPX_IMPORT_RE.search(data))
    # a UTF-8 BOM stands before the first line's import
    assert imports_requests(b"\xef\xbb\xbfimport requests\n") and imports_httpx(b"\xef\xbb\xbfimport httpx\n")
    assert imports_requests(b"try: import requests\nexcept ImportError: pass\n") and imports_requests(b"x = 1; import requests\n")
