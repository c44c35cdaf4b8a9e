"""The pre-commit hooks run as declared, and docs/ci.md's commands are real options."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
yaml = pytest.importorskip("yaml")


def test_pre_commit_hooks_run_their_entries(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"requests2httpx-check", "requests2httpx"}
    path = tmp_path / "app.py"
    path.write_text("import requests\nrequests.get('u')\n")
    check = next(h for h in hooks if h["id"] == "requests2httpx-check")
    assert check["language"] == "python" and check["types"] == ["python"]
    command = shlex.split(check["entry"])
    assert command[0] == "migrate"
    proc = subprocess.run([sys.executable, "-m", "migrator", *command[1:], str(path)], capture_output=True, text=True)
    assert proc.returncode == 1  # pending migration fails the hook
    path.write_text("import httpx\n")
    proc = subprocess.run([sys.executable, "-m", "migrator", *command[1:], str(path)], capture_output=True, text=True)
    assert proc.returncode == 0


def test_every_flag_in_the_ci_docs_exists():
    help_text = subprocess.run([sys.executable, "-m", "migrator", "--help"], capture_output=True, text=True).stdout
    flags = set(re.findall(r"(--[a-z][a-z-]+)", (ROOT / "docs" / "ci.md").read_text()))
    assert flags and all(flag in help_text for flag in flags), flags
