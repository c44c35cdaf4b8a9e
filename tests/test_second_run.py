"""Residuals are not forgotten: what a first run reports as an error and is still in the code is
reported again by a second run, by ``migrate --check`` and by ``migrate lint``."""

from __future__ import annotations

import subprocess
import sys

from migrator.options import Options
from migrator.pipeline import migrate_source

MIXED = '''import httpx
import requests


def fetch(url):
    r = httpx.get(url, timeout=5)
    legacy = requests.get(url, stream=True)
    return legacy.raw, r.raw


def status(url):
    r = httpx.get(url, timeout=5)
    return r.ok  # requests2httpx: ignore[response-attribute]
'''


def test_httpx_code_in_a_file_that_still_imports_requests_is_linted_with_its_migration():
    result = migrate_source(MIXED, "x.py", Options(format=False))
    assert "with httpx.stream(" in result.code  # the requests call was migrated
    found = [(f.line, f.code, f.codemod) for f in result.findings if f.severity == "error"]
    # line 8: the migration's legacy.raw and the lint's r.raw, kept once
    assert found == [(8, "response-attribute", "catch_all")]
    assert result.suppressed == 1  # r.ok on line 13


def _migrate(*args, cwd):
    return subprocess.run([sys.executable, "-m", "migrator", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_check_fails_while_an_error_residual_remains_and_passes_once_it_is_silenced(tmp_path):
    path = tmp_path / "app.py"
    call = "with httpx.Client(timeout=5) as client:\n    client.get('http://h/', verify=False)"
    path.write_text(f"import httpx\n\n{call}\n")
    proc = _migrate("--check", "app.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "would migrate" not in proc.stderr  # nothing would change: the error alone fails it
    assert "app.py:4:5: error [request-arg-unsupported]" in proc.stderr
    path.write_text(f"import httpx\n\n{call}  # requests2httpx: ignore[request-arg-unsupported]\n")
    proc = _migrate("--check", "app.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 suppressed" in proc.stderr
