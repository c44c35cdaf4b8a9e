"""The cache of earlier results: a hit gives the same result without migrating again; anything
a result depends on changing is a miss; a broken or unwritable cache is no cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.engine.options import Options
from migrator.project import runner
from migrator.project.cache import ENV, Cache, fingerprint

SOURCE = "import requests\n\n\ndef f(url):\n    r = requests.get(url)\n    return r.ok\n"


def _summary(results):
    return [(r.path, r.new, r.changed, [f.as_dict() for f in r.findings], r.features, r.skipped) for r in results]


def _no_migration(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("migrated again: the cache was not used")

    monkeypatch.setattr(runner, "migrate_bytes", fail)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "a.py").write_text(SOURCE)
    (tmp_path / "b.py").write_text("x = 1\n")
    return tmp_path


def test_a_second_run_is_served_from_the_cache(project, tmp_path, monkeypatch):
    paths = [str(project / "a.py"), str(project / "b.py")]
    cache = Cache(tmp_path / "c", Options())
    first = runner.run(paths, Options(), 1, cache=cache)
    assert first[0].changed and first[0].findings
    _no_migration(monkeypatch)
    second = runner.run(paths, Options(), 1, cache=Cache(tmp_path / "c", Options()))
    assert _summary(second) == _summary(first)
    assert second[0].original == SOURCE.encode()  # what a write or -i needs


@pytest.mark.parametrize("change", ["bytes", "options", "path"])
def test_what_a_result_depends_on_is_in_the_key(project, tmp_path, change):
    cache = Cache(tmp_path / "c", Options())
    data = (project / "a.py").read_bytes()
    cache.put("a.py", data, runner.run([str(project / "a.py")], Options(), 1)[0])
    assert cache.get("a.py", data) is not None
    if change == "bytes":
        assert cache.get("a.py", data + b"\n") is None
    elif change == "options":
        assert Cache(tmp_path / "c", Options(timeout=5)).get("a.py", data) is None
    else:
        assert cache.get("tests/a.py", data) is None  # test mocks migrate by path


def test_the_tool_code_is_in_the_key():
    import migrator

    assert len(fingerprint()) == 64
    assert Path(migrator.__file__).parent.joinpath("project", "cache.py").read_bytes()  # hashed with the rest


def test_the_key_covers_the_modules_of_subpackages(monkeypatch):
    import migrator

    nested = Path(migrator.__file__).parent / "engine" / "pipeline.py"
    before = fingerprint.__wrapped__()
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_bytes(self) + (b"#" if self == nested else b""))
    assert fingerprint.__wrapped__() != before  # an edit to migrator/engine/pipeline.py is a new build


def test_a_broken_entry_is_a_miss_and_is_replaced(project, tmp_path, monkeypatch):
    paths = [str(project / "a.py")]
    root = tmp_path / "c"
    runner.run(paths, Options(), 1, cache=Cache(root, Options()))
    entries = [p for p in root.rglob("*") if p.is_file() and p.name != "last-used"]
    assert len(entries) == 1
    entries[0].write_bytes(b"not a pickle")
    again = runner.run(paths, Options(), 1, cache=Cache(root, Options()))
    assert again[0].changed
    _no_migration(monkeypatch)
    assert runner.run(paths, Options(), 1, cache=Cache(root, Options()))[0].changed


def test_an_unwritable_cache_is_no_cache(project, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    results = runner.run([str(project / "a.py")], Options(), 1, cache=Cache(blocker / "c", Options()))
    assert results[0].changed


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, env=env)


def test_cli_uses_the_cache_and_no_cache_leaves_it_alone(project, tmp_path):
    env = {**os.environ, ENV: str(tmp_path / "cli-cache")}
    first = _cli("--dry-run", str(project), env=env)
    assert (tmp_path / "cli-cache").is_dir()
    second = _cli("--dry-run", str(project), env=env)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "httpx" in first.stdout
    assert first.stderr == second.stderr
    env[ENV] = str(tmp_path / "unused")
    third = _cli("--dry-run", "--no-cache", str(project), env=env)
    assert third.stdout == first.stdout
    assert not (tmp_path / "unused").exists()


def test_folders_of_builds_unused_for_a_month_are_removed(tmp_path):
    import time

    from migrator.project.cache import STALE_DAYS

    root = tmp_path / "c"
    old, recent = root / "old-build", root / "recent-build"
    for folder in (old, recent):
        (folder / "ab").mkdir(parents=True)
        (folder / "last-used").touch()
    long_ago = time.time() - (STALE_DAYS + 1) * 86400
    os.utime(old / "last-used", (long_ago, long_ago))
    cache = Cache(root, Options())
    assert not old.exists() and recent.exists() and cache.folder.exists()
