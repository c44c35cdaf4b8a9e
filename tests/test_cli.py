"""The migrate command as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_cases import FIXTURES

BIN = Path(sys.executable).parent
SIMPLE = "import requests\n\n\ndef f(url):\n    return requests.get(url).status_code\n"


def run(*args, cwd=None, script="migrate"):
    exe = BIN / script
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "migrator", *args]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "client.py").write_text(SIMPLE)
    (tmp_path / "pkg" / "plain.py").write_text("import os\n")
    return tmp_path


def test_console_script_dry_run_on_the_demo_project():
    before = {p: p.read_bytes() for p in (FIXTURES / "demo_project").rglob("*.py")}
    proc = run("--dry-run", str(FIXTURES / "demo_project"))
    assert proc.returncode == 0, proc.stderr
    assert "+++ b/" in proc.stdout and "+import httpx" in proc.stdout
    assert "-        self.session = requests.Session()" in proc.stdout
    assert '+    with httpx.stream("GET", url, timeout=60, follow_redirects=True) as response:' in proc.stdout
    assert "weather/api.py:19:9: warning [retries-narrower]" in proc.stderr
    assert "4 files scanned, 3 use requests, 3 would change (+1 dependency file)" in proc.stderr
    assert '-dependencies = ["requests>=2.31"]\n+dependencies = ["httpx>=0.28"]' in proc.stdout
    assert {p: p.read_bytes() for p in before} == before  # nothing written


def test_both_script_names_and_python_m_work():
    for script in ("migrate", "requests2httpx"):
        proc = run("--version", script=script)
        assert proc.returncode == 0 and proc.stdout.startswith("requests2httpx ")
    proc = subprocess.run([sys.executable, "-m", "migrator", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "Exit codes" in proc.stdout and "--dry-run" in proc.stdout


def test_dry_run_writes_nothing_bytes_and_mtime(project):
    path = project / "pkg" / "client.py"
    os.utime(path, (1_000_000_000, 1_000_000_000))
    proc = run("--dry-run", str(project))
    assert proc.returncode == 0
    assert "--- a/" in proc.stdout
    assert path.read_text() == SIMPLE
    assert path.stat().st_mtime == 1_000_000_000


def test_check_exits_1_then_0_after_migration_and_second_run_changes_nothing(project):
    assert run("--check", str(project)).returncode == 1
    proc = run(str(project))
    assert proc.returncode == 0, proc.stderr
    migrated = (project / "pkg" / "client.py").read_text()
    assert "httpx.get(url, follow_redirects=True, timeout=None)" in migrated
    assert "import requests" not in migrated
    assert run("--check", str(project)).returncode == 0
    run(str(project))
    assert (project / "pkg" / "client.py").read_text() == migrated


def test_a_file_starting_with_a_bom_is_migrated_and_keeps_its_bom(project):
    """The BOM stands before the first line's ``import``: the import was not seen, the file skipped."""
    path = project / "pkg" / "client.py"
    path.write_bytes(b"\xef\xbb\xbf" + SIMPLE.encode())
    proc = run(str(project))
    assert proc.returncode == 0, proc.stderr
    assert "1 use requests" in proc.stderr
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfimport httpx\n")
    assert b"httpx.get(url, follow_redirects=True, timeout=None)" in data and b"requests" not in data
    assert run("--check", str(project)).returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["/no/such/dir"], "no such file or folder: /no/such/dir"),
        (["--timeout", "soon", "."], "--timeout takes 'none' or a positive number"),
        (["--select", "nope", "."], "unknown codemod 'nope'"),
        (["--jobs", "0", "."], ""),
        (["--frobnicate"], ""),
    ],
)
def test_bad_usage_exits_2_without_traceback(project, args, message):
    proc = run(*args, cwd=project)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr


def test_bad_config_exits_2(project):
    (project / "pyproject.toml").write_text("[tool.requests2httpx]\ntimout = 3\n")
    proc = run(".", cwd=project)
    assert proc.returncode == 2 and "unknown key 'timout'" in proc.stderr
    (project / "pyproject.toml").write_text("[tool.requests2httpx\n")
    proc = run(".", cwd=project)
    assert proc.returncode == 2 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_config_sets_timeout_and_the_command_line_wins(project):
    (project / "pyproject.toml").write_text('[tool.requests2httpx]\ntimeout = 10\nformat = false\n')
    proc = run("--dry-run", ".", cwd=project)
    assert "+    return httpx.get(url, follow_redirects=True, timeout=10).status_code" in proc.stdout
    proc = run("--dry-run", "--timeout", "none", ".", cwd=project)
    assert "timeout=None" in proc.stdout


