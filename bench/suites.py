"""Run real libraries' own test suites before and after ``migrate .``; every test that stops passing
is a bug in the tool until shown otherwise.

    .venv/bin/python bench/suites.py [--only NAME ...] [--tool CHECKOUT] [--mirrors DIR] [--scratch DIR] [--jobs N]

The libraries are listed in bench/suites.toml (name, repo, commit, pip install lines, test command,
paths to migrate, tests deselected because they need the network before migration too). Each needs
a snapshot of its repository from the search tool's ``fetch`` (``github:OWNER/NAME``), found as
``MIRRORS/OWNER+NAME/repo`` (default MIRRORS: /work/.mirror). For each library, under SCRATCH/NAME
(default /work/suites-scratch):

- ``orig/``: the pinned commit, exported afresh on every run (``git archive``);
- ``venv/``: its own virtualenv, made once and reused while the install lines are the same: the
  library installed editable from ``tree/`` and its test deps, plus httpx, respx, pytest-httpx and
  pytest-timeout (a test that hangs after migration fails alone instead of stopping the suite);
- ``tree/``: a fresh copy of orig/; the suite runs there (before.xml, before.log), then tree/ is
  copied from orig/ again, ``migrate PATHS --report report.json`` runs in it (the tool's own interpreter, with the
  checkout given by --tool first on PYTHONPATH: default this repository), and the suite runs again
  (after.xml, after.log); migrate.diff is the change; result.json the summary below.

Printed: tests passed before/after, each test that stopped passing with its failure's last line and
the tool's findings on the lines of its traceback (mapped back to the original lines, where findings
are placed), a verdict (explained: an error finding stands there; flagged: only warnings or info;
unexplained: none), and the report's finding counts per code.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import suites_results as results  # noqa: E402

from codemods.mock_libraries import is_test_file  # noqa: E402  (what the tool counts as a test file)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the repo's venv has tomli
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path(__file__).with_name("suites.toml")
ALWAYS = ["pytest", "pytest-timeout", "httpx>=0.28,<0.29", "respx", "pytest-httpx", "httpx2>=2.16", "pytest-httpx2"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")


class SuiteError(Exception):
    """A library that could not be set up or run: said in one line, the others go on."""


@dataclass
class Suite:
    name: str
    repo: str
    commit: str
    style: str
    install: list[str]  # pip install lines; {tree} is the library's tree
    test: list[str]  # arguments after the venv's python, run in the tree
    migrate: list[str] = field(default_factory=lambda: ["."])
    deselect: list[str] = field(default_factory=list)
    timeout: int = 600  # seconds for one run of the suite
    test_timeout: int = 60  # seconds for one test (pytest-timeout)
    python: str = ""  # interpreter for its venv; default the one running this script
    packaged: bool = True  # False: an application whose tests import it from its tree (nothing to install)
    args: list[str] = field(default_factory=list)  # more migrate arguments (--from httpx --target httpx2)
    # pip install lines of a second venv the suite runs in after migration, instead of ``install``
    # (what the migrated tree needs and the original cannot have: httpx2-pytest wants pytest 9,
    # pytest-httpx pytest 8); a line "uninstall NAME" removes a package
    after_install: list[str] = field(default_factory=list)


def load_table(path: Path = TABLE) -> list[Suite]:
    with open(path, "rb") as f:
        return [Suite(**entry) for entry in tomllib.load(f)["suite"]]


def run(cmd: list[str], log: Path, *, cwd: Path | None = None, env: dict | None = None, timeout: float | None = None) -> int | None:
    """Run cmd with its output appended to log; the return code, or None after a time-out (its
    whole process group is ended)."""
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            out.write(f"\n*** timed out after {timeout} s\n")
            return None


def mirror_of(suite: Suite, mirrors: Path) -> Path:
    git_dir = mirrors / suite.repo.replace("/", "+") / "repo"
    if not (git_dir / "HEAD").exists():
        raise SuiteError(f"no mirror of {suite.repo} at {git_dir}: run the search tool's fetch with github:{suite.repo} (or pass --mirrors)")
    probe = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{suite.commit}^{{commit}}"], capture_output=True)
    if probe.returncode:
        raise SuiteError(f"{git_dir} lacks commit {suite.commit}: fetch github:{suite.repo} again, or pin the table to its HEAD")
    return git_dir


def export(git_dir: Path, commit: str, dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", commit], capture_output=True)
    if archive.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        return
    # a snapshot may lack its largest files (listed but absent): the others, one by one
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit], capture_output=True, check=True).stdout
    for entry in filter(None, listing.split(b"\0")):
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind != b"blob":
            continue
        blob = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", sha.decode()], capture_output=True)
        if blob.returncode == 0:
            target = dest / path.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
            if mode == b"100755":
                target.chmod(0o755)


def fresh_tree(orig: Path, tree: Path) -> None:
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(orig, tree, symlinks=True, ignore=IGNORED)


def ensure_venv(suite: Suite, work: Path, tree: Path, log: Path, after: bool = False) -> Path:
    """The library's venv (``after``: the one its migrated tree runs in, when it needs one of its
    own), made again only when its install lines or interpreter change."""
    venv = work / ("venv-after" if after else "venv")
    python = suite.python or getattr(sys, "_base_executable", sys.executable)  # the same whichever venv runs this
    # the migrated tree's venv: the tool's test packages, then the suite's own lines for it alone
    install = [" ".join(ALWAYS)] + suite.after_install if after else suite.install + [" ".join(ALWAYS)]
    stamp_text = json.dumps([python, install])
    stamp = venv / ".suites-stamp"
    if stamp.exists() and stamp.read_text() == stamp_text:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    if run([python, "-m", "venv", str(venv)], log):
        raise SuiteError(f"could not make a venv with {python}; see {log}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    env = {**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": "0.0.0"}  # an exported tree has no .git to read a version from
    for line in install:
        command = pip + line.replace("{tree}", str(tree)).split()
        if line.startswith("uninstall "):  # a package the migrated tree must not have beside its counterpart
            command = [str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", *line.split()[1:]]
        if run(command, log, cwd=tree, env=env):
            raise SuiteError(f"pip install {line!r} failed; see {log}")
    stamp.write_text(stamp_text)
    return venv


def run_suite(suite: Suite, venv: Path, tree: Path, junit: Path, log: Path) -> dict[str, results.Outcome]:
    junit.unlink(missing_ok=True)
    cmd = [str(venv / "bin" / "python"), *suite.test, f"--junitxml={junit}", "--continue-on-collection-errors", "-p", "no:cacheprovider", f"--timeout={suite.test_timeout}"]
    for test_id in suite.deselect:
        cmd += ["--deselect", test_id]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    code = run(cmd, log, cwd=tree, env=env, timeout=suite.timeout)
    if code is None:
        raise SuiteError(f"the suite ran past {suite.timeout} s; see {log}")
    if not junit.exists():
        raise SuiteError(f"the suite wrote no JUnit XML (exit {code}); see {log}")
    return results.parse_junit(junit.read_text())


def migrate(suite: Suite, tool: Path, tree: Path, report: Path, log: Path, dry_run: bool = False) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tool), "PYTHONDONTWRITEBYTECODE": "1"}  # leave the checkout as it is
    python = tool / ".venv" / "bin" / "python"  # the checkout's own venv, else the one running this script
    cmd = [str(python) if python.exists() else sys.executable, "-m", "migrator", *suite.migrate, *suite.args, "--no-cache", "--report", str(report)]
    cmd += ["--dry-run", "-q"] if dry_run else []
    code = run(cmd, log, cwd=tree, env=env, timeout=1800)
    if code not in (0, 1) or not report.exists():
        raise SuiteError(f"migrate failed (exit {code}); see {log}")
    return json.loads(report.read_text())


def second_run(first: dict, again: dict) -> dict:
    """A second run over the migrated tree: does it report again every error and warning the first
    left (counted per file and code: lines move), and change nothing more?"""
    def counted(report: dict, severity: str) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for f in report.get("findings", []):
            if f.get("severity") == severity:
                key = (f.get("path", ""), f.get("code", ""))
                out[key] = out.get(key, 0) + 1
        return out

    result: dict = {"missing": {}, "files_changed_again": again.get("summary", {}).get("files_changed", 0)}
    for severity in ("error", "warning"):
        before, after = counted(first, severity), counted(again, severity)
        result[f"{severity}s_first"], result[f"{severity}s_again"] = sum(before.values()), sum(after.values())
        result["missing"].update({f"{path} {code}": n - after.get((path, code), 0)
                                  for (path, code), n in before.items() if after.get((path, code), 0) < n})
    return result


def write_diff(orig: Path, tree: Path, dest: Path) -> None:
    diff = subprocess.run(["git", "diff", "--no-index", "--no-color", "orig", "tree"], cwd=orig.parent, capture_output=True, text=True)
    dest.write_text(diff.stdout)


_OLD_MOCKS = re.compile(r"^[ \t]*(?:import|from)[ \t]+(?:responses|requests_mock)\b", re.M)
_NEW_MOCKS = re.compile(r"^[ \t]*(?:import|from)[ \t]+(?:respx|pytest_httpx2?)\b|\bhttpx2?_mock\b", re.M)


def mock_files(root: Path) -> dict[str, int]:
    """Test files importing responses/requests-mock ("old"), and respx/pytest-httpx/httpx2-pytest ("new")."""
    counts = {"old": 0, "new": 0}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/." in f"/{relative}" or not is_test_file(relative):
            continue
        text = path.read_text(errors="replace")
        counts["old"] += bool(_OLD_MOCKS.search(text) or re.search(r"\brequests_mock\b", text))
        counts["new"] += bool(_NEW_MOCKS.search(text))
    return counts


def compare(name: str, before: dict, after: dict, report: dict, orig: Path, tree: Path) -> dict:
    """What stopped passing, and why as far as the report tells."""
    findings = report.get("findings", [])

    def read_pair(path: str):
        old, new = orig / path, tree / path
        if not (old.is_file() and new.is_file()):
            return None
        return old.read_text(errors="replace").splitlines(), new.read_text(errors="replace").splitlines()

    lost = []
    for test_id in sorted(results.passed(before) - results.passed(after)):
        outcome = after.get(test_id)
        status = outcome.status if outcome else "missing"
        if outcome is None:  # its module no longer imports: the collection error says why
            found = results.collection_error_for(test_id, after)
            outcome = found[1] if found else results.Outcome("missing", "not run after migration")
        why = results.explain(outcome.text, str(tree), findings, read_pair, test_id)
        lost.append(
            {
                "test": test_id,
                "status": status,
                "error": outcome.message,
                "verdict": why.verdict,
                "traceback": [f"{p}:{line}" for p, line in why.locations],
                "findings": [results.finding_line(f) for f in why.findings],
                "codes": sorted({f["code"] for f in why.findings}),
                "elsewhere": [results.finding_short(f) for f in why.elsewhere],
            }
        )
    codes: dict[str, int] = {}
    for finding in findings:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    return {
        "name": name,
        "mock_files": {"before": mock_files(orig), "after": mock_files(tree)},
        "before": len(results.passed(before)),
        "after": len(results.passed(after)),
        "newly_passing": len(results.passed(after) - results.passed(before)),
        "lost": lost,
        "summary": report.get("summary", {}),
        "codes": dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def run_library(suite: Suite, args: argparse.Namespace) -> dict:
    work = args.scratch / suite.name
    work.mkdir(parents=True, exist_ok=True)
    log = work / "setup.log"
    log.write_text("")
    git_dir = mirror_of(suite, args.mirrors)
    orig, tree = work / "orig", work / "tree"
    export(git_dir, suite.commit, orig)
    fresh_tree(orig, tree)
    venv = ensure_venv(suite, work, tree, log)
    for name in ("before.log", "after.log", "migrate.log"):
        (work / name).write_text("")
    started = time.monotonic()
    before = run_suite(suite, venv, tree, work / "before.xml", work / "before.log")
    before_s = time.monotonic() - started
    fresh_tree(orig, tree)
    report = migrate(suite, args.tool, tree, work / "report.json", work / "migrate.log")
    write_diff(orig, tree, work / "migrate.diff")
    started = time.monotonic()
    venv_after = ensure_venv(suite, work, tree, log, after=True) if suite.after_install else venv
    after = run_suite(suite, venv_after, tree, work / "after.xml", work / "after.log")
    after_s = time.monotonic() - started
    again = migrate(suite, args.tool, tree, work / "report-again.json", work / "migrate-again.log", dry_run=True)
    result = compare(suite.name, before, after, report, orig, tree)
    result["second_run"] = second_run(report, again)
    result.update(commit=suite.commit, repo=suite.repo, style=suite.style, seconds=[round(before_s), round(after_s)], args=suite.args)
    (work / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def render(result: dict, work: Path) -> str:
    lost = result["lost"]
    verdicts = {v: sum(1 for t in lost if t["verdict"] == v) for v in ("explained", "flagged", "unexplained")}
    lines = [
        f"== {result['name']} ({result['repo']} @ {result['commit'][:12]}; {result['style']})",
        f"   tests passed: before {result['before']}, after {result['after']}; stopped passing {len(lost)} "
        f"(explained {verdicts['explained']}, flagged {verdicts['flagged']}, unexplained {verdicts['unexplained']}); "
        f"newly passing {result['newly_passing']}; suite {result['seconds'][0]} s / {result['seconds'][1]} s",
    ]
    mocks = result.get("mock_files")
    if mocks:
        lines.append(f"   test files on responses/requests-mock: before {mocks['before']['old']}, after {mocks['after']['old']} "
                     f"(on respx/pytest-httpx after: {mocks['after']['new']})")
    summary = result["summary"]
    if summary:
        sessions = summary.get("sessions", {})
        lines.append(
            f"   migrate: {summary.get('files_changed', '?')} of {summary.get('files_using_requests', '?')} files using "
            f"{'httpx' if '--from httpx' in ' '.join(result.get('args', [])) else 'requests'} changed; "
            f"sessions migrated {sessions.get('migrated', '?')}, kept {sessions.get('kept', '?')}; findings {summary.get('findings', {})}"
        )
    again = result.get("second_run")
    if again:
        missing = again["missing"]
        lines.append(
            f"   second run over the migrated tree: {again['errors_first']} errors and {again.get('warnings_first', '?')} warnings "
            f"before, {again['errors_again']} and {again.get('warnings_again', '?')} again; "
            f"files it would change: {again['files_changed_again']}; findings not reported again: "
            + (", ".join(f"{k} x{n}" for k, n in sorted(missing.items())[:6]) + (" ..." if len(missing) > 6 else "") if missing else "none")
        )
    if result["codes"]:
        lines.append("   findings per code: " + ", ".join(f"{code} {n}" for code, n in result["codes"].items()))
        sessions = {code: n for code, n in result["codes"].items() if code.startswith("session-")}
        if sessions:  # e.g. sessions the tool kept on requests, if the report says so
            lines.append("   session findings: " + ", ".join(f"{code} {n}" for code, n in sessions.items()))
    groups: dict[tuple, list[dict]] = {}  # tests failing alike are listed once
    for test in lost:
        key = (test["verdict"], test["status"], results.signature(test["error"]), tuple(test["codes"]))
        groups.setdefault(key, []).append(test)
    for (verdict, status, _, _), tests in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        first, findings = tests[0], tests[0]["findings"]
        others = f" (+{len(tests) - 1} more: {', '.join(t['test'].split('::')[-1] for t in tests[1:4])}{', ...' if len(tests) > 4 else ''})" if len(tests) > 1 else ""
        error = first["error"] if len(first["error"]) <= 240 else first["error"][:237] + "..."
        lines.append(f"   - [{verdict}] {len(tests)} x {status}: {error}")
        lines.append(f"       e.g. {first['test']}{others}")
        if first["traceback"]:
            lines.append(f"       traceback: {' '.join(first['traceback'][-6:])}")
        for finding in findings:
            lines.append(f"       finding: {finding}")
        if not findings and first["elsewhere"]:
            more = f" (+{len(first['elsewhere']) - 4} more)" if len(first["elsewhere"]) > 4 else ""
            lines.append(f"       elsewhere in those files: {', '.join(first['elsewhere'][:4])}{more}")
    lines.append(f"   files: {work} (before.log, after.log, migrate.log, migrate.diff, report.json, result.json)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this library (repeatable)")
    parser.add_argument("--tool", type=Path, default=ROOT, help="the requests2httpx checkout whose migrate runs (default: this one)")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="where fetched snapshots are (OWNER+NAME/repo)")
    parser.add_argument("--scratch", type=Path, default=Path("/work/suites-scratch"), help="where trees, venvs and logs go")
    parser.add_argument("--jobs", type=int, default=1, help="libraries run at once (default 1; the machine has 2 cores)")
    parser.add_argument("--target", choices=("httpx", "httpx2"), default="httpx",
                        help="what the requests libraries migrate to (their results go to SCRATCH/NAME@httpx2 for httpx2)")
    parser.add_argument("--table", type=Path, default=TABLE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tool, args.scratch, args.mirrors = args.tool.resolve(), args.scratch.resolve(), args.mirrors.resolve()
    if not (args.tool / "migrator" / "__main__.py").exists():
        parser.error(f"--tool {args.tool}: not a requests2httpx checkout (no migrator/__main__.py)")
    suites = load_table(args.table)
    if args.only:
        unknown = set(args.only) - {s.name for s in suites}
        if unknown:
            parser.error(f"unknown library {', '.join(sorted(unknown))}; the table has {', '.join(s.name for s in suites)}")
        suites = [s for s in suites if s.name in args.only]
    if args.target == "httpx2":  # the suites on requests, migrated to httpx2 (the others choose their target)
        suites = [dataclasses.replace(s, name=f"{s.name}@httpx2", args=[*s.args, "--target", "httpx2"])
                  for s in suites if "--target" not in s.args]
    if ROOT.resolve() in (args.scratch, *args.scratch.parents):
        parser.error("--scratch must be outside this repository: fetched code is never kept in it")
    print(f"tool: {args.tool}", flush=True)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_library, suite, args): suite for suite in suites}
        for future, suite in futures.items():  # in table order, whatever finishes first
            try:
                print(render(future.result(), args.scratch / suite.name), flush=True)
            except (SuiteError, subprocess.CalledProcessError, OSError) as err:
                failed += 1
                print(f"== {suite.name}: not run: {err}", flush=True)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
