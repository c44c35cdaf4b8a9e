"""Tests that patch requests by name in a module the run migrates are named, one error per test,
even in test files that never import requests (the migration does not read those otherwise)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from migrator.project.test_patches import patches
from tests.test_cli import run

API = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5).json()\n"
KEPT = (  # a session handed out by a public function: kept on requests (session-kept)
    "import requests\n\n\ndef make_session():\n    return requests.Session()\n\n\n"
    "def fetch(url):\n    return make_session().get(url).json()\n"
)
TESTS = '''
from unittest import mock

from pkg import api, kept


@mock.patch("pkg.api.requests")
def test_fetch(requests_mod):
    requests_mod.get.return_value.json.return_value = {"a": 1}
    assert api.fetch("http://x.test") == {"a": 1}


def test_fetch_setattr(monkeypatch):
    fake = mock.Mock()
    monkeypatch.setattr(api.requests, "get", fake)
    api.fetch("http://x.test")
    assert fake.called


class TestApi:
    @mock.patch("pkg.api.requests.get")
    def test_get(self, get):
        api.fetch("http://x.test")
        assert get.called


@mock.patch("pkg.kept.requests.Session.get")
def test_kept(get):
    kept.fetch("http://x.test")
    assert get.called
'''


def _project(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "api.py").write_text(API)
    (tmp_path / "pkg" / "kept.py").write_text(KEPT)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(textwrap.dedent(TESTS))
    return tmp_path


def _failing(project) -> set[str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", "tests"],
                          cwd=project, capture_output=True, text=True, timeout=120)
    return {line.split("::", 1)[1].split(" ")[0] for line in proc.stdout.splitlines() if line.startswith("FAILED")}


def test_patches_of_a_migrated_module_follow_it_even_where_the_file_never_imports_requests(tmp_path):
    project = _project(tmp_path)
    assert _failing(project) == set()
    proc = run("--no-cache", "--report", "report.json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((project / "report.json").read_text())
    assert [f for f in report["findings"] if f["code"] == "test-patches-migrated-code"] == []  # not test_kept: its module stays
    assert "import requests" in (project / "pkg" / "kept.py").read_text()
    tests = (project / "tests" / "test_api.py").read_text()
    assert '"pkg.api.httpx"' in tests and "api.httpx," in tests and '"pkg.api.httpx.get"' in tests
    assert '"pkg.kept.requests.Session.get"' in tests
    assert _failing(project) == set()


def test_patches_are_read_from_strings_and_module_attributes():
    source = (
        b"from pkg import api as a\nimport pkg.other as o\nfrom unittest import mock\n\n"
        b"@mock.patch('x.requests.post')\ndef test_one():\n    pass\n\n"
        b"def test_two(monkeypatch):\n    monkeypatch.setattr(a.requests, 'get', None)\n    mock.patch.object(o.requests, 'get')\n"
        b"    mock.patch('requests.get')\n    mock.patch('pkg.requests_helper.x')\n"
    )
    assert patches(source) == [
        ("x", "requests.post", 5, "test_one"),
        ("pkg.api", "requests.get", 10, "test_two"),
        ("pkg.other", "requests.get", 11, "test_two"),
        ("", "requests.get", 12, "test_two"),  # requests itself (not pkg.requests_helper)
    ]


def test_patches_of_requests_itself_are_named_when_the_package_code_moved(tmp_path):
    """``patch("requests.sessions.Session.get")`` (pynetbox's tests) intercepts requests wherever
    it is used: once the package's code sends its requests through httpx, it intercepts nothing."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "api.py").write_text(
        "import requests\n\n\ndef fetch(url):\n    with requests.Session() as s:\n        return s.get(url).json()\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(
        "from unittest.mock import patch\n\nimport pytest\nimport requests\n\nfrom pkg import api\n\n\n"
        "@patch('requests.sessions.Session.get')\ndef test_fetch(get):\n    get.return_value.json.return_value = {'a': 1}\n"
        "    assert api.fetch('http://x.test') == {'a': 1}\n\n\n"
        "def test_not_a_patch():\n    pytest.importorskip('requests')\n    assert 'requests.get' != patch\n")
    assert _failing(tmp_path) == set()
    proc = run("--no-cache", "--report", "report.json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    named = [f["message"] for f in report["findings"] if f["code"] == "test-patches-migrated-code"]
    assert len(named) == 1 and named[0].startswith("test_fetch patches requests.sessions.Session.get, but pkg/api.py")
    assert _failing(tmp_path) == {"test_fetch"}
    again = run("--no-cache", "--check", "--report", "again.json", ".", cwd=tmp_path)
    assert again.returncode == 1 and "test-patches-migrated-code" in again.stderr


def test_a_patch_of_requests_is_not_named_while_the_code_keeps_requests(tmp_path):
    """pynetbox: the package's session stays on requests (handed out by a public function), so
    ``patch("requests.sessions.Session.get")`` still intercepts it, even in a file the run changed."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "api.py").write_text(
        "import requests\n\n\ndef session():\n    return requests.Session()\n\n\n"
        "def fetch(url):\n    try:\n        return session().get(url).json()\n    except requests.HTTPError:\n        return None\n"
        "\n\ndef ping(url):\n    return requests.head(url).status_code\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(
        "from unittest.mock import patch\n\nfrom pkg import api\n\n\n"
        "@patch('requests.sessions.Session.get')\ndef test_fetch(get):\n    get.return_value.json.return_value = {'a': 1}\n"
        "    assert api.fetch('http://x.test') == {'a': 1}\n")
    proc = run("--no-cache", "--report", "report.json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "httpx.head(" in (tmp_path / "pkg" / "api.py").read_text()  # the file did change
    report = json.loads((tmp_path / "report.json").read_text())
    assert [f for f in report["findings"] if f["code"] == "test-patches-migrated-code"] == []
    assert _failing(tmp_path) == set()


TEXT_API = (
    "import requests\n\n\ndef page(url):\n    return requests.get(url, timeout=5).text\n\n\n"
    "def lines(url):\n    return [line.decode() for line in requests.get(url, timeout=5).iter_lines()]\n"
)
TEXT_TESTS = '''
from unittest import mock

from pkg import text_api


@mock.patch("pkg.text_api.requests.get")
def test_page(get):
    get.return_value.text = "<html>café</html>"
    assert text_api.page("http://x.test") == "<html>café</html>"


@mock.patch("pkg.text_api.requests.get")
def test_lines(get):
    get.return_value.iter_lines.return_value = [b"a", b"b"]
    assert text_api.lines("http://x.test") == ["a", "b"]
'''


def test_patches_follow_code_whose_text_and_lines_go_through_the_tools_helpers(tmp_path):
    """_requests_text and _requests_iter_lines ask a mock response for its own text and lines:
    the helpers' own use of httpx does not stop the patches from following the code."""
    project = _project(tmp_path)
    (project / "pkg" / "text_api.py").write_text(TEXT_API)
    (project / "tests" / "test_text.py").write_text(textwrap.dedent(TEXT_TESTS))
    assert _failing(project) == set()
    proc = run("--no-cache", "--report", "report.json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    code = (project / "pkg" / "text_api.py").read_text()
    assert "_requests_text(" in code and "_requests_iter_lines(" in code and "line.decode()" in code
    assert '"pkg.text_api.httpx.get"' in (project / "tests" / "test_text.py").read_text()
    report = json.loads((project / "report.json").read_text())
    assert [f for f in report["findings"] if f["code"] == "test-patches-migrated-code"] == []
    assert _failing(project) == set()
