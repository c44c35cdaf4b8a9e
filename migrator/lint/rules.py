"""``migrate lint``: the httpx pitfalls, in migrated code or code written by hand.

One visitor over one parse of each file that imports httpx; each rule is a small method that
reports with a stable code (documented under docs/codes/ like every other code). The same
findings appear in migration reports for httpx files the migration leaves unchanged.
"""

from __future__ import annotations

import re

import libcst as cst

from codemods._request_args import VERBS, VERIFY_DISABLED
from codemods.catch_all import STREAM_NOT_READ
from codemods.session_to_client import NOT_CLOSED
from migrator.engine.findings import Code, Finding, unsuppressed
from migrator.engine.names import LINE_START, dotted
from migrator.engine.positions import positions
from migrator.engine.visitors import visit
from migrator.lint import residuals
from migrator.lint.objects import CLIENT_KINDS
from migrator.lint.residuals import Residuals

HTTPX_IMPORT_RE = re.compile(LINE_START + rb"(?:import[ \t]+[^#\n]*\bhttpx2?\b|from[ \t]+httpx2?\b)", re.M)


def imports_httpx(data: bytes) -> bool:
    return b"httpx" in data and HTTPX_IMPORT_RE.search(data) is not None  # the word first: cheap
_CLIENT_METHODS = frozenset({*VERBS, "send", "stream", "build_request"})

NOT_AWAITED = Code(
    "async-not-awaited",
    "error",
    "An httpx.AsyncClient method is called without await",
    "``client.get(...)`` on an AsyncClient returns a coroutine; without ``await`` no request is sent "
    "and the code works on a coroutine object instead of a response.",
    "Write ``await client.get(...)`` (and ``await client.aclose()``).",
)
BLOCKING_IN_ASYNC = Code(
    "blocking-call-in-async",
    "error",
    "A blocking HTTP call inside async def",
    "``httpx.get``, a sync ``httpx.Client`` or ``requests`` block the event loop while they wait for "
    "the network: every other task stalls.",
    "Use an ``httpx.AsyncClient``: ``async with httpx.AsyncClient() as client: r = await client.get(...)``.",
)
NO_TIMEOUT = Code(
    "no-explicit-timeout",
    "warning",
    "No explicit timeout: httpx's 5-second default applies",
    "httpx times out every phase after 5 s unless told otherwise; code migrated from requests (which "
    "never times out by default) or written in a hurry may not expect that.",
    "Pass ``timeout=`` (a number, ``httpx.Timeout(...)``, or ``None`` to wait forever) to the call or the client.",
)
REMOVED_ARGUMENT = Code(
    "removed-argument",
    "error",
    "An argument httpx 0.28 no longer accepts",
    "``proxies=`` and ``app=`` were removed in httpx 0.28: the call raises TypeError.",
    "``proxies=`` → ``proxy=`` (one proxy) or ``mounts={...}``; ``app=`` → ``transport=httpx.ASGITransport(app=...)`` "
    "(or ``httpx.WSGITransport``).",
)
DEPRECATED_ARGUMENT = Code(
    "deprecated-argument",
    "warning",
    "An argument httpx 0.28 deprecates",
    "``verify=<path>`` and ``cert=`` still work in httpx 0.28 but are deprecated in favour of an "
    "``ssl.SSLContext``.",
    "``verify=ssl.create_default_context(cafile=...)``, then ``ctx.load_cert_chain(...)`` for a client certificate.",
)
MISSING_EXTRA = Code(
    "missing-extra",
    "warning",
    "A feature that needs an httpx extra the package does not declare",
    "``http2=True`` needs the ``h2`` package (``httpx[http2]``) and a SOCKS proxy needs ``socksio`` "
    "(``httpx[socks]``); without them httpx raises ImportError when the client is built.",
    "Depend on ``httpx[http2]`` / ``httpx[socks]``.",
)
CLIENT_IN_LOOP = Code(
    "client-per-request-in-loop",
    "warning",
    "A new client (or a module-level request function) for each iteration of a loop",
    "Each ``httpx.get`` call and each new ``httpx.Client`` opens its own connection pool, so a loop of "
    "requests never reuses a connection: a TCP (and TLS) handshake per request.",
    "Create one client before the loop and make the requests through it.",
)
CODES = (NOT_AWAITED, BLOCKING_IN_ASYNC, NO_TIMEOUT, REMOVED_ARGUMENT, DEPRECATED_ARGUMENT, MISSING_EXTRA, CLIENT_IN_LOOP,
         *residuals.CODES)
