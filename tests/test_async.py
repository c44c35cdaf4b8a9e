"""--async: only calls made directly in coroutines are awaited; the rest stay synchronous, reported."""

from __future__ import annotations

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

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


def test_module_level_session_used_only_in_coroutines_and_the_event_loop_risk(tmp_path):
    from tests.loopback import LoopbackServers
    from tests.scenario import run_program

    source = (
        "import asyncio\n\nimport requests\n\nsession = requests.Session()\n\n\n"
        "async def fetch(url):\n    return session.get(url).status_code\n\n\n"
        "def main(base):\n    out = []\n    for _ in range(2):\n        try:\n"
        "            out.append(asyncio.run(fetch(base + '/json')))\n"
        "        except Exception as exc:\n            out.append(type(exc).__name__)\n    return out\n"
    )
    result = migrate_source(source, "x.py", Options(async_calls=True))
    assert "session = httpx.AsyncClient(" in result.code and "(await session.get(url)).status_code" in result.code
    assert (5, "async-client-event-loop") in [(f.line, f.code) for f in result.findings]
    # the warning is real: the second asyncio.run fails with the module-level AsyncClient
    (tmp_path / "before.py").write_text(source)
    (tmp_path / "after.py").write_text(result.code)
    servers = LoopbackServers()
    try:
        assert run_program(tmp_path / "before.py", servers)["result"] == [200, 200]
        assert run_program(tmp_path / "after.py", servers)["result"] == [200, "RuntimeError"]
    finally:
        servers.close()
