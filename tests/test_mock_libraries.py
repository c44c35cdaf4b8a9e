"""Test mocks: the sample test file passes with requests+responses before and httpx+respx after."""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source
from tests.fixture_cases import FIXTURES, case_id, cases, options

pytest.importorskip("respx")
pytest.importorskip("responses")
pytest.importorskip("requests_mock")


def _passes(folder, text: str, tests: int = 1) -> None:
    """``text``, a test file, passes under pytest with all of its ``tests``."""
    path = folder / "test_case.py"
    path.write_text(text)
    proc = run_pytest(path)
    assert proc.returncode == 0 and f"{tests} passed" in proc.stdout, proc.stdout + proc.stderr


def run_pytest(path, pythonpath: str | None = None):
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else None
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                          capture_output=True, text=True, cwd=path.parent, timeout=120, env=env)


def httpx2_pytest_path() -> str:
    """A folder holding httpx2-pytest, pytest-httpx's counterpart for httpx2. It installs the module
    ``pytest_httpx2``, as pytest-httpx2 (respx's mocker, in the test environment) does, so the two
    cannot be installed together: this one is put first on PYTHONPATH for the tests that use it,
    installed there once from the package index."""
    folder = Path(sys.prefix) / "httpx2-pytest-2.0.0"
    if not (folder / "pytest_httpx2" / "_httpx_mock.py").is_file():
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder),
                               "httpx2-pytest==2.0.0"], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    return str(folder)


MOCK_CASES = [case for case in cases() if case.parent.name == "mock_libraries"]


def _tests_in(source: str) -> int:
    """How many tests pytest collects from ``source``: test functions, and test methods of classes."""
    tree = ast.parse(source)
    defs = (ast.FunctionDef, ast.AsyncFunctionDef)
    functions = [n for n in tree.body if isinstance(n, defs) and n.name.startswith("test")]
    methods = [m for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, defs) and m.name.startswith("test")]
    return len(functions) + len(methods)


@pytest.mark.parametrize("target", ["httpx", "httpx2"])
@pytest.mark.parametrize("case", MOCK_CASES, ids=case_id)
def test_a_mock_fixture_passes_with_pytest_before_and_after(case, target, tmp_path):
    """Each test file passes before (requests and its mock library) and after the tool migrated it
    here (httpx and respx, or pytest-httpx; httpx2 and respx through pytest-httpx2, or
    httpx2-pytest), every test of it run, and its mocks translated."""
    source = (case / "before.py").read_text()
    chosen = dataclasses.replace(options(case), target=target)
    migrated = migrate_source(source, "tests/test_case.py", chosen)
    kept = {f.message.split(" keeps ")[0] for f in migrated.findings if f.code == "test-mocks-kept"}
    assert not [f for f in migrated.findings if f.code == "internal-error"], migrated.findings
    if any(f.code == "httpx2-not-moved" for f in migrated.findings):  # all of it stays, as it was
        assert target == "httpx2" and migrated.code == source
    pythonpath = httpx2_pytest_path() if target == "httpx2" and chosen.mock_library == "pytest-httpx" else None
    passed = []
    for name, text in (("before", source), ("after", migrated.code)):
        path = tmp_path / name / "test_case.py"
        path.parent.mkdir()
        path.write_text(text)
        proc = run_pytest(path, pythonpath if name == "after" else None)
        assert proc.returncode == 0, (name, proc.stdout + proc.stderr)
        passed.append(int(re.search(r"(\d+) passed", proc.stdout).group(1)))
    # every test ran (parametrized ones several times), and as many after as before
    assert passed[0] >= _tests_in(source) and passed[1] == passed[0], passed
    if not kept and migrated.code != source:  # nothing stays on the old mock library
        assert not re.search(r"^\s*(import|from) (responses|requests_mock)\b", migrated.code, re.M), migrated.code


def test_the_migrated_tests_really_assert(tmp_path):
    source = (FIXTURES / "mock_libraries" / "basic" / "before.py").read_text()
    after = tmp_path / "test_api.py"
    after.write_text(migrate_source(source, "tests/test_api.py", Options()).code.replace("== [1, 2]", "== [1, 2, 3]"))
    assert run_pytest(after).returncode == 1


def test_mocks_are_left_alone_outside_test_files():
    source = "import responses\n\n\n@responses.activate\ndef helper():\n    pass\n"
    result = migrate_source(source, "src/app.py", Options())
    assert result.code == source
    assert [f.code for f in result.findings] == ["requests-unmigrated"]


