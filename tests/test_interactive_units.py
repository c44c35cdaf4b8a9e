"""``migrate -i`` asks per unit, through a real pseudo-terminal: every combination of yes and no over
the units of a file with two sessions and of the demo project. Each written file compiles, runs
against a loopback server with the library its answers say (the server sees each request's
User-Agent), and keeps the import lines nothing changed byte for byte."""

from __future__ import annotations

import ast
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source
from tests.fixture_cases import FIXTURES
from tests.loopback import LoopbackServers
from tests.test_demo_project import SCENARIO
from tests.scenario import assert_equivalent

pexpect = pytest.importorskip("pexpect")

TWO = FIXTURES / "interactive" / "two_sessions.py"
PROMPT = r"(Migrate (?P<label>.*?) in (?P<path>\S+)|Apply this change to (?P<change>\S+)) \((?P<count>\d+) hunks?\) \[y,n,a,d,q,s,\?\]\? "


def answer_all(target: Path, decide, cwd: Path | None = None) -> list[tuple[str, str]]:
    """Run ``migrate -i`` on ``target``, answering each question with ``decide(label or None)``;
    the questions asked, with their answers."""
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "-i", "--no-cache", str(target)], cwd=str(cwd or target.parent),
                          encoding="utf-8", timeout=120, env={**os.environ, "NO_COLOR": "1"})
    asked = []
    while True:
        index = child.expect([PROMPT, r"\d+ files? written", pexpect.EOF])
        if index != 0:
            break
        label = child.match.group("label")
        answer = decide(label)
        asked.append((label or "change", answer))
        child.sendline(answer)
    child.expect(pexpect.EOF)
    return asked


def import_lines(text: str) -> list[str]:
    lines = text.splitlines()
    tree = ast.parse(text)
    return [lines[n.lineno - 1] for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]


def assert_imports_kept(old: str, full: str, written: str) -> None:
    """The original's import lines that the full migration leaves alone are there, in order, byte
    for byte; every other import line is one of the full migration's."""
    untouched = [line for line in import_lines(old) if line in import_lines(full)]
    got = import_lines(written)
    assert [line for line in got if line in untouched] == untouched, (untouched, got)
    assert set(got) <= set(import_lines(old)) | set(import_lines(full)), got


class _Agents(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802
        _Agents.seen.append((self.path, self.headers.get("User-Agent", "")))
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def agents():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Agents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _library_per_path(program: Path, base: str) -> tuple[str, dict[str, str]]:
    _Agents.seen.clear()
    proc = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SERVICE_URL": base})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, {path.split("/")[1]: agent.split("/")[0] for path, agent in _Agents.seen}


@pytest.mark.parametrize("catalog, billing", list(itertools.product("yn", repeat=2)))
def test_two_sessions_in_one_file_each_as_answered(tmp_path, agents, catalog, billing):
    target = tmp_path / "two_sessions.py"
    shutil.copy(TWO, target)
    old = target.read_text()
    asked = answer_all(target, lambda label: catalog if "self.session" in label else billing)
    assert [a for _, a in asked] == [catalog, billing] and all("requests.Session" in q for q, _ in asked), asked
    written = target.read_text()
    if (catalog, billing) == ("n", "n"):
        assert written == old  # nothing approved: nothing written
    compile(written, str(target), "exec")
    full = migrate_source(old, str(target), Options()).code
    assert_imports_kept(old, full, written)
    output, used = _library_per_path(target, agents)
    assert output == "/catalog/book\n/billing/7\n"
    expected = {"catalog": "python-httpx" if catalog == "y" else "python-requests",
                "billing": "python-httpx" if billing == "y" else "python-requests"}
    assert used == expected, (used, written)
    # the second run: nothing declined is lost; what stays on requests is named, and would migrate
    again = subprocess.run([sys.executable, "-m", "migrator", "--no-cache", "--dry-run", str(target)],
                           capture_output=True, text=True, timeout=120)
    assert ("+++ " in again.stdout) == ("n" in (catalog, billing)), again.stdout


@pytest.fixture(scope="module")
def servers():
    s = LoopbackServers()
    yield s
    s.close()


@pytest.mark.parametrize("api, download", list(itertools.product("yn", repeat=2)))
def test_the_demo_projects_units_each_as_answered(tmp_path, servers, api, download):
    before, after = tmp_path / "before", tmp_path / "after"
    for folder in (before, after):
        shutil.copytree(FIXTURES / "demo_project", folder)
        (folder / "scenario.py").write_text(SCENARIO)
    olds = {p.name: p.read_text() for p in (after / "weather").glob("*.py")}

    def decide(label):
        if label is None:
            return "y"  # independent changes: approved
        return api if "self.session" in label else download

    asked = answer_all(after / "weather", decide, cwd=after)
    units = [q for q, _ in asked if q != "change"]
    assert len(units) == 2, asked
    for name, old in olds.items():
        written = (after / "weather" / name).read_text()
        compile(written, name, "exec")
        full = migrate_source(old, f"weather/{name}", Options()).code
        assert_imports_kept(old, full, written)
    api_text, download_text = (after / "weather" / "api.py").read_text(), (after / "weather" / "download.py").read_text()
    assert ("httpx.Client(" in api_text) == (api == "y") and ("requests.Session()" in api_text) == (api == "n")
    assert ("requests.Session()" in download_text) == (download == "n")
    # the dependency file follows the answers: requests stays declared while a declined unit uses it
    declared = (after / "pyproject.toml").read_text()
    assert '"httpx>=' in declared and ('"requests' in declared) == ("n" in (api, download)), declared
    assert_equivalent(before / "scenario.py", after / "scenario.py", servers)


def test_a_unit_does_not_split_and_help_names_s(tmp_path):
    target = tmp_path / "two_sessions.py"
    shutil.copy(TWO, target)
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "-i", "--no-cache", str(target)], cwd=str(tmp_path),
                          encoding="utf-8", timeout=120, env={**os.environ, "NO_COLOR": "1"})
    child.expect(PROMPT)
    child.sendline("s")
    child.expect("A unit migrates whole")
    child.expect(PROMPT)
    child.sendline("?")
    child.expect("s - split a group of independent changes")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect("0 files written")
    child.expect(pexpect.EOF)
    assert target.read_text() == TWO.read_text()


