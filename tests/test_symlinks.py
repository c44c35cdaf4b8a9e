"""Symlinked files, through the command: a link stays a link, its target is migrated once, and a
link that leads outside the paths given is skipped and reported."""

from __future__ import annotations

import json
import os

import pytest

from tests.test_cli import SIMPLE, run

MIGRATED = "httpx.get(url, follow_redirects=True, timeout=None).status_code"


@pytest.fixture
def repo(tmp_path):
    """repo/pkg/a.py and repo/pkg2/b.py link to repo/shared/a.py (committed that way); repo/pkg/o.py
    links to a file outside the repository."""
    root = tmp_path / "repo"
    for folder in ("pkg", "pkg2", "shared"):
        (root / folder).mkdir(parents=True)
    (root / "shared" / "a.py").write_text(SIMPLE)
    (tmp_path / "outside.py").write_text(SIMPLE)
    os.symlink("../shared/a.py", root / "pkg" / "a.py")
    os.symlink("../shared/a.py", root / "pkg2" / "b.py")
    os.symlink("../../outside.py", root / "pkg" / "o.py")
    return root


def _links(root):
    return {p: os.readlink(root / p) for p in ("pkg/a.py", "pkg2/b.py", "pkg/o.py")}


def test_the_target_is_migrated_once_and_the_links_stay_links(repo):
    links = _links(repo)
    dry = run("--dry-run", ".", cwd=repo)
    assert dry.returncode == 0, dry.stderr
    assert [line for line in dry.stdout.splitlines() if line.startswith("+++ ")] == ["+++ b/shared/a.py"]
    proc = run(".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert _links(repo) == links and all((repo / p).is_symlink() for p in links)
    assert MIGRATED in (repo / "shared" / "a.py").read_text()
    assert (repo / "pkg" / "a.py").read_text() == (repo / "shared" / "a.py").read_text()  # through the link
    assert run("--check", ".", cwd=repo).returncode == 0


def test_a_target_also_named_directly_is_migrated_once(repo):
    proc = run("--dry-run", "pkg/a.py", "shared/a.py", "pkg2/b.py", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("+++ b/shared/a.py") == 1 and proc.stdout.count("+++ ") == 1


def test_a_link_outside_the_paths_is_skipped_reported_and_counted(repo, tmp_path):
    outside = (tmp_path / "outside.py").read_bytes()
    proc = run(".", "--report", "report.json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "pkg" / "o.py").is_symlink() and (tmp_path / "outside.py").read_bytes() == outside
    assert f"pkg/o.py:1:1: warning [symlink-skipped] symlink to {tmp_path / 'outside.py'}, which is outside the paths given: not followed" in proc.stderr
    assert proc.stderr.rstrip().endswith("; 1 symlink skipped")
    summary = json.loads((repo / "report.json").read_text())["summary"]
    assert summary["symlinks_skipped"] == 1 and summary["files_scanned"] == 1


def test_a_link_named_explicitly_is_followed_wherever_it_leads(repo, tmp_path):
    proc = run("pkg/o.py", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "pkg" / "o.py").is_symlink() and MIGRATED in (tmp_path / "outside.py").read_text()


def test_a_link_to_an_excluded_file_is_skipped_and_says_why(repo):
    proc = run("--dry-run", "--exclude", "shared", ".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "pkg/a.py:1:1: warning [symlink-skipped] symlink to shared/a.py, which the run does not take (excluded)" in proc.stderr
    assert proc.stderr.rstrip().endswith("; 3 symlinks skipped")


def test_a_package_keeps_requests_while_a_skipped_link_leads_to_code_using_it(repo):
    (repo / "requirements.txt").write_text("requests>=2\n")
    proc = run(".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    # shared/a.py is migrated, but pkg/o.py (a module of this package) still imports requests
    assert (repo / "requirements.txt").read_text() == "requests>=2\nhttpx>=0.28\n"
