"""migrate lint: each pitfall found at its line, and the pitfalls are real (run against the server)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from migrator.lint.rules import lint_source
from tests.loopback import LoopbackServers
from tests.scenario import run_program

SAMPLE = '''import httpx
import requests


async def fetch(urls):
    async with httpx.AsyncClient(timeout=10) as client:
        r = client.get(urls[0])
        ok = await client.get(urls[1])
    sync = httpx.get(urls[0])
    requests.get(urls[0])
    return r, ok, sync


def loop(urls):
    for url in urls:
        httpx.get(url, timeout=5)
        with httpx.Client(timeout=5) as c:
            c.get(url)
    client = httpx.Client(proxies={"http://": "http://p"}, verify="/ca.pem", http2=True, cert="c.pem")
    with client.stream("GET", urls[0]) as r:
        data = r.content
        r.read()
        text = r.text
    return client, data, text


def fine(url):
    with httpx.Client(timeout=None, proxy="socks5://h:1") as client:
        return client.get(url)
'''


def test_every_pitfall_at_its_line():
    found = [(f.line, f.code) for f in lint_source(SAMPLE, "x.py", declared="httpx[socks]>=0.28")]
    assert found == [
        (7, "async-not-awaited"),
        (9, "blocking-call-in-async"),
        (9, "no-explicit-timeout"),
        (10, "blocking-call-in-async"),
        (16, "client-per-request-in-loop"),
        (17, "client-per-request-in-loop"),
        (19, "client-not-closed"),
        (19, "deprecated-argument"),
        (19, "deprecated-argument"),
        (19, "missing-extra"),
        (19, "no-explicit-timeout"),
        (19, "removed-argument"),
        (21, "stream-not-read"),
    ]


def test_httpx2_code_is_linted_with_the_same_rules_and_its_own_name():
    """httpx2 keeps httpx 0.28's API: the same pitfalls at the same lines, said of httpx2; its extras
    are declared as httpx2[...]."""
    sample = SAMPLE.replace("import httpx\n", "import httpx2 as httpx\n", 1)
    found = lint_source(sample, "x.py", declared="httpx2[socks]>=2.16")
    expected = lint_source(SAMPLE, "x.py", declared="httpx[socks]>=0.28")
    assert [(f.line, f.code) for f in found] == [(f.line, f.code) for f in expected]
    assert all("httpx " not in f.message and "httpx." not in f.message for f in found)
    assert any("httpx2.Client" in f.message for f in found)
    plain = SAMPLE.replace("import httpx\n", "import httpx2\n", 1).replace("httpx.", "httpx2.")
    assert [(f.line, f.code) for f in lint_source(plain, "x.py", declared="httpx2[socks]")] == [(f.line, f.code) for f in expected]


def test_files_without_httpx_have_nothing_to_lint():
    assert lint_source("import requests\nrequests.get('u')\n", "x.py") == []


def test_lint_command_exit_codes_and_formats(tmp_path):
    (tmp_path / "bad.py").write_text(SAMPLE)
    (tmp_path / "good.py").write_text("import httpx\n\nwith httpx.Client(timeout=3) as c:\n    c.get('u')\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "migrator", "lint", *a], capture_output=True, text=True)
    assert run(str(tmp_path / "good.py")).returncode == 0
    proc = run("--output-format", "github", str(tmp_path))
    assert proc.returncode == 1
    assert f"::error file={tmp_path / 'bad.py'},line=7,col=13,title=async-not-awaited::" in proc.stdout
    assert run("/no/such/dir").returncode == 2


def test_lint_writes_the_same_json_report_as_migrate(tmp_path):
    import json

    (tmp_path / "bad.py").write_text(SAMPLE)
    run = lambda *a: subprocess.run([sys.executable, "-m", "migrator", *a], capture_output=True, text=True)
    proc = run("lint", "--report", str(tmp_path / "lint.json"), str(tmp_path / "bad.py"))
    assert proc.returncode == 1, proc.stderr
    linted = json.loads((tmp_path / "lint.json").read_text())
    run("--dry-run", "--no-cache", "--report", str(tmp_path / "migrate.json"), str(tmp_path / "bad.py"))
    migrated = json.loads((tmp_path / "migrate.json").read_text())
    assert linted.keys() == migrated.keys()
    codes = lambda report: sorted((f["line"], f["code"]) for f in report["findings"])
    # migrate adds the requests code's own; lint alone reads the dependency files (missing-extra)
    assert codes(linted) and {c for c in codes(linted) if c[1] != "missing-extra"} <= set(codes(migrated))
    assert run("lint", "--report", str(tmp_path / "no" / "dir.json"), str(tmp_path)).returncode == 2


def test_the_pitfalls_are_real(tmp_path):
    servers = LoopbackServers()
    try:
        path = tmp_path / "p.py"
        path.write_text(textwrap.dedent('''
            import asyncio
            import httpx

            def main(base):
                async def not_awaited():
                    async with httpx.AsyncClient(timeout=5) as client:
                        r = client.get(base + "/json")
                        kind = type(r).__name__
                        r.close()  # the coroutine: no request was ever sent
                        return kind
                out = [asyncio.run(not_awaited())]
                with httpx.stream("GET", base + "/json", timeout=5) as r:
                    try:
                        r.content
                    except httpx.ResponseNotRead:
                        out.append("ResponseNotRead")
                try:
                    httpx.Client(proxies={"http://": base})
                except TypeError:
                    out.append("proxies= TypeError")
                return out
        '''))
        observed = run_program(path, servers)
        assert observed["result"] == ["coroutine", "ResponseNotRead", "proxies= TypeError"]
        assert len(observed["server_log"]) == 1  # the un-awaited get never reached the server
    finally:
        servers.close()


def test_objects_are_followed_only_while_they_hold_httpx_objects():
    source = "import httpx\n" + textwrap.dedent('''
        import requests

        r = httpx.get("http://h/", timeout=5)


        def shadowed(r):
            return r.ok  # a parameter: not the module's response


        def rebound(client):
            r = client.get("http://h/")  # client: not known to be httpx
            r = httpx.get("http://h/", timeout=5).json()
            if r:
                return r.next


        def kept_requests():
            s = requests.Session()
            s.mount("http://", requests.adapters.HTTPAdapter())
            resp = s.get("http://h/", verify=False, stream=True)
            return resp.ok, resp.raw


        class Mixed:
            def __init__(self):
                self.session = httpx.Client(timeout=5)

            def reset(self):
                self.session.close()
                self.session = requests.Session()  # the attribute holds either: not followed

            def fetch(self):
                self.session.mount("http://", None)
                return self.session.get("http://h/", verify=False).ok


        def annotated(client: httpx.Client, resp: httpx.Response):
            client.mount("http://", None)
            return resp.ok
    ''')
    found = [(f.line, f.code) for f in lint_source(source, "x.py")]
    last = len(source.splitlines())
    assert found == [(last - 1, "client-attribute-unsupported"), (last, "response-attribute")]


def test_suppression_comment_silences_a_lint_finding():
    source = "import httpx\n\nr = httpx.get('http://h/', timeout=5)\nprint(r.ok)  # requests2httpx: ignore[response-attribute]\nprint(r.raw)  # requests2httpx: ignore[response-truthiness]\n"
    raw = len(source.splitlines())  # the last line: its comment names another code
    assert [(f.line, f.code) for f in lint_source(source, "x.py")] == [(raw, "response-attribute")]
