"""The shipped demo project, migrated by the command line as a user would, runs against the loopback
server as it did on requests: migrated to httpx, to httpx2, and moved from httpx (the tool's own
output) to httpx2."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.fixture_cases import FIXTURES
from tests.loopback import LoopbackServers
from tests.scenario import assert_equivalent

DEMO = FIXTURES / "demo_project"

# every function of the demo, on routes the loopback server answers
SCENARIO = textwrap.dedent('''
    import tempfile
    from weather import api, download, status

    def main(base):
        client = api.WeatherClient(base + "/echo", "t0ken")
        echoed = client.forecast("Oslo", days=2)
        client.close()
        conflict = api.WeatherClient(base + "/status/409", "t0ken")
        with tempfile.TemporaryDirectory() as folder:
            digest = download.download_radar(base + "/bytes/5000", folder + "/radar.bin", chunk_size=999)
        legend = download.fetch_legend(base + "/echo")
        return {
            "forecast": [echoed["path"], echoed["query"], echoed["headers"].get("authorization")],
            "alert": conflict.create_alert("Oslo", 30),
            "up": [status.is_up(base + "/json"), status.is_up(base + "/status/500")],
            "outage": status.report_outage(base + "/echo", "down"),
            "radar": digest,
            "legend": [legend["path"], legend["headers"].get("user-agent")],
        }
''')


@pytest.fixture(scope="module")
def servers():
    s = LoopbackServers()
    yield s
    s.close()


def _migrate(folder, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "migrator", "--no-cache", *args, str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr  # 1: error findings remain (the demo has some)
    return proc


def _copy(tmp_path, name: str):
    folder = tmp_path / name
    shutil.copytree(DEMO, folder)
    (folder / "scenario.py").write_text(SCENARIO)
    return folder


def _names(folder) -> set[str]:
    """The modules the migrated package imports, and the names its code uses."""
    out = set()
    for path in (folder / "weather").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.alias):
                out.add(node.name.split(".")[0])
            elif isinstance(node, ast.Name):
                out.add(node.id)
    return out


@pytest.mark.parametrize("target", ["httpx", "httpx2"])
def test_the_demo_project_migrated_runs_as_it_did(target, servers, tmp_path):
    before, after = _copy(tmp_path, "before"), _copy(tmp_path, "after")
    proc = _migrate(after, "--target", target)
    assert "httpx2-trust-store" in proc.stderr if target == "httpx2" else "httpx2" not in proc.stderr
    names = _names(after)
    assert target in names and "requests" not in names and ({"httpx"} if target == "httpx2" else {"httpx2"}).isdisjoint(names)
    declared = (after / "pyproject.toml").read_text()
    assert f'"{target}>=' in declared and '"requests' not in declared, declared
    observed = assert_equivalent(before / "scenario.py", after / "scenario.py", servers)
    assert observed["result"]["alert"] is None and observed["result"]["up"] == [True, False]


def test_the_demo_project_on_httpx_moves_to_httpx2_and_runs_as_it_did(servers, tmp_path):
    before, after = _copy(tmp_path, "before"), _copy(tmp_path, "after")
    _migrate(after)  # on httpx, as the tool writes it
    assert "httpx" in _names(after)
    proc = _migrate(after, "--from", "httpx", "--target", "httpx2")
    names = _names(after)
    assert "httpx2" in names and "httpx" not in names, proc.stderr
    declared = (after / "pyproject.toml").read_text()
    assert '"httpx2>=2.16"' in declared and '"httpx>=' not in declared, declared
    assert "httpx2-trust-store" in proc.stderr
    assert_equivalent(before / "scenario.py", after / "scenario.py", servers)
    again = _migrate(after, "--from", "httpx", "--target", "httpx2", "--check")
    assert "would migrate" not in again.stderr, again.stderr
