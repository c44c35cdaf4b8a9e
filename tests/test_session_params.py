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
])
def test_other_uses_leave_them_to_the_client_and_report_it(body):
    result = migrate(body)
    assert "s_params" not in result.code
    assert "params-semantics" in {f.code for f in result.findings} or "session-kept" in {f.code for f in result.findings}


def test_a_name_already_taken_is_not_reused():
    result = migrate('    s_params = 1\n    s.params = {"k": "v"}\n    return s.get(url).text, s_params\n')
    assert 's.params = {"k": "v"}' in result.code and "params-semantics" in {f.code for f in result.findings}
