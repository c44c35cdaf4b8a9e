"""--async: only calls made directly in coroutines are awaited; the rest stay synchronous, reported."""

from __future__ import annotations

from migrator.options import Options
from migrator.pipeline import migrate_source

SOURCE = '''import requests


async def handler(url):
    def helper():
        return requests.get(url)

    streamed = requests.get(url, stream=True)
    return helper(), streamed
'''


def test_without_the_flag_coroutines_get_synchronous_httpx():
    code = migrate_source("import requests\n\n\nasync def f(u):\n    return requests.get(u)\n", "x.py", Options()).code
    assert "httpx.get(u" in code and "AsyncClient" not in code


def test_nested_functions_and_streams_stay_synchronous_and_are_reported():
    result = migrate_source(SOURCE, "x.py", Options(async_calls=True, format=False))
    assert "AsyncClient" not in result.code
    codes = [(f.line, f.code) for f in result.findings]
    assert (6, "async-still-blocking") in codes and (8, "async-still-blocking") in codes


def test_config_key_and_flag(tmp_path):
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text("[tool.requests2httpx]\nasync = true\n")
    (tmp_path / "app.py").write_text("import requests\n\n\nasync def f(u):\n    return requests.get(u)\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "migrator", "--dry-run", *a, "."], cwd=tmp_path, capture_output=True, text=True)
    assert "await client.get(" in run().stdout
    assert "await client.get(" not in run("--no-async").stdout
