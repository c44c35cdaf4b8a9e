"""Does the migration's diff pass the project's own formatter and import-sort checks?

For each library of ``bench/suites.toml`` that configures black, ruff or isort, the tree at the
table's commit is migrated (``migrate`` on its paths), and every file the migration changed is
checked, before and after, with the checks the project configures: ``black --check``,
``ruff format --check``, ``isort --check-only``, ``ruff check --select I``. A check that passed on
the original file and fails on the migrated one is the tool's fault until shown otherwise.

    .venv/bin/python bench/fit.py [--only NAME ...] [--tool CHECKOUT] [--scratch DIR]

The checkers are this venv's (their versions are printed); the projects' code is never committed.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suites import ROOT, Suite, SuiteError, export, fresh_tree, load_table, migrate, mirror_of  # noqa: E402

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

BIN = Path(sys.executable).parent


def checks_of(root: Path) -> dict[str, list[str]]:
    """The project's formatter and import-sort checks (a command each, given a file's path)."""
    try:
        tool = tomllib.loads((root / "pyproject.toml").read_text()).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        tool = {}
    precommit = (root / ".pre-commit-config.yaml").read_text() if (root / ".pre-commit-config.yaml").exists() else ""
    ruff = tool.get("ruff", {})
    if not ruff and (root / "ruff.toml").exists():
        ruff = tomllib.loads((root / "ruff.toml").read_text())
    lint = ruff.get("lint", ruff)
    selected = [*lint.get("select", []), *lint.get("extend-select", [])]
    checks: dict[str, list[str]] = {}
    if "black" in tool or "psf/black" in precommit:
        checks["black"] = [str(BIN / "black"), "--check", "-q"]
    if "format" in ruff or "ruff-format" in precommit:
        checks["ruff format"] = [str(BIN / "ruff"), "format", "--check", "-q"]
    isort_cfg = any(_ini_has(root / name, ("isort", "tool:isort", "settings")) for name in ("setup.cfg", "tox.ini", ".isort.cfg"))
    if "isort" in tool or isort_cfg or "pycqa/isort" in precommit.lower():
        checks["isort"] = [sys.executable, "-m", "isort", "--check-only", "-q", "--settings-path", str(root), *_hook_args(precommit, "isort")]
    length = _flake8_line_length(root)
    if length and not checks:  # a project with flake8's line length alone: E501, as ruff reads it
        checks[f"E501 ({length})"] = [str(BIN / "ruff"), "check", "-q", "--isolated", "--select", "E501", "--line-length", str(length)]
    if any(c == "ALL" or c == "I" or str(c).startswith("I0") for c in selected):
        checks["ruff I"] = [str(BIN / "ruff"), "check", "-q", "--select", "I"]
    return checks


def _hook_args(precommit: str, hook: str) -> list[str]:
    """The args the project's pre-commit hook passes (``isort --profile black``)."""
    if not precommit:
        return []
    import yaml

    try:
        config = yaml.safe_load(precommit) or {}
    except yaml.YAMLError:
        return []
    for repo in config.get("repos", []):
        for entry in repo.get("hooks", []):
            if entry.get("id") == hook:
                return [str(a) for a in entry.get("args", [])]
    return []


def _flake8_line_length(root: Path) -> int | None:
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        parser = configparser.RawConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
            value = parser.get("flake8", "max-line-length", fallback="")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if value.strip().isdigit():
            return int(value)
    return None


def _ini_has(path: Path, sections: tuple[str, ...]) -> bool:
    if not path.exists():
        return False
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    return any(parser.has_section(s) for s in sections)


def passes(check: list[str], root: Path, path: str) -> bool:
    return subprocess.run([*check, path], cwd=root, capture_output=True, text=True, timeout=120).returncode == 0


