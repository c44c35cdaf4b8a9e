"""Lint rules for requests-only API used on httpx objects: the residuals of a migration.

A first ``migrate`` run reports them on the code it migrates; these rules find them again in
the migrated code (by ``migrate lint``, ``migrate --check`` and any later run), with the codes
the migration used, so a residual is not forgotten once its file is httpx code. Each rule
follows the clients and responses :class:`~migrator.lint.objects.HttpxObjects` knows of.
"""

from __future__ import annotations

import builtins

import libcst as cst

from codemods._client_options import NOTE_RE, NOTED
from codemods._request_args import ARG_UNSUPPORTED, PARAMS_SEMANTICS, VERBS
from codemods.catch_all import ATTRIBUTE, ESCAPES, TRUTHINESS
from codemods.client_configuration import NOT_HOISTED, _classify
from codemods.prepared_requests import _DIFFERS as _REQUEST_DIFFERS
from codemods.prepared_requests import ATTRIBUTE as REQUEST_ATTRIBUTE
from codemods.response_api import LINES_ARE_STR
from codemods.session_to_client import ATTR_UNSUPPORTED
from migrator.engine.findings import Code
from migrator.lint.migrated_calls import REUSED as MIGRATED_CALL_CODES
from migrator.lint.migrated_calls import (
    argument_warnings, attribute_warning, broader_warnings, env_proxies_warning, escapes, header_names_warning,
    made_by_migration, written_by_migration,
)
from migrator.lint.objects import CLIENT_KINDS, HttpxObjects
from migrator.engine.names import dotted

NO_BODY = Code(
    "verb-takes-no-body",
    "error",
    "A body passed to get(), head(), options() or delete(), which take none in httpx",
    "requests sends ``data=``, ``json=`` or ``files=`` with any verb; httpx's ``get``, ``head``, "
    "``options`` and ``delete`` (module functions and client methods) take no body arguments, "
    "and the call raises TypeError.",
    "Use ``request()``: ``client.request(\"DELETE\", url, json=...)`` (or ``httpx.request(...)``).",
)
CONTENT_EXCEPTION = Code(
    "response-content-exception",
    "error",
    "An exception given as the content of an httpx.Response",
    "responses and requests-mock raise an exception registered as a mocked body "
    "(``body=ConnectionError()``); ``httpx.Response(content=...)`` takes bytes, str or an "
    "iterator of bytes, and raises TypeError when it gets an exception (instance or class).",
    "Make the mock raise: respx ``route.mock(side_effect=httpx.ConnectError(...))``, pytest-httpx "
    "``httpx_mock.add_exception(httpx.ConnectError(...))``.",
)
CODES = (NO_BODY, CONTENT_EXCEPTION)
# codes of the migration these rules report too (a later run speaks with the first run's codes)
REUSED = (ATTRIBUTE, TRUTHINESS, LINES_ARE_STR, ATTR_UNSUPPORTED, NOT_HOISTED, ARG_UNSUPPORTED, REQUEST_ATTRIBUTE,
          *MIGRATED_CALL_CODES, *NOTED.values())

