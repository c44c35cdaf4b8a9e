"""A real HTTP server and forward proxy on 127.0.0.1, for equivalence scenarios.

Every request the server receives is logged (method, path, query, the headers a program
chose to send, body) so a scenario can compare what requests and httpx actually put on the
wire, not just what they returned.  Headers that differ by library and not by program
(User-Agent, Accept-Encoding, Connection, Content-Length, Host) are left out of the log.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_NOISE = {"user-agent", "accept-encoding", "connection", "content-length", "host", "via"}


def _headers(msg) -> dict[str, str]:
    return {k.lower(): v for k, v in msg.items() if k.lower() not in _NOISE and not k.lower().startswith("x-forwarded")}


def payload(n: int) -> bytes:
    """n deterministic pseudo-random bytes."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{n}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _record(self, body: bytes) -> dict:
        url = urllib.parse.urlsplit(self.path)
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json") and body:
            shown = json.loads(body)  # httpx writes compact JSON, requests does not: same value
        else:
            try:
                shown = body.decode()
            except UnicodeDecodeError:
                shown = "b64:" + base64.b64encode(body).decode()
        entry = {"method": self.command, "path": url.path, "query": url.query,
                 "headers": _headers(self.headers), "body": shown}
        self.server.log.append(entry)
        return entry

    def _send(self, status: int, body: bytes = b"", ctype: str | None = "text/plain; charset=utf-8", headers=()) -> None:
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _chunked(self, chunks, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _json(self, value, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def handle_one(self) -> None:
        entry = self._record(self._body())
        parts = [p for p in entry["path"].split("/") if p]
        query = dict(urllib.parse.parse_qsl(entry["query"]))
        head = parts[0] if parts else ""
        if head == "status":
            code = int(parts[1])
            self._send(code, f"status {code}".encode())
        elif head in ("redirect", "absolute-redirect"):
            n = int(parts[1])
            if n == 0:
                self._send(200, b"done")
            else:
                target = f"/{head}/{n - 1}"
                if head == "absolute-redirect":
                    target = f"http://127.0.0.1:{self.server.server_address[1]}{target}"
                self._send(302, b"", headers=[("Location", target)])
        elif head == "redirect-to":
            self._send(int(query.get("status", 302)), b"", headers=[("Location", query["url"])])
        elif head == "echo":
            self._json({k: entry[k] for k in ("method", "path", "query", "headers", "body")})
        elif head == "headers":
            self._json(entry["headers"])
        elif head == "json":
            self._json({"hello": "world", "n": 1})
        elif head == "not-json":
            self._send(200, b"<html>nope</html>", "text/html")
        elif head == "text":
            self._send(200, "héllo wörld ✓".encode(), "text/plain; charset=utf-8")
        elif head == "text-nocharset":
            self._send(200, "café".encode("latin-1"), "text/plain")
        elif head == "typed":  # /typed?hex=<body in hex>[&type=<Content-Type>]: no type, no header
            self._send(200, bytes.fromhex(query.get("hex", "")), query.get("type"))
        elif head == "bytes":
            data = payload(int(parts[1]))
            self._chunked((data[i:i + 1000] for i in range(0, len(data), 1000)), "application/octet-stream")
        elif head == "ndjson":
            self._chunked((json.dumps({"i": i, "s": "ü"}).encode() + b"\n" for i in range(int(parts[1]))), "application/x-ndjson")
        elif head == "cookies" and len(parts) > 1 and parts[1] == "set":
            cookies = [("Set-Cookie", f"{k}={v}; Path=/") for k, v in query.items()]
            self._send(302, b"", headers=[("Location", "/cookies"), *cookies])
        elif head == "cookies":
            jar = dict(c.strip().split("=", 1) for c in self.headers.get("Cookie", "").split(";") if "=" in c)
            self._json(jar)
        elif head == "delay":
            time.sleep(min(float(parts[1]), 5))
            self._send(200, b"slept")
        elif head == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        elif head == "basic-auth":
            expected = "Basic " + base64.b64encode(f"{parts[1]}:{parts[2]}".encode()).decode()
            if self.headers.get("Authorization") == expected:
                self._json({"authenticated": True, "user": parts[1]})
            else:
                self._send(401, b"", headers=[("WWW-Authenticate", 'Basic realm="test"')])
        else:
            self._send(404, b"not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_one


class _ProxyHandler(BaseHTTPRequestHandler):
    """Forwards absolute-form plain-HTTP requests; counts them."""

    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:
        pass

    def forward(self) -> None:
        self.server.hits += 1
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        target = url.path + (f"?{url.query}" if url.query else "")
        conn.request(self.command, target or "/", body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for name, value in resp.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = forward


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that drops its connection (as scenarios do on purpose) is no server error

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.log: list[dict] = []
        self.hits = 0


class LoopbackServers:
    """The server and the proxy, started in daemon threads; ``close()`` stops both."""

    def __init__(self) -> None:
        self._server = _Server(_Handler)
        self._proxy = _Server(_ProxyHandler)
        for srv in (self._server, self._proxy):
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.proxy_url = f"http://127.0.0.1:{self._proxy.server_address[1]}"

    @property
    def log(self) -> list[dict]:
        return self._server.log

    @property
    def proxy_hits(self) -> int:
        return self._proxy.hits

    def clear(self) -> None:
        self._server.log.clear()
        self._proxy.hits = 0

    def close(self) -> None:
        for srv in (self._server, self._proxy):
            srv.shutdown()
            srv.server_close()