def fit(suite: Suite, args: argparse.Namespace) -> dict:
    work = Path(args.scratch) / suite.name
    orig, tree = work / "orig", work / "tree"
    export(mirror_of(suite, Path(args.mirrors)), suite.commit, orig)
    checks = checks_of(orig)
    fresh_tree(orig, tree)
    log = work / "migrate.log"
    log.unlink(missing_ok=True)
    report = migrate(suite, Path(args.tool), tree, work / "report.json", log)
    changed = sorted(f["path"] for f in report["files"] if f.get("changed") and f["path"].endswith(".py"))
    rows: dict[str, dict] = {}
    for name, check in checks.items():
        before = [p for p in changed if passes(check, orig, p)]
        broken = [p for p in before if not passes(check, tree, p)]
        rows[name] = {"passed_before": len(before), "still_passing": len(before) - len(broken), "broken": broken}
    return {"name": suite.name, "checks": list(checks), "files": len(changed), "rows": rows,
            "dependency_files": [_dependency_edit(orig, tree, f["path"]) for f in report["files"]
                                 if f.get("changed") and f.get("kind") == "dependencies"]}


_LISTS = ("dependencies", "optional-dependencies", "dependency-groups", "install_requires", "extras_require", "packages", "dev-packages")


def _dependency_edit(orig: Path, tree: Path, path: str) -> dict:
    """The line-based edit of a dependency file, checked: it still parses, only dependency lists
    differ once parsed, and every comment line is still there."""
    before, after = (orig / path).read_text(), (tree / path).read_text()
    row = {"path": path, "parses": True, "only_lists": True, "comments_kept": True}
    comments = lambda text: [line.strip() for line in text.splitlines() if line.strip().startswith("#")]  # noqa: E731
    row["comments_kept"] = comments(before) == comments(after)
    if path.endswith(("pyproject.toml", "Pipfile")):
        try:
            old, new = tomllib.loads(before), tomllib.loads(after)
        except tomllib.TOMLDecodeError:
            row["parses"] = False
            return row
        row["only_lists"] = _strip_lists(old) == _strip_lists(new)
    elif path.endswith((".cfg", ".ini")):
        old_cfg, new_cfg = configparser.RawConfigParser(), configparser.RawConfigParser()
        try:
            old_cfg.read_string(before)
            new_cfg.read_string(after)
        except configparser.Error:
            row["parses"] = False
            return row
        row["only_lists"] = all(dict(old_cfg.items(s)) == dict(new_cfg.items(s)) or s.startswith(("options", "testenv"))
                                for s in old_cfg.sections())
    return row


def _strip_lists(data):
    """The parsed file without its dependency lists (what the edit may change)."""
    if isinstance(data, dict):
        return {k: _strip_lists(v) for k, v in data.items() if k not in _LISTS and not (k.endswith("dependencies"))}
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="this library only (repeatable)")
    parser.add_argument("--tool", default=str(ROOT), help="the requests2httpx checkout whose migrate runs")
    parser.add_argument("--mirrors", default="/work/.mirror", help="where fetched snapshots are")
    parser.add_argument("--scratch", default="/work/fit-scratch", help="where trees and logs go")
    args = parser.parse_args(argv)
    versions = {name: subprocess.run(cmd if name == "isort" else [*cmd, "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip()
                for name, cmd in (("black", [str(BIN / "black")]), ("ruff", [str(BIN / "ruff")]), ("isort", [sys.executable, "-m", "isort", "--version-number"]))}
    print("checkers:", "; ".join(f"{k} {v}" for k, v in versions.items()))
    failures = 0
    for suite in load_table():
        if args.only and suite.name not in args.only:
            continue
        try:
            result = fit(suite, args)
        except SuiteError as exc:
            print(f"== {suite.name}: {exc}")
            continue
        checks = ", ".join(result["checks"]) or "none configured (its dependency files only)"
        print(f"== {suite.name}: {result['files']} files changed; checks: {checks}")
        for name, row in result["rows"].items():
            print(f"   {name}: {row['still_passing']} of {row['passed_before']} that passed before still pass")
            for path in row["broken"]:
                print(f"     broken: {path}")
                failures += 1
        for row in result["dependency_files"]:
            verdict = "ok" if row["parses"] and row["only_lists"] and row["comments_kept"] else "CHANGED BEYOND ITS LISTS"
            print(f"   {row['path']}: parses {row['parses']}, only dependency lists differ {row['only_lists']}, "
                  f"comments kept {row['comments_kept']}: {verdict}")
            failures += verdict != "ok"
        (Path(args.scratch) / suite.name / "fit.json").write_text(json.dumps(result, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