def test_untranslatable_features_are_reported():
    source = (
        "import responses\nfrom responses import matchers\n\n\n@responses.activate\ndef test_x():\n"
        "    responses.add(responses.POST, 'https://x', match=[matchers.multipart_matcher({})])\n"
        "    responses.add_callback(responses.GET, 'https://x', callback=lambda r: (200, {}, r.body))\n"
    )
    result = migrate_source(source, "tests/test_x.py", Options())
    kept = [f for f in result.findings if f.code == "test-mocks-kept"]  # the test stays, saying why
    assert len(kept) == 1 and "line 7: " in kept[0].message and "line 8: " in kept[0].message
    assert result.code == source


def test_a_test_file_using_only_the_requests_mock_fixture_is_migrated():
    source = "from app import fetch\n\n\ndef test_fetch(requests_mock):\n    requests_mock.get('https://x.test/a', json={'a': 1})\n    assert fetch() == {'a': 1}\n"
    from migrator.engine.pipeline import migrate_bytes

    result = migrate_bytes(source.encode(), "tests/test_app.py", Options(format=False))
    text = result.new.decode()
    assert "def test_fetch(respx_mock):" in text and "respx_mock.get('https://x.test/a').mock(" in text


@pytest.mark.parametrize("use, reported", [
    ("len(responses.calls)", False),
    ("responses.calls[0].request.method", False),
    ("responses.calls[0].request.url", False),
    ("responses.calls[0].request.headers['A']", False),
    ("responses.calls[0].request.headers.get('A')", False),
    ("[c.request.path_url for c in responses.calls]", True),
    ("responses.calls[0].request.path_url", True),
    ("responses.calls[0].response.url", True),
    ("dict(responses.calls[0].request.headers)", True),
    ("responses.calls[-1]", True),
])
def test_recorded_calls_read_the_same_or_are_reported(use, reported):
    source = f"import requests\nimport responses\n\n@responses.activate\ndef test_a():\n    requests.get('http://x.test/')\n    return {use}\n"
    result = migrate_source(source, "tests/test_a.py", Options())
    # a use respx reads differently keeps the test on responses, whole
    assert ("respx.calls" in result.code) is not reported
    assert any(f.code == "test-mocks-kept" and "line 7: " in f.message for f in result.findings) is reported


def test_a_fixture_annotated_with_the_requests_mock_module_keeps_the_module_name():
    """``def t(requests_mock: requests_mock.Mocker)``: the annotation is evaluated outside the
    function, where ``requests_mock`` is the module; renaming it too would raise NameError."""
    source = (
        "import requests\nimport requests_mock\n\n\n"
        "def test_w(requests_mock: requests_mock.Mocker):\n"
        "    requests_mock.get('https://x.test/b', json={'b': 2})\n"
        "    assert requests.get('https://x.test/b').json() == {'b': 2}\n"
    )
    result = migrate_source(source, "tests/test_w.py", Options(format=False))
    assert "def test_w(respx_mock: requests_mock.Mocker):" in result.code
    exec(compile(result.code, "test_w.py", "exec"), {})  # defines test_w without a NameError
    assert (5, "requests-unmigrated") in [(f.line, f.code) for f in result.findings]


def test_requests_mock_mock_is_the_mocker_and_a_name_bound_anew_is_no_longer_one():
    """``requests_mock.mock`` is ``Mocker``; ``m`` bound by an unmigrated Mocker is requests_mock's."""
    source = (
        "import requests\nimport requests_mock\n\n\ndef test_a():\n"
        "    with requests_mock.Mocker() as m:\n        m.get('https://x.test/a', text='a')\n\n\n"
        "def test_b():\n    with requests_mock.mock() as m:\n        m.get('https://x.test/b', text='b')\n\n\n"
        "def test_c():\n    with requests_mock.Mocker(real_http=True) as m:\n        m.get('https://x.test/c', text='c')\n"
    )
    out = migrate_source(source, "tests/test_m.py", Options(format=False)).code
    assert out.count("with respx.mock(assert_all_called=False) as m:") == 2
    assert "m.get('https://x.test/b').mock(" in out
    assert "with requests_mock.Mocker(real_http=True) as m:\n        m.get('https://x.test/c', text='c')\n" in out


