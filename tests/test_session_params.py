"""requests' Session.params kept beside the client (``s_params``) only where no request can go
out before they are set and nothing else uses them; otherwise the client keeps them, reported."""

from __future__ import annotations

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

HEAD = "import requests\n\n\ndef f(url):\n    s = requests.Session()\n"


def migrate(body: str):
    return migrate_source(HEAD + body, "app.py", Options(format=False))


def test_params_set_among_the_settings_are_kept_beside_the_client():
    result = migrate('    s.verify = False\n    s.headers.update({"A": "1"})\n    s.params = {"k": "v"}\n    return s.get(url).text\n')
    assert 's_params = {"k": "v"}' in result.code
    assert "s.get(_requests_url(url, _requests_params(s_params)))" in result.code
    assert "params-semantics" not in {f.code for f in result.findings}


@pytest.mark.parametrize("body", [
    '    s.get(url)\n    s.params = {"k": "v"}\n    return s.get(url).text\n',  # a request before
    '    s.params = {"k": "v"}\n    s.params = {"k": "w"}\n    return s.get(url).text\n',  # set twice
    '    s.params = {"k": "v"}\n    print(s.params)\n    return s.get(url).text\n',  # read back
    '    s.params = {"k": "v"}\n    return _send(s, url)\n\n\ndef _send(t, url):\n    return t.get(url).text\n',  # handed on
    '    s.headers["X"] = s.get(url).text\n    s.params = {"k": "v"}\n    return s.get(url).text\n',  # a request in a setting
    '    s.params = {"t": s.get(url).text}\n    return s.get(url).text\n',  # a request in the params
])
def test_other_uses_leave_them_to_the_client_and_report_it(body):
    result = migrate(body)
    assert "s_params" not in result.code
    assert "params-semantics" in {f.code for f in result.findings} or "session-kept" in {f.code for f in result.findings}


def test_a_name_already_taken_is_not_reused():
    result = migrate('    s_params = 1\n    s.params = {"k": "v"}\n    return s.get(url).text, s_params\n')
    assert 's.params = {"k": "v"}' in result.code and "params-semantics" in {f.code for f in result.findings}


def test_a_name_taken_by_a_def_is_not_reused():
    result = migrate('    s.params = {"k": "v"}\n    return s.get(url).text\n\n\ndef s_params():\n    return 1\n')
    assert "s_params = {" not in result.code and "params-semantics" in {f.code for f in result.findings}


@pytest.mark.parametrize("source", [
    # module level, and global: other code (other modules too) sends through it
    'import requests\n\ns = requests.Session()\ns.params = {"k": "v"}\n\n\ndef f(url):\n    return s.get(url).text\n',
    'import requests\n\n\ndef init():\n    global s\n    s = requests.Session()\n    s.params = {"k": "v"}\n\n\ndef f(url):\n    return s.get(url).text\n',
    # a public attribute, a class with __slots__, one set on an object built without __init__
    'import requests\n\n\nclass A:\n    def __init__(self):\n        self.session = requests.Session()\n        self.session.params = {"k": "v"}\n\n    def f(self, url):\n        return self.session.get(url).text\n',
    'import requests\n\n\nclass A:\n    __slots__ = ("_s",)\n\n    def __init__(self):\n        self._s = requests.Session()\n        self._s.params = {"k": "v"}\n\n    def f(self, url):\n        return self._s.get(url).text\n',
    'import requests\n\n\nclass A:\n    def __init__(self):\n        self._s = requests.Session()\n        self._s.params = {"k": "v"}\n\n    @classmethod\n    def bare(cls):\n        obj = cls.__new__(cls)\n        obj._s = requests.Session()\n        return obj\n\n    def f(self, url):\n        return self._s.get(url).text\n',
])
def test_sessions_other_code_may_reach_keep_their_params_on_the_client(source):
    result = migrate_source(source, "app.py", Options(format=False))
    assert "_params = {" not in result.code
