"""Tests follow the code: a test file's mocks move to respx only when the code its tests reach
sends its requests through httpx (run on small projects through the CLI, their tests run after)."""

from __future__ import annotations

import json
import subprocess
import sys

from migrator.project.test_reach import imported
from tests.test_cli import run

KEPT = (  # handed out by a public function: this session stays on requests
    "import requests\n\n\ndef make_session():\n    return requests.Session()\n\n\n"
    "def fetch(url):\n    return make_session().get(url).json()\n"
)
MOVED = "import requests\n\n\ndef fetch(url):\n    return requests.get(url).json()\n"
TEST = (
    "import responses\n\nfrom pkg import {module}\n\n\n@responses.activate\ndef test_fetch():\n"
    "    responses.add(responses.GET, 'http://x.test/a', json={{'a': 1}})\n"
    "    assert {module}.fetch('http://x.test/a') == {{'a': 1}}\n"
)


def _project(tmp_path, **modules):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    for name, source in modules.items():
        (tmp_path / "pkg" / f"{name}.py").write_text(source)
        (tmp_path / "tests" / f"test_{name}.py").write_text(TEST.format(module=name))
    return tmp_path


def _pytest(project) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=project, capture_output=True, text=True, timeout=120)


def _migrate(project) -> list[dict]:
    proc = run("--no-cache", "--report", "report.json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    return json.loads((project / "report.json").read_text())["findings"]


def test_tests_of_code_kept_on_requests_keep_their_mocks(tmp_path):
    project = _project(tmp_path, kept=KEPT, moved=MOVED)
    kept_test = (project / "tests" / "test_kept.py").read_text()
    assert _pytest(project).returncode == 0
    findings = _migrate(project)
    assert (project / "tests" / "test_kept.py").read_text() == kept_test  # its code stays: so do its mocks
    assert "import respx" in (project / "tests" / "test_moved.py").read_text()  # its code moved: so do they
    assert [f["path"] for f in findings if f["code"] == "test-mocks-follow-code"] == ["tests/test_kept.py"]
    proc = _pytest(project)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_test_file_reaching_both_libraries_is_named(tmp_path):
    project = _project(tmp_path, kept=KEPT, moved=MOVED)
    (project / "pkg" / "both.py").write_text("from pkg import kept, moved\n\n\ndef fetch(url):\n    return moved.fetch(url) or kept.fetch(url)\n")
    (project / "tests" / "test_both.py").write_text(TEST.format(module="both"))
    findings = _migrate(project)
    split = [f for f in findings if f["code"] == "test-mocks-split"]
    assert len(split) == 1 and split[0]["path"] == "tests/test_both.py" and split[0]["severity"] == "error"
    assert "pkg/kept.py" in split[0]["message"] and "pkg/moved.py" in split[0]["message"]
    # httpx code the project already had is not what its requests mocks were written for, even in a
    # file the run changes for another reason (python-gitlab's client.py and its GraphQL client)
    (project / "pkg" / "moved.py").write_text(
        "import httpx\nimport requests\n\n\ndef fetch(url):\n    try:\n        return httpx.get(url).json()\n"
        "    except requests.RequestException:\n        return None\n")
    (project / "tests" / "test_both.py").write_text(TEST.format(module="both"))
    again = run("--no-cache", "--report", "again.json", ".", cwd=project)
    assert again.returncode == 0
    assert "except httpx.HTTPError:" in (project / "pkg" / "moved.py").read_text()  # it did change
    report = json.loads((project / "again.json").read_text())
    assert [f["code"] for f in report["findings"] if f["path"] == "tests/test_both.py"] == ["test-mocks-follow-code"]


def test_imports_are_read_as_path_keys():
    source = b"import os, pkg.api as a\nfrom pkg import client, models as m\nfrom . import sibling\nfrom ..util import x\nfrom .sub.mod import (y,\n z)\nfrom pkg.server import (\n    Server,\n)\n"
    assert imported("pkg/sub/tests/test_x.py", source) == {
        "os", "pkg/api", "pkg", "pkg/client", "pkg/models", "pkg/sub/tests", "pkg/sub/tests/sibling",
        "pkg/sub/util", "pkg/sub/util/x", "pkg/sub/tests/sub/mod", "pkg/sub/tests/sub/mod/y", "pkg/server",
    }


def test_any_test_file_of_kept_code_is_left_as_it_was_and_conftest_fixtures_count(tmp_path):
    """A test file without mocks still expects requests' objects of the code it tests (here the
    exception it raises), and a test's code can come from a conftest.py fixture it never imports."""
    project = _project(tmp_path, kept=KEPT)
    (project / "tests" / "conftest.py").write_text("import pytest\n\nfrom pkg import kept\n\n\n@pytest.fixture\ndef api():\n    return kept\n")
    (project / "tests" / "test_auth.py").write_text(
        "import pytest\nimport requests\n\n\ndef test_refused(api):\n    with pytest.raises(requests.ConnectionError):\n"
        "        api.fetch('http://127.0.0.1:9/')\n")
    auth_test = (project / "tests" / "test_auth.py").read_text()
    findings = _migrate(project)
    assert (project / "tests" / "test_auth.py").read_text() == auth_test
    assert {f["path"] for f in findings if f["code"] == "test-mocks-follow-code"} == {"tests/test_kept.py", "tests/test_auth.py"}
    proc = _pytest(project)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr


def test_cassettes_are_named_once_per_package_whose_code_moved(tmp_path):
    """Tests replaying vcrpy/betamax cassettes recorded through requests: said once for the
    package (the cassettes may not replay through httpx), and not where no code moved."""
    cassette_test = "import vcr\n\nfrom pkg import {module}\n\n\n@vcr.use_cassette('a.yaml')\ndef test_{module}():\n    {module}.fetch('http://x.test/a')\n"
    (tmp_path / "moved").mkdir()
    (tmp_path / "kept").mkdir()
    moved = _project(tmp_path / "moved", moved=MOVED)
    (moved / "tests" / "test_recorded.py").write_text(cassette_test.format(module="moved"))
    (moved / "tests" / "test_recorded_too.py").write_text(cassette_test.format(module="moved"))
    found = [f for f in _migrate(moved) if f["code"] == "cassettes-recorded-through-requests"]
    assert len(found) == 1 and found[0]["path"].startswith("tests/test_recorded")
    kept = _project(tmp_path / "kept", kept=KEPT)
    (kept / "tests" / "test_recorded.py").write_text(cassette_test.format(module="kept"))
    assert not [f for f in _migrate(kept) if f["code"] == "cassettes-recorded-through-requests"]
