"""Run a program's ``main(base_url[, proxy_url])`` in a subprocess and record what it observed.

A scenario is equivalent when the requests version and the migrated httpx version return the
same value *and* the loopback server received the same requests (and the proxy the same number).
Each program runs in its own interpreter, so neither library's state leaks into the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_MARK = "@@observation@@"
_RUNNER = r"""
import importlib.util, inspect, json, sys
spec = importlib.util.spec_from_file_location("scenario", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
args = [sys.argv[2], sys.argv[3]][: len(inspect.signature(module.main).parameters)]
try:
    result = module.main(*args)
except Exception as exc:
    result = {"uncaught": type(exc).__name__}
print("@@observation@@" + json.dumps(result, sort_keys=True, default=repr))
"""


def _clean_env() -> dict[str, str]:
    proxy_vars = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "requests_ca_bundle", "curl_ca_bundle"}
    return {k: v for k, v in os.environ.items() if k.lower() not in proxy_vars}


def run_program(path: Path, servers, timeout: float = 60) -> dict:
    path = Path(path).resolve()
    servers.clear()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path), servers.url, servers.proxy_url],
        capture_output=True, text=True, timeout=timeout, env=_clean_env(), cwd=path.parent,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(_MARK)]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"{path} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return {
        "result": json.loads(lines[-1][len(_MARK):]),
        "server_log": [dict(entry) for entry in servers.log],
        "proxy_hits": servers.proxy_hits,
    }


def assert_equivalent(before: Path, after: Path, servers) -> dict:
    old = run_program(before, servers)
    new = run_program(after, servers)
    assert new["result"] == old["result"], f"main() returned {new['result']!r}, was {old['result']!r}"
    assert new["server_log"] == old["server_log"], "the server received different requests"
    assert new["proxy_hits"] == old["proxy_hits"], "the proxy saw a different number of requests"
    return old