def test_report_json(project, tmp_path):
    (project / "pkg" / "bad.py").write_text("import requests\nr = requests.get('u', cert='c.pem')\n")
    report = tmp_path / "report.json"
    proc = run("--dry-run", "--report", str(report), str(project))
    assert proc.returncode == 0
    doc = json.loads(report.read_text())
    assert doc["version"] == 1
    assert {f["path"] for f in doc["files"]} == {
        str(project / "pkg" / "bad.py"), str(project / "pkg" / "client.py")}
    bad = [f for f in doc["findings"] if f["code"] == "request-arg-unsupported"]
    assert len(bad) == 1
    assert set(bad[0]) == {"path", "line", "column", "code", "severity", "message", "hint", "codemod", "unit"}
    assert (bad[0]["line"], bad[0]["severity"], bad[0]["codemod"]) == (2, "error", "module_functions")
    assert doc["summary"]["files_scanned"] == 3 and doc["summary"]["files_changed"] == 1


def test_select_and_ignore(project):
    (project / "pkg" / "exc.py").write_text(
        "import requests\n\ntry:\n    requests.get('u')\nexcept requests.Timeout:\n    pass\n")
    proc = run("--dry-run", "--select", "exceptions", str(project / "pkg" / "exc.py"))
    # requests.get stays (module_functions is not selected) and raises requests.Timeout: both caught
    assert "+except (requests.Timeout, httpx.TimeoutException):" in proc.stdout
    assert "requests.get('u')" in proc.stdout and "-    requests.get" not in proc.stdout
    assert "[requests-unmigrated] requests.get is still used here" in proc.stderr
    proc = run("--dry-run", "--ignore", "exceptions", str(project / "pkg" / "exc.py"))
    assert '+    httpx.get("u"' in proc.stdout and "except requests.Timeout" in proc.stdout


def test_list_codemods_in_order():
    proc = run("--list-codemods")
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == ["async_calls", "module_functions", "session_subclass", "session_to_client", "client_configuration", "shared_ssl_context", "auth", "annotations", "prepared_requests", "streaming", "exceptions", "status_codes", "response_text", "response_api", "mock_libraries", "catch_all"]