def test_requests_mock_any_url_becomes_a_respx_route_without_one(tmp_path):
    source = (
        "import requests\nimport requests_mock\n\n\ndef test_any():\n"
        "    with requests_mock.Mocker() as m:\n        m.get(requests_mock.ANY, text='any')\n"
        "        assert requests.get('http://a.test/x?y=1').text == 'any'\n"
        "        assert requests.get('https://b.test/').text == 'any'\n"
    )
    result = migrate_source(source, "tests/test_any.py", Options())
    assert "m.get().mock(" in result.code and "requests_mock" not in result.code
    for name, text in (("before", source), ("after", result.code)):
        path = tmp_path / name / "test_any.py"
        path.parent.mkdir()
        path.write_text(text)
        proc = run_pytest(path)
        assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


def test_register_uri_takes_requests_mock_method_constants():
    source = (
        "import requests\nimport requests_mock\n\n\ndef test_write():\n"
        "    with requests_mock.Mocker() as m:\n"
        "        m.register_uri(requests_mock.POST, 'http://localhost:8086/write', status_code=204)\n"
        "        assert requests.post('http://localhost:8086/write', data=b'x').status_code == 204\n"
    )
    result = migrate_source(source, "tests/test_write.py", Options(format=False))
    assert "m.post('http://localhost:8086/write').mock(return_value=httpx.Response(204))" in result.code
    assert "requests_mock" not in result.code


MIXED = '''
import requests
import responses
from responses import matchers


@responses.activate
def test_translated():
    responses.add(responses.GET, "http://x.test/a", json={"a": 1})
    assert requests.get("http://x.test/a").json() == {"a": 1}


@responses.activate
def test_with_a_matcher():
    responses.add(responses.GET, "http://x.test/b", json={"b": 1})
    body = '{"q": 1}'  # a matcher's value that is not a literal: respx is not given a guess
    responses.add(responses.POST, "http://x.test/c", json={"c": 1}, match=[matchers.body_matcher(body)])
    assert requests.get("http://x.test/b").json() == {"b": 1}
    assert requests.post("http://x.test/c", json={"q": 1}).json() == {"c": 1}
'''


def test_a_test_is_migrated_whole_or_kept_whole(tmp_path):
    """A matcher respx spells differently keeps its test on responses, whole (decorator, the other
    registrations and the test's own requests calls): respx over a body that still registers with
    responses intercepts neither. The other test moves. Both pass, and the kept one is named."""
    result = migrate_source(MIXED, "tests/test_mixed.py", Options())
    path = tmp_path / "test_mixed.py"
    path.write_text(result.code)
    kept = [f for f in result.findings if f.code == "test-mocks-kept"]
    assert len(kept) == 1 and kept[0].message.startswith("test_with_a_matcher keeps") and kept[0].line == 13
    assert "@respx.mock\ndef test_translated" in result.code
    assert MIXED[MIXED.index("@responses.activate\ndef test_with_a_matcher"):] in result.code
    assert "mock-not-migrated" not in {f.code for f in result.findings}  # said once, by test-mocks-kept
    proc = run_pytest(path)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_mock_name_means_a_mock_only_where_it_is_bound_to_one():
    """``m`` of one test's ``with Mocker() as m`` is not the MagicMock another test's
    ``@mock.patch`` passes as ``m``: its ``m.get(...)`` is not a registration."""
    source = (
        "import requests\nimport requests_mock\nfrom unittest import mock\n\n\n"
        "def test_a():\n    with requests_mock.Mocker() as m:\n        m.get('http://x.test/a', json={'a': 1})\n"
        "        assert requests.get('http://x.test/a').json() == {'a': 1}\n\n\n"
        "@mock.patch('pkg.api.thing')\ndef test_b(m):\n    m.get.return_value = 3\n    assert m.get('anything') == 3\n"
    )
    code = migrate_source(source, "tests/test_names.py", Options(format=False)).code
    assert "m.get('http://x.test/a').mock(" in code
    assert code.endswith("def test_b(m):\n    m.get.return_value = 3\n    assert m.get('anything') == 3\n")