_RESPONSE_MISSING = {
    "ok": "use not r.is_error",
    "reason": "use r.reason_phrase",
    "iter_content": "use r.iter_bytes(chunk_size), or r.iter_text(chunk_size) for decode_unicode=True",
    "raw": "use r.iter_raw() for the undecoded bytes, or r.stream (there is no urllib3 response)",
    "apparent_encoding": "httpx guesses no charset: use r.encoding, or httpx.Client(default_encoding=<callable>)",
    "is_permanent_redirect": 'use r.status_code in (301, 308) and "location" in r.headers',
    "connection": "httpx has none: the connection belongs to the client's transport",
    "next": "use r.next_request",
}
_CLIENT_MISSING = {
    "mount": "pass mounts={'https://': httpx.HTTPTransport(...)} (or transport=) to httpx.Client(...)",
    "adapters": "transports are given to httpx.Client(mounts=..., transport=...)",
    "proxies": "pass proxy= or mounts= to httpx.Client(...)",
    "hooks": "use client.event_hooks, or event_hooks={...} in httpx.Client(...)",
    "prepare_request": "use client.build_request(method, url, ...)",
    "verify": "pass verify= to httpx.Client(...) (an ssl.SSLContext for a CA or client certificate)",
    "cert": "load it into an ssl.SSLContext (load_cert_chain) passed as verify= to httpx.Client(...)",
    "get_adapter": "transports are given to httpx.Client(mounts=..., transport=...)",
    "merge_environment_settings": "httpx reads the environment itself when trust_env=True",
    "rebuild_auth": "redirects are handled by httpx itself",
    "rebuild_proxies": "redirects are handled by httpx itself",
    "resolve_redirects": "follow redirects with follow_redirects=True, or one at a time with r.next_request",
}
# settings an httpx client takes only in its constructor: set later, they are ignored
# (trust_env raises). max_redirects is not among them: httpx reads client.max_redirects per request.
_IGNORED_SETTINGS = ("verify", "cert", "proxies", "trust_env", "hooks")
_HOISTABLE = ("verify", "cert", "proxies", "proxies_update", "trust_env", "hooks", "hook_append", "mount")
_ARG_ADVICE = {
    "verify": "set verify= on httpx.Client(...)",
    "cert": "load the certificate into an ssl.SSLContext (load_cert_chain) given as verify=",
    "proxies": "set proxy= or mounts= on httpx.Client(...)",
    "allow_redirects": "rename it follow_redirects=",
    "stream": "use 'with client.stream(method, url, ...) as r'",
    "hooks": "use event_hooks= on httpx.Client(...)",
    "timeout": "pass timeout= to build_request(...)",
}
_CLIENT_METHOD_REJECTS = ("verify", "cert", "proxies", "allow_redirects", "stream", "hooks")
_SEND_REJECTS = ("verify", "cert", "proxies", "allow_redirects", "timeout")
# (proxies= on module functions is removed-argument, reported with the constructor's arguments)
_FUNCTION_REJECTS = ("cert", "allow_redirects", "stream", "hooks")
_BODYLESS = ("get", "head", "options", "delete")
_BODY_ARGS = ("data", "json", "files", "content")
_EXCEPTION_NAMES = frozenset(
    {"TooManyRedirects", "InvalidURL", "CookieConflict", "StreamConsumed", "ResponseNotRead", "RequestNotRead",
     "StreamClosed", "UnsupportedProtocol", "InvalidSchema", "MissingSchema", "InvalidHeader", "RetryError"}
)