REUSED = residuals.REUSED  # the migration's codes, which lint reports too


class _Lint(Residuals):
    def __init__(self, declared: str | None):
        super().__init__()
        self.declared = declared  # the package's dependency files, as text (None: extras not checked)
        self.closed: set[str] = set()
        self.unmanaged: list[tuple[str, cst.CSTNode]] = []
        self.streams: list[dict] = []
        self.async_depth = 0
        self.loop_depth = 0
        self.saved_loop: list[int] = []
        self.awaited: set[int] = set()

    # --- scopes ------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.async_depth += node.asynchronous is not None
        self.saved_loop.append(self.loop_depth)
        self.loop_depth = 0

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().leave_FunctionDef(node)
        self.async_depth -= node.asynchronous is not None
        self.loop_depth = self.saved_loop.pop()

    def visit_For(self, node: cst.For) -> None:
        super().visit_For(node)
        self.loop_depth += 1

    def leave_For(self, node) -> None:
        self.loop_depth -= 1

    def visit_While(self, node: cst.While) -> None:
        super().visit_While(node)
        self.loop_depth += 1

    leave_While = leave_For

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    # --- clients -----------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if self._client_kind(node.value) and len(node.targets) == 1:
            name = dotted(node.targets[0].target)
            if name:
                self.unmanaged.append((name, node.value))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        super().visit_WithItem(node)
        if node.asname is not None and isinstance(node.asname.name, cst.Name) and self.stream_of(node.item):
            self.streams.append({"name": node.asname.name.value, "read": False})

    def leave_With(self, node: cst.With) -> None:
        names = {item.asname.name.value for item in node.items if item.asname and isinstance(item.asname.name, cst.Name)}
        self.streams = [s for s in self.streams if s["name"] not in names]

    def _client_kind(self, node: cst.BaseExpression) -> str | None:
        return CLIENT_KINDS.get(self.httpx_name(node.func) or "") if isinstance(node, cst.Call) else None

    # --- calls -------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        func = node.func
        name = self.httpx_name(func)
        if name in CLIENT_KINDS:
            self._constructor(node, name)  # type: ignore[arg-type]
        elif name in VERBS or name == "stream":
            self._module_call(node, name)  # type: ignore[arg-type]
        if isinstance(func, cst.Attribute):
            owner = dotted(func.value)
            kind = self.kind_of(func.value)
            attr = func.attr.value
            if attr in ("close", "aclose") and owner:
                self.closed.add(owner)  # (whatever else the name may hold too)
            if kind == "async" and attr in _CLIENT_METHODS | {"aclose"} and attr not in ("stream", "build_request"):
                if id(node) not in self.awaited:
                    self.report(NOT_AWAITED, node, f"{owner or 'client'}.{attr}(...) returns a coroutine; await it")
            if kind == "sync" and self.async_depth and attr in _CLIENT_METHODS:
                self.report(BLOCKING_IN_ASYNC, node, f"{owner or 'client'}.{attr}(...) on a sync httpx.Client blocks the event loop")
            if attr == "read" and not node.args:
                for stream in self.streams:
                    if stream["name"] == owner:
                        stream["read"] = True
        if self.async_depth and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "requests":
            self.report(BLOCKING_IN_ASYNC, node, f"requests.{func.attr.value}(...) blocks the event loop")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        if node.attr.value in ("content", "text", "json") and isinstance(node.value, cst.Name):
            for stream in self.streams:
                if stream["name"] == node.value.value and not stream["read"]:
                    self.report(STREAM_NOT_READ, node, f"{stream['name']}.{node.attr.value} before {stream['name']}.read()")

    def _arguments(self, node: cst.Call, where: str) -> dict[str, cst.BaseExpression]:
        args = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        for removed in ("proxies", "app"):
            if removed in args:
                self.report(REMOVED_ARGUMENT, node, f"{where}({removed}=...) raises TypeError in httpx 0.28")
        verify = args.get("verify")
        if isinstance(verify, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self.report(DEPRECATED_ARGUMENT, node, f"{where}(verify=<path>) is deprecated")
        if isinstance(verify, cst.Name) and verify.value == "False":
            self.report(VERIFY_DISABLED, node, "verify=False: TLS certificates are not checked")
        proxy = args.get("proxy")
        if self.declared is not None and isinstance(proxy, cst.SimpleString) and "socks" in proxy.value and not re.search(r"socksio|httpx2?\[[^\]]*socks", self.declared):
            self.report(MISSING_EXTRA, node, "a SOCKS proxy needs httpx[socks] (socksio), which the package does not declare")
        return args

    def _constructor(self, node: cst.Call, name: str) -> None:
        args = self._arguments(node, f"httpx.{name}")
        if "cert" in args:  # (the module functions take no cert=: a residual rule reports it there)
            self.report(DEPRECATED_ARGUMENT, node, f"httpx.{name}(cert=...) is deprecated")
        if "timeout" not in args:
            self.report(NO_TIMEOUT, node, f"httpx.{name}() without timeout= times out after 5 s")
        http2 = args.get("http2")
        if self.declared is not None and isinstance(http2, cst.Name) and http2.value == "True" and not re.search(r"\bh2\b|httpx2?\[[^\]]*http2", self.declared):
            self.report(MISSING_EXTRA, node, "http2=True needs httpx[http2] (h2), which the package does not declare")
        if self.loop_depth:
            self.report(CLIENT_IN_LOOP, node, f"a new httpx.{name} per iteration: no connection is reused")
        if name == "Client" and self.async_depth:
            self.report(BLOCKING_IN_ASYNC, node, "a sync httpx.Client inside async def blocks the event loop")

    def _module_call(self, node: cst.Call, name: str) -> None:
        args = self._arguments(node, f"httpx.{name}")
        if "timeout" not in args:
            self.report(NO_TIMEOUT, node, f"httpx.{name}() without timeout= times out after 5 s")
        if self.async_depth:
            self.report(BLOCKING_IN_ASYNC, node, f"httpx.{name}() blocks the event loop")
        if self.loop_depth:
            self.report(CLIENT_IN_LOOP, node, f"httpx.{name}() in a loop opens a new connection each time")

    def leave_Module(self, node: cst.Module) -> None:
        super().leave_Module(node)
        for name, creation in self.unmanaged:
            if name not in self.closed:
                self.report(NOT_CLOSED, creation, f"the client bound to {name} is never closed")


def lint_module(module: cst.Module, path: str, declared: str | None = None) -> list[Finding]:
    """Lint findings for one parsed file (the tree the migration parsed, when it runs), suppressions
    not applied."""
    visitor = _Lint(declared)
    visit(module, visitor)
    if not visitor.found:
        return []
    where = positions(module, [node for _, node, _ in visitor.found])
    out = []
    speak = _httpx2_speak if visitor.httpx2 else str
    for code, node, message in visitor.found:
        start = where[id(node)].start
        out.append(Finding(code.code, code.severity, path, start.line, start.column + 1, speak(message), speak(code.fix), "lint"))
    return sorted(out, key=Finding.sort_key)


def _httpx2_speak(text: str) -> str:
    from codemods.to_httpx2 import speak

    return speak(text)


def lint_source(text: str, path: str, declared: str | None = None) -> list[Finding]:
    """Lint findings for one file's source (none for a file that does not import httpx), without
    those silenced by ``# requests2httpx: ignore[code]``."""
    if not imports_httpx(text.encode("utf-8", "replace")):
        return []
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return []
    return unsuppressed(lint_module(module, path, declared), text)[0]
