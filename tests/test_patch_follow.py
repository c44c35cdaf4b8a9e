"""Tests that patch requests in a module the run migrates follow it (fixtures/mock_patches/project):
every followed test passes after the migration as it did before, asserting the calls httpx now
gets; every test that cannot follow is named, and only named tests fail."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.fixture_cases import FIXTURES
from tests.test_cli import run

pytest.importorskip("pytest_mock")

PROJECT = FIXTURES / "mock_patches" / "project"


def _pytest(project) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", "tests"],
                          cwd=project, capture_output=True, text=True, timeout=120)


def _outcome(project) -> tuple[int, set[str]]:
    """(tests passed, the names of those that failed or errored)."""
    proc = _pytest(project)
    passed = re.search(r"(\d+) passed", proc.stdout)
    failed = {line.split(" ")[1].replace("::", ".").split(".py.")[-1] for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))}
    return int(passed.group(1)) if passed else 0, failed


def _named(report_path) -> set[str]:
    """The tests (and fixtures: ``the fixture x``) named by test-patches-migrated-code."""
    report = json.loads(report_path.read_text())
    return {f["message"].split(" patches ")[0] for f in report["findings"] if f["code"] == "test-patches-migrated-code"}


def _tests_of(path) -> set[str]:
    return set(re.findall(r"^def (test_\w+)", path.read_text(), re.M))


def _named_or_using(named: set[str], path) -> set[str]:
    """The tests named, and those taking a fixture named."""
    fixtures = {n.removeprefix("the fixture ") for n in named if n.startswith("the fixture ")}
    using = {test for test, params in re.findall(r"^def (test_\w+)\(([^)]*)\)", path.read_text(), re.M)
             if fixtures & {p.strip() for p in params.split(",")}}
    return (named - {f"the fixture {f}" for f in fixtures}) | using


@pytest.mark.parametrize("timeout", [[], ["--timeout", "10"], ["--target", "httpx2"]], ids=["requests-timeout", "timeout-10", "httpx2"])
def test_followed_tests_pass_and_the_others_are_named(tmp_path, timeout):
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    before, failed = _outcome(project)
    assert failed == set() and before == 36
    proc = run("--no-cache", *timeout, "--report", "report.json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    followed = (project / "tests" / "test_api.py").read_text()
    assert not re.search(r"\brequests\.|import requests", followed), followed
    if "httpx2" in timeout:  # the patches follow the code to httpx2
        assert "httpx2" in followed and not re.search(r"\bhttpx\b(?!2)", followed), followed
    if "10" in timeout:
        assert "timeout=10" in followed
    named = _named(project / "report.json")
    refused = PROJECT / "tests" / "test_refused.py"
    assert "the fixture patched_get" in named
    named = _named_or_using(named, refused)
    assert named == _tests_of(refused)  # each, and nothing from test_api.py
    after, failed = _outcome(project)
    assert failed <= named and after == before - len(failed)
    assert not any(name in followed for name in failed)
    # a later run (or --check in CI) changes nothing and names the same tests
    again = run("--no-cache", *timeout, "--check", "--report", "again.json", ".", cwd=project)
    assert again.returncode == 1 and _named_or_using(_named(project / "again.json"), refused) == named
    assert (project / "tests" / "test_api.py").read_text() == followed


def test_the_followed_assertions_really_assert(tmp_path):
    """Each rewritten call assertion holds the arguments httpx gets: change one, and it fails."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    assert run("--no-cache", ".", cwd=project).returncode == 0
    path = project / "tests" / "test_api.py"
    followed = path.read_text()
    for old, new in (("follow_redirects=True", "follow_redirects=False"), ("timeout=None", "timeout=5.0"),
                     ('{"page": 1}', '{"page": 9}'), ("is_error=True", "is_error=False")):
        assert old in followed, old
        path.write_text(followed.replace(old, new, 1))
        assert _outcome(project)[1], f"still passes with {new}"


def test_a_response_that_sets_ok_and_is_shared_with_another_mock_stays():
    """ok becomes is_error only where the code reading it moved: a response also handed to a
    mock the tool does not follow keeps its ok, so the test stays (and says why)."""
    from migrator.project.patch_follow import follow
    from migrator.project.patched_code import PatchedCode

    test = (
        "from unittest import mock\n\nfrom pkg import api\n\n\n"
        "@mock.patch('pkg.api.requests.get')\n"
        "def test_shared(get):\n"
        "    response = mock.Mock(ok=False)\n"
        "    get.return_value = response\n"
        "    other = mock.Mock()\n"
        "    other.return_value = response\n"
        "    assert api.fetch(1) is None\n"
    )
    code = PatchedCode(None, {"get": None}, {"get": {"is_error": "ok"}})
    text, refused = follow(test, {"test_shared": {"pkg.api.requests.get": code}}, {"api": "pkg.api", "mock": "unittest.mock"}, "None")
    assert text == test and "handed to another mock" in refused["test_shared"]
    alone = test.replace("    other = mock.Mock()\n    other.return_value = response\n", "")
    text, refused = follow(alone, {"test_shared": {"pkg.api.requests.get": code}}, {"api": "pkg.api", "mock": "unittest.mock"}, "None")
    assert not refused and "is_error=True" in text
