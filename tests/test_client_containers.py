"""A migrated client's params/cookies/headers: the uses httpx does not honour are reported, and
only those. (That the reported ones really behave differently is run in test_equivalence.)"""

from __future__ import annotations

import re
import textwrap

import httpx
import pytest
import requests
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict

from codemods._client_containers import MISSING, PARAMS_IN_PLACE
from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source


def _public(kind: type) -> set[str]:
    return {name for name in dir(kind) if not name.startswith("_")}


@pytest.mark.parametrize("container, before, after", [
    ("params", dict, httpx.QueryParams),
    ("cookies", RequestsCookieJar, httpx.Cookies),
    ("headers", CaseInsensitiveDict, httpx.Headers),
])
def test_missing_names_are_what_the_installed_libraries_differ_by(container, before, after):
    assert MISSING[container] == _public(before) - _public(after)


def test_params_changed_in_place_raise_in_httpx():
    for name in PARAMS_IN_PLACE - MISSING["params"]:
        with pytest.raises(RuntimeError, match="immutable"):
            getattr(httpx.QueryParams(), name)({"a": "1"})
    assert isinstance(requests.Session().params, dict)


def _codes(body: str) -> list[tuple[int, str]]:
    """The codes reported on the uses of the session, as findings or (for errors, which keep the
    session on requests) as reasons given by its session-kept finding."""
    source = "import requests\n\ndef _f(base):\n    s = requests.Session()\n" + textwrap.indent(textwrap.dedent(body), "    ")
    result = migrate_source(source, "x.py", Options(format=False))
    wanted = ("client-attribute-unsupported", "params-semantics")
    found = [(f.line, f.code) for f in result.findings if f.code in wanted]
    for f in result.findings:
        if f.code == "session-kept":
            found += [(int(line), code) for line, code in re.findall(r"line (\d+): [^;]*\[([a-z-]+)\]", f.message) if code in wanted]
            assert result.code == source  # kept: nothing of it changed
    return sorted(found)


@pytest.mark.parametrize("body, expected", [
    ("s.params.update({'a': '1'})\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("s.params['a'] = '1'\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("del s.params['a']\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("s.params['a'] += '1'\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("s.params |= {'a': '1'}\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("s.params.setdefault('a', '1')\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("s.params = {'a': '1'}\nreturn s\n", [(5, "params-semantics")]),
    ("s.cookies.set_cookie(c)\nreturn s\n", [(5, "client-attribute-unsupported")]),
    ("return s.cookies.get_dict(domain='x')\n", [(5, "client-attribute-unsupported")]),
    ("return s.headers.lower_items()\n", [(5, "client-attribute-unsupported")]),
    # the same in httpx, or rewritten by another codemod: nothing to report
    ("s.params = {}\nreturn s\n", []),
    ("return s.params.get('a'), s.params['a'], 'a' in s.params\n", []),
    ("s.headers.update({'a': '1'})\ns.headers['b'] = '2'\nreturn s\n", []),
    ("s.cookies.set('a', '1')\ns.cookies['b'] = '2'\nreturn s.cookies.get_dict()\n", []),
])
def test_client_container_uses(body, expected):
    assert _codes(body) == expected


@pytest.mark.parametrize("line, migrated", [
    ("self.params.update({'a': '1'})", False),
    ("self.params = {'a': '1'}", False),
    ("self.cookies.set_cookie(c)", False),
    ("self.headers.update({'a': '1'})", True),
    ("self.cookies.set('a', '1')", True),
])
def test_session_subclass_using_params_or_a_missing_jar_method_stays(line, migrated):
    source = f"import requests\n\nclass Api(requests.Session):\n    def __init__(self, c):\n        super().__init__()\n        {line}\n"
    result = migrate_source(source, "x.py", Options(format=False))
    assert ("class Api(httpx.Client):" in result.code) is migrated
    assert ("session-subclass-not-migrated" in [f.code for f in result.findings]) is not migrated