def test_a_group_of_independent_changes_splits_into_its_hunks(tmp_path):
    source = ("import requests\n\n\ndef fetch(u):\n    first = requests.get(u, timeout=3)\n"
              + "".join(f"    # {i}\n" for i in range(8))
              + "    second = requests.post(u, json={}, timeout=3)\n    return first, second\n")
    target = tmp_path / "m.py"
    target.write_text(source)
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "-i", "--no-cache", str(target)], cwd=str(tmp_path),
                          encoding="utf-8", timeout=120, env={**os.environ, "NO_COLOR": "1"})
    child.expect(PROMPT)
    assert child.match.group("count") == "2"
    child.sendline("s")
    child.expect(PROMPT)
    assert child.match.group("count") == "1" and "requests.get" in child.before
    child.sendline("y")
    child.expect(PROMPT)
    assert "requests.post" in child.before
    child.sendline("n")
    child.expect("1 file written")
    child.expect(pexpect.EOF)
    written = target.read_text()
    assert "httpx.get(u, timeout=3" in written and "requests.post(u, json={}, timeout=3)" in written
    assert re.search(r"^import httpx\nimport requests\n", written, re.M), written
    compile(written, "m.py", "exec")


def test_the_report_names_the_unit_of_each_finding_as_migrate_i_asks(tmp_path):
    import json

    target = tmp_path / "two_sessions.py"
    shutil.copy(TWO, target)
    (tmp_path / "app.py").write_text("import requests\n\nS = requests.Session()\nS.mount('http://', object())\n")
    proc = subprocess.run([sys.executable, "-m", "migrator", "--no-cache", "--dry-run", "--report", str(tmp_path / "r.json"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    doc = json.loads((tmp_path / "r.json").read_text())
    units = {f["path"].rsplit("/", 1)[-1]: f["units"] for f in doc["files"]}
    assert [(u["id"], u["kept"]) for u in units["two_sessions.py"]] == [("13:23", False), ("25:20", False)]
    assert "self.http" in units["two_sessions.py"][1]["label"]
    [kept] = [f for f in doc["findings"] if f["code"] == "session-kept"]
    assert kept["unit"] == "3:4" and [(u["id"], u["kept"]) for u in units["app.py"]] == [("3:4", True)]
    assert all("unit" in f for f in doc["findings"])


def test_verbose_text_output_names_each_findings_unit(tmp_path):
    (tmp_path / "app.py").write_text("import requests\n\nS = requests.Session()\nS.mount('http://', object())\n")
    proc = subprocess.run([sys.executable, "-m", "migrator", "--no-cache", "--dry-run", "-v", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert "[session-kept]" in proc.stderr and "    unit: 3:4 (the requests.Session S made at line 3)" in proc.stderr, proc.stderr


API = '''import requests


class Api:
    def __init__(self):
        self.session = requests.Session()

    def get(self, path):
        r = self.session.get("http://127.0.0.1:9/" + path, timeout=5)
        r.raise_for_status()
        return r.json()
'''
UTILS = '''import requests

from pkg.api import Api


def status():
    return requests.get("http://127.0.0.1:9/status", timeout=5).status_code


def safe_get(api: Api, path):
    try:
        return api.get(path)
    except requests.RequestException:
        return None
'''


def test_a_declined_session_keeps_the_except_clauses_that_catch_its_errors_wide(tmp_path):
    """Found by review: utils.py, approved, caught httpx's errors alone around calls into api.py,
    whose declined session stays on requests: safe_get raised where it returned None."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg"\ndependencies = ["requests"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "api.py").write_text(API)
    (tmp_path / "pkg" / "utils.py").write_text(UTILS)
    asked = answer_all(tmp_path, lambda label: "n" if label else "y", cwd=tmp_path)
    assert ("the requests.Session self.session made at line 6", "n") in asked, asked
    utils = (tmp_path / "pkg" / "utils.py").read_text()
    assert "httpx.get(" in utils and "except (requests.RequestException, httpx.HTTPError):" in utils, utils
    proc = subprocess.run([sys.executable, "-c", "from pkg import api, utils; print(utils.safe_get(api.Api(), 'x'))"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "None", proc.stderr


def test_a_file_opening_with_a_future_import_takes_requests_back_below_it(tmp_path):
    source = ("from __future__ import annotations\n\nimport requests\n\n\ndef a(u):\n    return requests.get(u, timeout=3).status_code\n"
              + "".join(f"\n# {i}" for i in range(6)) + "\n\n\ndef b(u):\n    return requests.post(u, timeout=3).status_code\n")
    target = tmp_path / "m.py"
    target.write_text(source)
    answers = iter("yn")
    answer_all(target, lambda label: next(answers))
    written = target.read_text()
    assert written.startswith("from __future__ import annotations\n"), written
    assert "import httpx\nimport requests\n" in written and "requests.post(u" in written and "httpx.get(u" in written
    compile(written, "m.py", "exec")


def test_a_package_held_on_httpx_stays_there_when_a_unit_is_declined(tmp_path):
    """Found by review: with --target httpx2, the re-run for a declined unit wrote httpx2 into a
    package held on httpx (its tests use respx and pytest-httpx)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg"\ndependencies = ["requests"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    shutil.copy(TWO, tmp_path / "pkg" / "two.py")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("import respx\n\n\ndef test_a():\n    assert respx\n")
    (tmp_path / "tests" / "test_b.py").write_text("def test_b(httpx_mock):\n    assert httpx_mock\n")
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "-i", "--no-cache", "--target", "httpx2", "pkg", "tests"],
                          cwd=str(tmp_path), encoding="utf-8", timeout=120, env={**os.environ, "NO_COLOR": "1"})
    answers = iter("yn")
    while child.expect([PROMPT, pexpect.EOF]) == 0:
        child.sendline(next(answers, "y") if child.match.group("label") else "y")
    written = (tmp_path / "pkg" / "two.py").read_text()
    assert "import httpx\n" in written and "httpx2" not in written and "requests.Session()" in written, written


def test_a_change_shown_in_a_declined_units_hunk_is_declined_with_it(tmp_path):
    """Found by review: b()'s call shared a hunk with the session in a(); the person declined that
    hunk, and b() was written migrated anyway."""
    source = ('import requests\n\n\ndef a():\n    s = requests.Session()\n    return s.get("http://x", timeout=5).text\n\n\n'
              'def b():\n    return requests.get("http://y", timeout=5).status_code\n'
              + "".join(f"\n# {i}" for i in range(8)) + '\n\n\ndef c():\n    return requests.get("http://z", timeout=5).status_code\n')
    target = tmp_path / "m.py"
    target.write_text(source)
    asked = answer_all(target, lambda label: "n" if label else "y")
    assert [a for _, a in asked] == ["n", "y"], asked
    written = target.read_text()
    assert 'requests.get("http://y", timeout=5)' in written and "s = requests.Session()" in written, written
    assert 'httpx.get("http://z"' in written
    compile(written, "m.py", "exec")