def test_an_exception_as_the_body_is_raised_under_respx_too(tmp_path):
    """responses raises an exception given as ``body=``; ``httpx.Response(content=<exception>)`` is a
    TypeError, so it becomes respx's ``side_effect=`` (requests' exceptions as the httpx ones the
    migrated code catches). The test passes before and after."""
    source = (
        "import requests\nimport responses\n\n\n@responses.activate\ndef test_down():\n"
        "    responses.add(responses.GET, 'http://x.test/a', body=requests.ConnectionError('down'))\n"
        "    responses.add(responses.GET, 'http://x.test/b', body=ConnectionResetError())\n"
        "    try:\n        requests.get('http://x.test/a')\n    except requests.ConnectionError:\n        pass\n"
        "    else:\n        raise AssertionError('not raised')\n"
        "    try:\n        requests.get('http://x.test/b')\n    except ConnectionResetError:\n        pass\n"
        "    else:\n        raise AssertionError('not raised')\n"
    )
    for name, text in (("before", source), ("after", migrate_source(source, "tests/test_down.py", Options()).code)):
        path = tmp_path / name / "test_down.py"
        path.parent.mkdir()
        path.write_text(text)
        proc = run_pytest(path)
        assert proc.returncode == 0 and "1 passed" in proc.stdout, (name, text, proc.stdout + proc.stderr)
    assert 'side_effect=httpx.TransportError("down")' in text and "side_effect=ConnectionResetError()" in text


def test_a_requests_mock_body_callback_keeps_its_test(tmp_path):
    """A ``json=`` callback reading ``request.body`` (bytes or str in requests, by how it was sent):
    the helper cannot give it the same value. The test stays, named, and still passes."""
    source = (
        "import requests\nimport requests_mock\n\n\ndef body(request, context):\n    return {'q': request.body}\n\n\n"
        "def test_callback():\n    with requests_mock.Mocker() as m:\n        m.get('http://x.test/a', json=body)\n"
        "        assert requests.get('http://x.test/a?b=1').json() == {'q': None}\n"
    )
    result = migrate_source(source, "tests/test_cb.py", Options())
    assert result.code == source
    assert [f.code for f in result.findings if f.severity == "error"] == ["test-mocks-kept"]
    path = tmp_path / "test_cb.py"
    path.write_text(result.code)
    assert run_pytest(path).returncode == 0


def test_a_mocker_attribute_respx_lacks_keeps_its_test():
    """``m._adapter`` (private) or ``m.reset_mock()`` on a respx router would raise AttributeError:
    the test stays on requests-mock, named."""
    source = (
        "import requests\nimport requests_mock\n\n\ndef test_private():\n"
        "    with requests_mock.Mocker() as m:\n        m.get('http://x.test/a', text='a')\n"
        "        requests.get('http://x.test/a')\n        assert m._adapter.request_history[0].url\n"
    )
    result = migrate_source(source, "tests/test_private.py", Options())
    assert result.code == source
    kept = [f for f in result.findings if f.code == "test-mocks-kept"]
    assert len(kept) == 1 and "m._adapter" in kept[0].message


def test_a_mock_from_a_fixture_of_another_file_keeps_the_test_whole():
    """``rsps`` from a conftest fixture: its ``rsps.add(responses.GET, ...)`` cannot be followed, and
    a test moving its requests to httpx around it would mix the libraries. It stays, named."""
    source = (
        "import requests\nimport responses\n\n\ndef test_shared(rsps):\n"
        "    rsps.add(responses.GET, 'http://x.test/a', json={'a': 1})\n"
        "    assert requests.get('http://x.test/a').json() == {'a': 1}\n"
    )
    result = migrate_source(source, "tests/test_shared.py", Options())
    assert result.code == source
    assert [f.code for f in result.findings if f.severity == "error"] == ["test-mocks-kept"]


