"""Requests-only API on httpx objects: each rule fires at its line on a small program, and stays
quiet on a close one; both programs are run with httpx 0.28 against the loopback server, so the
program reported fails (or misbehaves) and the quiet one works."""

from __future__ import annotations

import ssl
import textwrap

import pytest

from migrator.lint.rules import lint_source
from tests.loopback import LoopbackServers

HEAD = "import asyncio\nimport ssl\n\nimport httpx\n\n\n"


def case(code, fires, quiet, outcome):
    marked = next(line for line in fires.splitlines() if line.endswith("# fires"))
    return pytest.param(code, HEAD + textwrap.dedent(fires), HEAD + textwrap.dedent(quiet), outcome, id=f"{code}:{marked.strip()[:60]}")


def _hooks_unused(result):
    return result == 0


API = """
    class Api:
        def __init__(self, base):
            self.base = base
            self.client = httpx.Client(timeout=5)

        def status(self):
            r = self.client.get(self.base + "/json").raise_for_status()
            return RESULT

        def close(self):
            self.client.close()


    def main(base, proxy):
        api = Api(base)
        try:
            return api.status()
        finally:
            api.close()
"""

CASES = [
    # --- responses -----------------------------------------------------------------------------
    *[
        case("response-attribute", f"""
            def main(base, proxy):
                r = httpx.get(base + "/status/500", timeout=5)
                return r.{attr}  # fires
            """, f"""
            def main(base, proxy):
                r = httpx.get(base + "/status/500", timeout=5)
                return {good}
            """, AttributeError)
        for attr, good in [
            ("ok", "not r.is_error"), ("reason", "r.reason_phrase"), ("apparent_encoding", "r.encoding"),
            ("is_permanent_redirect", "r.status_code in (301, 308)"), ("connection", "r.http_version"),
            ("next", "r.next_request"), ("raw", "r.headers"),
        ]
    ],
    case("response-attribute", """
        def main(base, proxy):
            with httpx.stream("GET", base + "/bytes/10", timeout=5) as r:
                return b"".join(r.iter_content(4))  # fires
        """, """
        def main(base, proxy):
            with httpx.stream("GET", base + "/bytes/10", timeout=5) as r:
                return b"".join(r.iter_bytes(4))
        """, AttributeError),
    case("response-attribute", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                r = client.send(client.build_request("POST", base + "/echo", json={"a": 1}))
            return r.request.body  # fires
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                r = client.send(client.build_request("POST", base + "/echo", json={"a": 1}))
            return r.request.content
        """, AttributeError),
    case("response-attribute", """
        def main(base, proxy):
            async def fetch():
                async with httpx.AsyncClient(timeout=5) as client:
                    r = await client.get(base + "/json")
                    return r.ok  # fires
            return asyncio.run(fetch())
        """, """
        def main(base, proxy):
            async def fetch():
                async with httpx.AsyncClient(timeout=5) as client:
                    r = await client.get(base + "/json")
                    return not r.is_error
            return asyncio.run(fetch())
        """, AttributeError),
    case("response-attribute", API.replace("RESULT", "r.reason  # fires"), API.replace("RESULT", "r.reason_phrase"), AttributeError),
    *[
        case("response-truthiness", f"""
            def main(base, proxy):
                r = httpx.get(base + "/status/500", timeout=5)
                {test}
                return "failed"
            """, """
            def main(base, proxy):
                r = httpx.get(base + "/status/500", timeout=5)
                if r.is_error:
                    return "failed"
                return "ok"
            """, "ok")
        for test in (
            "if r: return 'ok'  # fires", "if not not r: return 'ok'  # fires",
            "return 'ok' if bool(r) else 'failed'  # fires", "return r and 'ok'  # fires",
        )
    ],
    case("response-lines-are-str", """
        def main(base, proxy):
            with httpx.stream("GET", base + "/ndjson/2", timeout=5) as r:
                return [line.decode("utf-8") for line in r.iter_lines()]  # fires
        """, """
        def main(base, proxy):
            with httpx.stream("GET", base + "/ndjson/2", timeout=5) as r:
                return [line for line in r.iter_lines()]
        """, AttributeError),
    case("response-lines-are-str", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                with client.stream("GET", base + "/ndjson/2") as r:
                    for line in r.iter_lines():
                        if line[:1].startswith(b"{"):  # fires
                            return line
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                with client.stream("GET", base + "/ndjson/2") as r:
                    for line in r.iter_lines():
                        if line[:1].startswith("{"):
                            return line
        """, TypeError),
    case("response-lines-are-str", """
        def main(base, proxy):
            r = httpx.Response(200, content=b"a\\n\\nb")
            return [line for line in r.iter_lines() if line != b""]  # fires
        """, """
        def main(base, proxy):
            r = httpx.Response(200, content=b"a\\n\\nb")
            return [line for line in r.iter_lines() if line != ""]
        """, ["a", "", "b"]),
    case("response-lines-are-str", """
        def main(base, proxy):
            with httpx.stream("GET", base + "/ndjson/2", timeout=5) as r:
                return list(r.iter_lines(decode_unicode=True))  # fires
        """, """
        def main(base, proxy):
            with httpx.stream("GET", base + "/ndjson/2", timeout=5) as r:
                return list(r.iter_lines())
        """, TypeError),
    # --- clients -------------------------------------------------------------------------------
    case("client-setting-not-hoisted", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.mount("http://", httpx.HTTPTransport(retries=2))  # fires
                return client.get(base + "/json").status_code
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5, mounts={"http://": httpx.HTTPTransport(retries=2)}) as client:
                return client.get(base + "/json").status_code
        """, AttributeError),
    case("client-setting-not-hoisted", """
        def main(base, proxy):
            client = httpx.Client(timeout=5)
            client.proxies = {"http://": proxy}  # fires
            client.get(base + "/json")
            client.close()
            return "unused"
        """, """
        def main(base, proxy):
            client = httpx.Client(timeout=5, proxy=proxy)
            client.get(base + "/json")
            client.close()
            return "used"
        """, "proxy"),
    case("client-attribute-unsupported", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.mount("http://", httpx.HTTPTransport(retries=2))  # fires
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.headers["x-retries"] = "2"
        """, AttributeError),
    *[
        case("client-attribute-unsupported", f"""
            def main(base, proxy):
                with httpx.Client(timeout=5) as client:
                    client.get(base + "/json")
                    return {bad}  # fires
            """, f"""
            def main(base, proxy):
                with httpx.Client(timeout=5) as client:
                    client.get(base + "/json")
                    return {good}
            """, AttributeError)
        for bad, good in [
            ("client.adapters", "client.trust_env"), ("client.proxies", "client.max_redirects"),
            ("client.verify", "client.follow_redirects"), ("client.hooks['response']", "client.event_hooks['response']"),
            ("client.prepare_request(httpx.Request('GET', base))", "client.build_request('GET', base)"),
        ]
    ],
    case("client-attribute-unsupported", """
        def main(base, proxy):
            seen = []
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.hooks = {"response": [seen.append]}  # fires
                client.get(base + "/json")
            return len(seen)
        """, """
        def main(base, proxy):
            seen = []
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.event_hooks = {"response": [seen.append]}
                client.get(base + "/json")
            return len(seen)
        """, _hooks_unused),
    case("client-attribute-unsupported", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.trust_env = False  # fires
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.max_redirects = 5
        """, AttributeError),
    case("client-attribute-unsupported", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                client.get(base + "/json")
                client.verify = False  # fires
                return client._transport._pool._ssl_context.verify_mode
        """, """
        def main(base, proxy):
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            with httpx.Client(timeout=5, verify=context) as client:
                client.get(base + "/json")
                return client._transport._pool._ssl_context.verify_mode
        """, lambda mode: mode == ssl.CERT_REQUIRED),
    # --- arguments -----------------------------------------------------------------------------
    *[
        case("request-arg-unsupported", f"""
            def main(base, proxy):
                with httpx.Client(timeout=5) as client:
                    return client.{verb}(base + "/json", {kw}).status_code  # fires
            """, f"""
            def main(base, proxy):
                with httpx.Client(timeout=5) as client:
                    return client.{verb}(base + "/json", follow_redirects=True).status_code
            """, TypeError)
        for verb, kw in [
            ("get", "verify=False"), ("post", "cert='c.pem'"), ("put", "proxies={'http://': proxy}"),
            ("delete", "allow_redirects=False"), ("head", "stream=True"), ("options", "hooks={}"),
        ]
    ],
    case("request-arg-unsupported", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                return client.send(client.build_request("GET", base + "/json"), timeout=3).status_code  # fires
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                return client.send(client.build_request("GET", base + "/json", timeout=3), stream=False).status_code
        """, TypeError),
    *[
        case("request-arg-unsupported", f"""
            def main(base, proxy):
                return httpx.{verb}(base + "/json", timeout=5, {kw}).status_code  # fires
            """, f"""
            def main(base, proxy):
                return httpx.{verb}(base + "/json", timeout=5, follow_redirects=False, verify=True).status_code
            """, TypeError)
        for verb, kw in [("get", "allow_redirects=False"), ("post", "stream=True"), ("head", "hooks={}"), ("options", "cert='c.pem'")]
    ],
    case("verb-takes-no-body", """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                return client.delete(base + "/echo", json={"id": 1}).json()  # fires
        """, """
        def main(base, proxy):
            with httpx.Client(timeout=5) as client:
                return client.request("DELETE", base + "/echo", json={"id": 1}).json()
        """, TypeError),
    case("verb-takes-no-body", """
        def main(base, proxy):
            return httpx.get(base + "/echo", data={"q": "x"}, timeout=5).json()  # fires
        """, """
        def main(base, proxy):
            return httpx.request("GET", base + "/echo", data={"q": "x"}, timeout=5).json()
        """, TypeError),
    case("response-content-exception", """
        def main(base, proxy):
            return httpx.Response(200, content=ConnectionError("down")).status_code  # fires
        """, """
        def main(base, proxy):
            return httpx.Response(200, content=b"down").status_code
        """, TypeError),
    case("response-content-exception", """
        def main(base, proxy):
            return httpx.Response(200, content=httpx.ConnectError).status_code  # fires
        """, """
        def main(base, proxy):
            return httpx.Response(200, content=str(httpx.ConnectError("down"))).status_code
        """, TypeError),
]


@pytest.fixture(scope="module")
def servers():
    servers = LoopbackServers()
    yield servers
    servers.close()


def _run(source: str, servers: LoopbackServers):
    namespace: dict = {}
    exec(compile(source, "case.py", "exec"), namespace)
    return namespace["main"](servers.url, servers.proxy_url)


@pytest.mark.parametrize("code, fires, quiet, outcome", CASES)
def test_rule_fires_on_the_failing_program_only(code, fires, quiet, outcome, servers):
    line = next(i for i, text in enumerate(fires.splitlines(), 1) if text.endswith("# fires"))
    assert [(f.line, f.code) for f in lint_source(fires, "case.py")] == [(line, code)]
    assert lint_source(quiet, "case.py") == []
    servers.clear()
    good = _run(quiet, servers)  # the close program works
    if outcome == "proxy":
        assert servers.proxy_hits == 1
        servers.clear()
        _run(fires, servers)
        assert servers.proxy_hits == 0  # the proxy set after the constructor was never used
    elif isinstance(outcome, type):
        with pytest.raises(outcome):
            _run(fires, servers)
    elif callable(outcome):
        assert outcome(_run(fires, servers)) and not outcome(good)
    else:
        assert _run(fires, servers) == outcome != good