def test_discovery_skips_venvs_gitignored_and_excluded(project):
    for rel in (".venv/lib/x.py", "build/x.py", "ignored/x.py", "generated/x.py", "keep/x.py"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(SIMPLE)
    (project / ".gitignore").write_text("ignored/\n")
    proc = run("--dry-run", "--exclude", "generated", str(project))
    changed = {line[6:] for line in proc.stdout.splitlines() if line.startswith("+++ b/")}
    assert changed == {str(project / "keep/x.py").lstrip("/"), str(project / "pkg/client.py").lstrip("/")}


def test_jobs_do_not_change_the_output(project):
    for i in range(12):
        shutil.copy(project / "pkg" / "client.py", project / "pkg" / f"c{i:02}.py")
    one = run("--dry-run", "--jobs", "1", str(project))
    two = run("--dry-run", "--jobs", "2", str(project))
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert one.stdout.count("+++ b/") == 13


def test_no_format_leaves_long_lines(project):
    (project / "pkg" / "client.py").write_text(
        "import requests\nr = requests.post('http://example.invalid/a/long/path', json={'key': 'value'})\n")
    formatted = run("--dry-run", str(project)).stdout
    raw = run("--dry-run", "--no-format", str(project)).stdout
    assert "+r = httpx.post('http://example.invalid/a/long/path', json={'key': 'value'}, follow_redirects=True, timeout=None)" in raw
    assert "+r = httpx.post(\n" in formatted


def test_shards_cover_every_file_exactly_once(tmp_path):
    for i in range(30):
        (tmp_path / f"m{i:02}.py").write_text(SIMPLE)
    seen = []
    for k in (1, 2, 3):
        proc = run("--dry-run", "--shard", f"{k}/3", str(tmp_path))
        assert proc.returncode == 0
        seen += [line[6:] for line in proc.stdout.splitlines() if line.startswith("+++ b/")]
    assert len(seen) == 30 and len(set(seen)) == 30
    assert run("--shard", "4/3", str(tmp_path)).returncode == 2


def test_per_package_summary_in_a_monorepo(tmp_path):
    for name in ("alpha", "beta"):
        (tmp_path / name / "src").mkdir(parents=True)
        (tmp_path / name / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
        (tmp_path / name / "src" / "client.py").write_text(SIMPLE)
    (tmp_path / "beta" / "src" / "bad.py").write_text("import requests\nrequests.get('u', cert='c')\n")
    report = tmp_path / "r.json"
    proc = run("--dry-run", "--report", str(report), ".", cwd=tmp_path)
    assert "  alpha: 1 of 1 files to change, 0 errors, 1 warnings" in proc.stderr  # httpx-not-declared
    assert "  beta: 1 of 2 files to change, 1 errors" in proc.stderr
    rows = {row["package"]: row for row in json.loads(report.read_text())["packages"]}
    assert rows["beta"]["findings"]["error"] == 1 and rows["alpha"]["files_changed"] == 1


def test_dependency_files_are_part_of_check_and_write(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = [\n    "requests>=2",  # http\n]\n')
    (tmp_path / "requirements-dev.txt").write_text("pytest\ntypes-requests\n")
    (tmp_path / "app.py").write_text(SIMPLE)
    assert run("--check", ".", cwd=tmp_path).returncode == 1
    assert run(".", cwd=tmp_path).returncode == 0
    assert '    "httpx>=0.28",  # http\n' in (tmp_path / "pyproject.toml").read_text()
    assert (tmp_path / "requirements-dev.txt").read_text() == "pytest\n"
    second = run("--check", ".", cwd=tmp_path)
    assert second.returncode == 0 and "httpx-not-declared" not in second.stderr  # nothing left to do


def test_monorepo_with_three_packages_and_every_kind_of_dependency_file(tmp_path):
    layout = {
        "svc-a/requirements.txt": "requests==2.32.3  # pinned\nclick\n",
        "svc-a/requirements-dev.txt": "pytest\ntypes-requests\nresponses\n",
        "svc-b/pyproject.toml": '[tool.poetry]\nname = "b"\n\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.31"\n',
        "svc-c/setup.cfg": "[options]\ninstall_requires =\n    requests>=2\n",
        "svc-c/setup.py": "from setuptools import setup\nsetup(install_requires=['requests>=2'])\n",
    }
    for rel, text in layout.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    for package in ("svc-a", "svc-b", "svc-c"):
        (tmp_path / package / "client.py").write_text(SIMPLE)
    (tmp_path / "svc-c" / "legacy.py").write_text("import requests\nrequests.get('u', cert='c')\n")  # keeps requests
    assert run("--check", ".", cwd=tmp_path).returncode == 1
    proc = run(".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    read = lambda rel: (tmp_path / rel).read_text()
    assert read("svc-a/requirements.txt") == "httpx>=0.28  # pinned\nclick\n"
    assert read("svc-a/requirements-dev.txt") == "pytest\nresponses\n"
    assert "svc-a/requirements-dev.txt:3:1: info [test-mock-dependency]" in proc.stderr
    assert 'httpx = "^0.28"\n' in read("svc-b/pyproject.toml") and "requests" not in read("svc-b/pyproject.toml")
    # svc-c still imports requests in legacy.py: requests stays, httpx is added next to it
    assert read("svc-c/setup.cfg") == "[options]\ninstall_requires =\n    requests>=2\n    httpx>=0.28\n"
    assert "install_requires=['requests>=2', 'httpx>=0.28']" in read("svc-c/setup.py")
    for package in ("svc-a", "svc-b", "svc-c"):
        assert f"  {package}: 1 of" in proc.stderr
    check = run("--check", ".", cwd=tmp_path)  # nothing would change, but an error is left
    assert check.returncode == 1 and "svc-c/legacy.py:2:1: error [request-arg-unsupported]" in check.stderr
    (tmp_path / "svc-c" / "legacy.py").write_text("import requests\nrequests.get('u', cert='c')  # requests2httpx: ignore\n")
    assert run("--check", ".", cwd=tmp_path).returncode == 0


def test_the_report_counts_sessions_migrated_and_kept(tmp_path):
    (tmp_path / "a.py").write_text(
        "import requests\n\n\ndef _fetch(url):\n    with requests.Session() as s:\n        return s.get(url).json()\n\n\n"
        "def handed_out():\n    return requests.Session()\n"
    )
    proc = run("--dry-run", "--no-cache", "--report", "report.json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["summary"]["sessions"] == {"migrated": 1, "kept": 1}
    assert [f["line"] for f in doc["findings"] if f["code"] == "session-kept"] == [10]
