"""Where requests code stays in a file, a migrated exception class catches both libraries'
errors, and requests' auth classes stay where requests code takes them (the fixtures
exceptions/requests_code_stays and auth/requests_call_stays run against the loopback server)."""

from __future__ import annotations

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

STAYS = "import requests\n\nclass Api(requests.Session):\n    def send(self, request, **kwargs):\n        return super().send(request, **kwargs)\n\n"


def migrate(source: str) -> str:
    return migrate_source(source, "x.py", Options(format=False)).code


@pytest.mark.parametrize("before, after", [
    ("try:\n    pass\nexcept requests.Timeout:\n    pass\n",
     "except (requests.Timeout, httpx.TimeoutException):"),
    ("try:\n    pass\nexcept (requests.Timeout) as e:\n    pass\n",
     "except (requests.Timeout, httpx.TimeoutException) as e:"),
    ("try:\n    pass\nexcept (ValueError, requests.RequestException):\n    pass\n",
     "except (ValueError, requests.RequestException, httpx.HTTPError):"),
    ("ok = isinstance(e, requests.HTTPError)\n",
     "ok = isinstance(e, (requests.HTTPError, httpx.HTTPStatusError))"),
    ("def test():\n    with pytest.raises(requests.ConnectionError):\n        pass\n",
     "with pytest.raises((requests.ConnectionError, httpx.TransportError)):"),
])
def test_both_classes_are_caught_where_requests_code_stays(before, after):
    out = migrate(STAYS + before)
    assert after in out
    assert migrate(out) == out  # a second run changes nothing


@pytest.mark.parametrize("before, after", [
    ("import requests\nimport httpx\n\ntry:\n    httpx.get('u')\nexcept (requests.Timeout, httpx.TimeoutException):\n    pass\n",
     "except httpx.TimeoutException:"),
    ("import requests\nimport httpx\n\ntry:\n    httpx.get('u')\nexcept (requests.Timeout, httpx.TimeoutException, ValueError):\n    pass\n",
     "except (httpx.TimeoutException, ValueError):"),
])
def test_once_requests_is_gone_the_pair_becomes_the_httpx_class(before, after):
    out = migrate(before)
    assert after in out and "requests" not in out


def test_a_file_migrated_whole_gets_the_httpx_class_alone():
    out = migrate("import requests\n\ntry:\n    requests.get('u')\nexcept requests.Timeout:\n    pass\n")
    assert "except httpx.TimeoutException:" in out and "requests" not in out


def test_two_requests_classes_for_one_httpx_class_are_both_kept():
    out = migrate(STAYS + "try:\n    pass\nexcept (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema, ValueError):\n    pass\n")
    assert "except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema, httpx.UnsupportedProtocol, ValueError):" in out
    assert migrate(out) == out
    gone = migrate("import requests\n\ntry:\n    requests.get('u')\nexcept (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):\n    pass\n")
    assert "except httpx.UnsupportedProtocol:" in gone


def test_auth_set_in_a_session_subclass_that_stays_a_session_stays_requests():
    source = STAYS.replace("        return super().send(request, **kwargs)\n", "        return super().send(request, **kwargs)\n\n    def login(self):\n        self.auth = requests.auth.HTTPBasicAuth('u', 'p')\n")
    out = migrate(source)
    assert "self.auth = requests.auth.HTTPBasicAuth('u', 'p')" in out and "httpx" not in out


def test_auth_of_a_migrated_call_becomes_httpx_even_where_requests_stays():
    out = migrate(STAYS + "def f(u):\n    return requests.get(u, auth=requests.auth.HTTPBasicAuth('u', 'p'))\n")
    assert "httpx.get(u, auth=httpx.BasicAuth('u', 'p')" in out


def test_an_auth_class_and_an_exception_in_one_statement_are_both_kept():
    out = migrate(STAYS + "def f(u):\n    try:\n        return requests.get(u, auth=requests.auth.HTTPBasicAuth('u', 'p'), hooks={'response': lambda r, **kw: r})\n    except requests.Timeout:\n        return None\n")
    assert "auth=requests.auth.HTTPBasicAuth('u', 'p'), hooks={'response': lambda r, **kw: r})" in out
    assert "except (requests.Timeout, httpx.TimeoutException):" in out


def test_annotations_type_nothing_where_a_session_subclass_stays():
    """ResilientSession (jira) stays a requests.Session and hands its responses to helpers
    annotated requests.Response: those are requests' responses, so .ok must stay .ok."""
    body = "def _check(r: requests.Response) -> bool:\n    return r.ok\n\n\ndef _use(s: requests.Session):\n    return _check(s.get('u'))\n"
    out = migrate(STAYS + body)
    assert body in out
    migrated_alone = migrate("import requests\n\n" + body)
    assert "r: httpx.Response" in migrated_alone and "return not r.is_error" in migrated_alone


def test_an_httpx_annotation_beside_a_surviving_requests_name_is_left_alone():
    """A second run over jira's tests: ``Response`` still imported from requests must not turn
    ``httpx.Response`` into ``httpx.httpx.Response``."""
    source = "import httpx\nfrom requests import Response\n\nmocked: httpx.Response = Response()\n"
    assert migrate(source) == source


def test_a_public_helper_taking_requests_responses_keeps_them():
    """python-gitlab's utils.response_content(response: requests.Response, ...) is public and its
    callers (its requests backend, kept, and code elsewhere) hand it requests' responses:
    ``iter_content`` became ``iter_bytes``, which they lack. It stays, annotation and body."""
    body = ("def response_content(response: requests.Response, chunk_size: int = 1024):\n"
            "    return b''.join(response.iter_content(chunk_size=chunk_size))\n")
    out = migrate("import requests\n\n\n" + body)
    assert body in out