_HEAD = "import re\nimport requests\nimport responses\nimport requests_mock\nfrom responses import matchers\n\nURL = 'http://h.test/a'\n\n\n"
_KEPT_CASES = {
    # two registrations that may answer one request: the libraries choose in different orders
    "spelled_differently": "@responses.activate\ndef test_x():\n    responses.add(responses.GET, URL, json=1)\n    responses.add(responses.GET, 'http://h.test/a', json=2)\n    assert [requests.get(URL).json() for _ in range(3)] == [1, 2, 2]\n",
    "query_and_plain": "def test_x():\n    with requests_mock.Mocker() as m:\n        m.get(URL, text='plain')\n        m.get(URL + '?x=1', text='query')\n        assert requests.get(URL + '?x=1').text == 'query'\n",
    "lookup_name_as_json_key": "@responses.activate\ndef test_x():\n    responses.post(URL, json=1, match=[matchers.json_params_matcher({'eq': 1}, strict_match=False)])\n    assert requests.post(URL, json={'eq': 1, 'b': 2}).json() == 1\n",
    "regex_header": "@responses.activate\ndef test_x():\n    responses.get(URL, json=1, match=[matchers.header_matcher({'Authorization': re.compile(r'Bearer .+')})])\n    assert requests.get(URL, headers={'Authorization': 'Bearer t'}).json() == 1\n",
    "blank_form_values": "@responses.activate\ndef test_x():\n    responses.post(URL, status=204, match=[matchers.urlencoded_params_matcher({'a': '1'})])\n    assert requests.post(URL, data='a=1&b=').status_code == 204\n",
    "non_ascii_reason": "def test_x():\n    with requests_mock.Mocker() as m:\n        m.get(URL, status_code=418, reason='Tr\\u00e8s bien')\n        assert requests.get(URL).reason == 'Tr\\u00e8s bien'\n",
    "registered_in_a_loop": "@responses.activate\ndef test_x():\n    for i in range(2):\n        responses.add(responses.GET, URL, json=i)\n    assert [requests.get(URL).json() for _ in range(3)] == [0, 1, 1]\n",
    "handed_to_a_helper": "def register(m):\n    m.get(URL, json={'a': 1})\n\n\ndef test_x():\n    with requests_mock.Mocker() as m:\n        register(m)\n        assert requests.get(URL).json() == {'a': 1}\n",
    "each_must_be_requested": "def test_x():\n    with responses.RequestsMock() as rsps:\n        rsps.add(responses.GET, URL, json=1)\n        rsps.add(responses.GET, URL, json=2)\n        assert requests.get(URL).json() == 1\n        assert requests.get(URL).json() == 2\n",
    "mocker_bound_again": "import unittest\n\n\nclass T(unittest.TestCase):\n    @requests_mock.Mocker()\n    def test_x(self, m):\n        m.get(URL, text='v1')\n        m = re.match(r'v(\\d)', requests.get(URL).text)\n        assert m.group(1) == '1'\n",
}


@pytest.mark.parametrize("name", sorted(_KEPT_CASES))
def test_what_the_libraries_would_serve_differently_keeps_its_test(name, tmp_path):
    """Cases where respx would answer otherwise than responses/requests-mock (found in review):
    the test stays whole on its mock library, named, and still passes."""
    source = _HEAD + _KEPT_CASES[name]
    result = migrate_source(source, "tests/test_case.py", Options())
    assert not [f for f in result.findings if f.code == "internal-error"], result.findings
    assert [f.code for f in result.findings if f.code == "test-mocks-kept"] == ["test-mocks-kept"], result.code
    _passes(tmp_path, result.code)


def test_the_callback_helper_speaks_the_modules_name_for_httpx(tmp_path):
    source = (
        "import httpx as hx\nimport requests\nimport responses\n\n\n@responses.activate\ndef test_cb():\n"
        "    responses.add_callback(responses.GET, 'http://h.test/a', callback=lambda request: (201, {}, 'ok'))\n"
        "    assert requests.get('http://h.test/a').status_code == 201\n    assert hx.__name__ == 'httpx'\n"
    )
    result = migrate_source(source, "tests/test_cb.py", Options())
    assert "return hx.Response(status, headers=headers, content=body)" in result.code
    _passes(tmp_path, result.code)


def test_a_mocker_letting_requests_through_keeps_its_test_and_says_why():
    """requests-mock's real_http=True sends unmatched requests to the network; respx has no
    fallback after its routes, so the test stays on requests-mock (decorator and context manager)."""
    source = (
        "import requests\nimport requests_mock\n\n\n"
        "@requests_mock.Mocker(real_http=True)\ndef test_decorated(m):\n"
        "    m.get('https://api.example.com/a', text='a')\n    assert requests.get('https://api.example.com/a').text == 'a'\n\n\n"
        "def test_context():\n    with requests_mock.Mocker(real_http=True) as m:\n"
        "        m.get('https://api.example.com/a', text='a')\n        assert requests.get('https://api.example.com/a').text == 'a'\n"
    )
    result = migrate_source(source, "tests/test_real_http.py", Options())
    assert result.code == source
    kept = [f for f in result.findings if f.code == "test-mocks-kept"]
    assert [f.line for f in kept] == [5, 11]
    assert all("no fallback after its routes" in f.message for f in kept)