class Residuals(HttpxObjects):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[Code, cst.CSTNode, str]] = []
        self.blocks: list[list] = []  # the statements of the blocks being read, innermost last
        self.hoistable: dict[int, tuple[str, str]] = {}  # id(statement) -> (the client it configures, what)
        self.in_setting = 0  # inside a statement reported as a setting not in the constructor
        self.judged: set[int] = set()  # client attributes reported with their assignment
        self.migrated_clients: set[str] = set()  # names (or self.attr) of clients the migration made
        self.migrated_responses: set[str] = set()  # names bound to responses of calls it wrote
        self.migrated = False  # the file holds code the migration evidently wrote
        self.handlers: list[cst.BaseExpression] = []  # the classes except clauses catch
        self.escaping: list[cst.Call] = []  # responses of clients from elsewhere, handed on
        self.read_through: set[int] = set()  # ids of ``r.headers`` looked up by name, ``r.request`` read for its url...
        self.targets: set[int] = set()  # ids of tuples and lists assigned to

    def report(self, code: Code, node: cst.CSTNode, message: str) -> None:
        self.found.append((code, node, message))

    # --- settings made after the client: reported like the migration reports them -------------
    def visit_Module(self, node: cst.Module) -> None:
        self.blocks.append(node.body)

    def leave_Module(self, node: cst.Module) -> None:
        if self.migrated:  # its except clauses, and clients handed to its functions, are the migration's too
            for caught in self.handlers:
                broader_warnings(self.report, self, caught)
            for call in self.escaping:
                self.report(ESCAPES, call, "this httpx.Response is passed on where it cannot be followed")

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        note = NOTE_RE.search(node.comment.value) if node.comment is not None and "note[" in node.comment.value else None
        if note is not None and note.group(1) in NOTED:
            self.report(NOTED[note.group(1)], node, f"{note.group(2)} (noted by the migration: delete the note once checked)")

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node.body)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        setting = self.hoistable.get(id(node))
        if setting is not None:
            self.in_setting += 1
            target, kind = setting
            attr = {"proxies_update": "proxies", "hook_append": "hooks"}.get(kind, kind)
            assigned = type(node.body[0]) is cst.Assign and type(node.body[0].targets[0].target) is cst.Attribute  # type: ignore[attr-defined]
            effect = "is ignored" if assigned and attr != "trust_env" else "raises AttributeError"
            self.report(NOT_HOISTED, node, f"{target}.{attr} {'set' if assigned else 'used'} after httpx.Client(...) {effect}: {_CLIENT_MISSING.get(attr, 'pass trust_env= to httpx.Client(...)')}")
            return
        small = node.body[0] if len(node.body) == 1 else None
        if type(small) is cst.Assign and len(small.targets) == 1 and self.blocks:  # type: ignore[union-attr]
            if type(small.value) is cst.Call and self.httpx_name(small.value.func) in CLIENT_KINDS:  # type: ignore[union-attr]
                body = self.blocks[-1]
                at = next((i for i, stmt in enumerate(body) if stmt is node), None)
                if at is not None:
                    self._settings_after(small.targets[0].target, body[at + 1 :])  # type: ignore[union-attr]

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if id(node) in self.hoistable:
            self.in_setting -= 1

    def visit_With(self, node: cst.With) -> None:
        item = node.items[0] if len(node.items) == 1 else None
        if item is not None and item.asname is not None and isinstance(node.body, cst.IndentedBlock):
            if type(item.item) is cst.Call and self.httpx_name(item.item.func) in CLIENT_KINDS:  # type: ignore[attr-defined]
                self._settings_after(item.asname.name, node.body.body)

    def _settings_after(self, target: cst.BaseExpression, following) -> None:
        """The statements right after a client is made that configure it (client_configuration's
        rule): the migration reports those it could not move into the constructor there."""
        name = self._target_text(target)
        if name is None:
            return
        for stmt in following:
            kind = _classify(self, stmt, name)
            if kind is None:
                break
            if isinstance(kind, tuple) and kind[0] in _HOISTABLE:
                self.hoistable[id(stmt)] = (name, kind[0])

    @staticmethod
    def _target_text(target: cst.BaseExpression) -> str | None:
        if type(target) is cst.Name:
            return target.value  # type: ignore[attr-defined]
        if type(target) is cst.Attribute and type(target.value) is cst.Name and target.value.value == "self":  # type: ignore[attr-defined]
            return f"self.{target.attr.value}"  # type: ignore[attr-defined]
        return None

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and type(node.item) is cst.Call and made_by_migration(node.item):
            self.migrated_clients.add(dotted(node.asname.name) or "")
        if node.asname is not None:
            self.targets.add(id(node.asname.name))
            if self.stream_of(node.item) and self._written_by_migration(node.item):  # type: ignore[arg-type]
                self.migrated_responses.add(dotted(node.asname.name) or "")

    def visit_Assign(self, node: cst.Assign) -> None:
        self.targets.update(id(t.target) for t in node.targets)
        if type(node.value) is cst.Call and made_by_migration(node.value):
            self.migrated_clients.update(dotted(t.target) or "" for t in node.targets)
        elif type(node.value) is cst.Call and self._written_by_migration(node.value):
            self.migrated_responses.update(dotted(t.target) or "" for t in node.targets)
        for target in node.targets:
            where = target.target
            if type(where) is cst.Attribute and where.attr.value == "params" and dotted(where.value) in self.migrated_clients:  # type: ignore[attr-defined]
                self.report(PARAMS_SEMANTICS, where, "client params replace every request URL's query in httpx (a migrated client)")
            if type(where) is cst.Attribute and where.attr.value in _IGNORED_SETTINGS and self.is_client(where.value):  # type: ignore[attr-defined]
                self.judged.add(id(where))
                if not self.in_setting:
                    attr = where.attr.value  # type: ignore[attr-defined]
                    effect = "raises AttributeError (read-only)" if attr == "trust_env" else "is ignored"
                    self.report(ATTR_UNSUPPORTED, where, f"setting {attr} on an httpx.Client after it is made {effect}: {_CLIENT_MISSING.get(attr, 'pass trust_env= to httpx.Client(...)')}")

    def _written_by_migration(self, call: cst.Call) -> bool:
        """A request call the migration wrote: a module function with requests' defaults written
        out, or a method of a client it made."""
        func = call.func
        name = self.httpx_name(func)
        if name in VERBS or name == "stream":
            return written_by_migration({a.keyword.value: a.value for a in call.args if a.keyword is not None})
        return type(func) is cst.Attribute and func.attr.value in (*VERBS, "stream") and dotted(func.value) in self.migrated_clients

    # --- attributes --------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        owner = self.kind_of(node.value)
        if attr in ("get", "get_list", "getlist"):
            self.read_through.add(id(node.value))
        elif attr in ("url", "headers", "method") and type(node.value) is cst.Attribute and node.value.attr.value == "request":  # type: ignore[attr-defined]
            self.read_through.add(id(node.value))  # the migration judged r.request.url with its .url
        if owner == "response" and self._migrated_response(node.value):
            if attr == "headers":
                if id(node) not in self.read_through:
                    header_names_warning(self.report, node)
            elif attr == "encoding" and id(node) in self.targets:
                pass  # set: both libraries decode with the encoding the code chose
            elif attr != "request" or id(node) not in self.read_through:
                attribute_warning(self.report, node)
        if owner == "request" and attr in _REQUEST_DIFFERS and (attr != "url" or self.migrated):
            self.report(REQUEST_ATTRIBUTE, node, f"request.{attr} differs on an httpx.Request: {_REQUEST_DIFFERS[attr]}")
        if owner == "response" and attr in _RESPONSE_MISSING:
            self.report(ATTRIBUTE, node, f"httpx.Response has no .{attr} (AttributeError): {_RESPONSE_MISSING[attr]}")
        elif owner in ("sync", "async") and attr in _CLIENT_MISSING and id(node) not in self.judged and not self.in_setting:
            self.report(ATTR_UNSUPPORTED, node, f"httpx.Client has no .{attr} (AttributeError): {_CLIENT_MISSING[attr]}")
        elif attr == "body" and type(node.value) is cst.Attribute and node.value.attr.value == "request":  # type: ignore[attr-defined]
            if self.kind_of(node.value.value) == "response":  # type: ignore[attr-defined]
                self.report(ATTRIBUTE, node, "httpx.Request has no .body (AttributeError): use .content (always bytes)")

    def _migrated_response(self, node: cst.BaseExpression) -> bool:
        """A name bound to a response of a call the migration wrote, or such a call."""
        if type(node) is cst.Call:
            return self._written_by_migration(node)  # type: ignore[arg-type]
        return dotted(node) in self.migrated_responses

    # --- calls -------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        name = self.httpx_name(func)
        if name is not None:
            if name == "Response" and _is_exception(self, keywords.get("content")):
                self.report(CONTENT_EXCEPTION, node, "httpx.Response(content=<exception>) raises TypeError: make the mock raise it (side_effect= / add_exception)")
            elif name in VERBS or name == "stream":
                self._request_arguments(node, f"httpx.{name}", name, keywords, _FUNCTION_REJECTS, "httpx")
                if written_by_migration(keywords):
                    self.migrated = True
                    argument_warnings(self.report, node, keywords)
            elif name in CLIENT_KINDS and made_by_migration(node):
                self.migrated = True
                env_proxies_warning(self.report, self, node)
        elif type(func) is cst.Attribute:
            method = func.attr.value
            owner = self.kind_of(func.value)
            if owner in ("sync", "async") and (method in VERBS or method in ("stream", "send")):
                rejects = _SEND_REJECTS if method == "send" else _CLIENT_METHOD_REJECTS
                self._request_arguments(node, f"{dotted(func.value) or 'client'}.{method}", method, keywords, rejects, "client")
                if method in VERBS and dotted(func.value) in self.migrated_clients:
                    argument_warnings(self.report, node, keywords)
            elif owner == "response" and method == "iter_lines" and node.args:
                self.report(LINES_ARE_STR, node, "httpx's iter_lines() takes no arguments (TypeError) and yields str: drop them")
            elif owner == "line" and (method == "decode" or any(_is_bytes(a.value) for a in node.args)):
                what = ".decode() raises AttributeError" if method == "decode" else f".{method}(<bytes>) raises TypeError"
                self.report(LINES_ARE_STR, node, f"lines from httpx's iter_lines() are str: {what}; drop the decode, use str literals")
        elif type(func) is cst.Name and func.value == "bool" and len(node.args) == 1:
            self._truth(node.args[0].value)
        for arg in node.args:
            self._escape(arg.value, escapes(func))

    def _request_arguments(self, node: cst.Call, where: str, verb: str, keywords: dict, rejects: tuple[str, ...], kind: str) -> None:
        bad = [k for k in rejects if k in keywords]
        if bad:
            advice = _ARG_ADVICE[bad[0]] if len(bad) == 1 else "; ".join(f"{k}=: {_ARG_ADVICE[k]}" for k in bad)
            self.report(ARG_UNSUPPORTED, node, f"{where}(..., {'=..., '.join(bad)}=...) raises TypeError in httpx: {advice}")
        body = [k for k in _BODY_ARGS if k in keywords]
        if verb in _BODYLESS and body:
            call = "client.request" if kind == "client" else "httpx.request"
            self.report(NO_BODY, node, f"{where}() takes no {body[0]}= in httpx (TypeError): use {call}(\"{verb.upper()}\", url, {body[0]}=...)")

    # --- where a migrated call's response leaves for code the tool cannot see ----------------------
    def _escape(self, value: cst.BaseExpression | None, named: bool = True) -> None:
        if type(value) is cst.Name and named and value.value in self.migrated_responses and self.kind_of(value) == "response":  # type: ignore[union-attr]
            self.report(ESCAPES, value, f"{value.value} (an httpx.Response now) leaves the function here")  # type: ignore[union-attr]
        elif type(value) is cst.Call and self.kind_of(value) == "response":
            if self._written_by_migration(value):  # type: ignore[arg-type]
                self.report(ESCAPES, value, "this httpx.Response is passed on where it cannot be followed")  # type: ignore[arg-type]
            elif type(value.func) is cst.Attribute and self.is_client(value.func.value):  # type: ignore[attr-defined]
                self.escaping.append(value)  # a client handed in (a parameter): the migration's if the file is

    def visit_Return(self, node: cst.Return) -> None:
        self._escape(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        self._escape(node.value)  # type: ignore[arg-type]

    def visit_Tuple(self, node: cst.Tuple) -> None:
        if id(node) not in self.targets:
            for element in node.elements:
                self._escape(element.value)

    visit_List = visit_Set = visit_Tuple

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if type(element) is cst.DictElement:
                self._escape(element.key)  # type: ignore[attr-defined]
                self._escape(element.value)

    def visit_For(self, node: cst.For) -> None:
        super().visit_For(node)
        self.targets.add(id(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.targets.add(id(node.target))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.read_through.add(id(node.value))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None:
            self.handlers.append(node.type)

    # --- truth tests: an httpx Response is always true --------------------------------------------
    def _truth(self, node: cst.BaseExpression) -> None:
        if self.kind_of(node) == "response":
            self.report(TRUTHINESS, node, "an httpx.Response is always true (requests': r.ok): test not r.is_error")

    def visit_If(self, node) -> None:
        self._truth(node.test)

    visit_While = visit_IfExp = visit_Assert = visit_If

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not):
            self._truth(node.expression)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        self._truth(node.left)
        self._truth(node.right)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.read_through.update(id(c.comparator) for c in node.comparisons if type(c.operator) in (cst.In, cst.NotIn))
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        if any(self.kind_of(o) == "line" for o in operands) and any(_is_bytes(o) for o in operands):
            self.report(LINES_ARE_STR, node, "lines from httpx's iter_lines() are str: compared with bytes they never match (or raise): use str literals")


def _is_bytes(node: cst.BaseExpression) -> bool:
    return type(node) is cst.SimpleString and "b" in node.prefix.lower()  # type: ignore[attr-defined]


def _is_exception(visitor: HttpxObjects, node: cst.BaseExpression | None) -> bool:
    """Is ``node`` an exception class or instance, by its name (``ConnectionError()``, ``httpx.ReadTimeout``)?"""
    if type(node) is cst.Call:
        node = node.func  # type: ignore[attr-defined]
    if type(node) not in (cst.Name, cst.Attribute):
        return False
    last = (visitor.resolve(node) or dotted(node) or "").rpartition(".")[2]
    known = getattr(builtins, last, None)
    if isinstance(known, type) and issubclass(known, BaseException):
        return True
    return last.endswith(("Error", "Exception", "Timeout")) or last in _EXCEPTION_NAMES
