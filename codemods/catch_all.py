"""The catch-all: every use of requests that no codemod migrated is reported, at its line.

## What it does
Runs last and rewrites nothing. It reports:

- every name that still refers to requests or urllib3 after the other codemods ran
  (``requests.adapters.HTTPAdapter``, ``requests.Response`` in an annotation, ``raise
  requests.HTTPError(...)``, a call left unmigrated, …): ``requests-unmigrated``;
- attributes read on a response from a migrated call whose meaning differs in httpx:
  ``response-attribute`` (an error where httpx has no such attribute, like ``r.ok``,
  ``r.reason`` or ``r.iter_content``; a warning where the value differs, like ``r.text``'s
  default charset or ``r.url``'s type);
- a response tested for truth (``if r:``, ``not r``, ``bool(r)``): an httpx Response is always
  true, requests' is ``r.ok`` (``response-truthiness``);
- a response from a migrated call that leaves the function (returned, passed on, stored), where
  code the tool cannot see may use requests-only attributes (``response-escapes``), or that is used
  as a context manager, which an httpx Response is not (``response-not-context-manager``).

Imports of requests stay while anything reported here still uses them.

## Why
The promise of the tool is that nothing changes silently: code may stay unmigrated, but then the
report says where and why.

## When it reports instead of rewriting
Always: it only reports. A requests name inside code another codemod already reported as an
error (a call left unmigrated, an unsupported session attribute) is not reported twice.
"""

from __future__ import annotations

import re

import libcst as cst

from codemods._responses import RESPONSE_DIFFERS, RESPONSE_MISSING, response_info
from codemods._units import scope_path
from codemods.base import Codemod
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.names import head_name
from migrator.engine.visitors import walk

UNMIGRATED = Code(
    "requests-unmigrated",
    "error",
    "This use of requests was not migrated",
    "No codemod rewrites this name in this position yet, so the line still uses requests (and the "
    "import of requests stays).",
    "Migrate the line by hand, or keep requests here on purpose.",
)
ATTRIBUTE = Code(
    "response-attribute",
    "error",
    "A response attribute that httpx lacks or defines differently",
    "httpx's Response has no ``ok``, ``reason``, ``iter_content``, ``raw``, ``apparent_encoding``, "
    "``is_permanent_redirect``, ``connection`` or ``next`` (and its ``request`` no ``body``: it is "
    "``content``); ``text`` decodes ``text/*`` without a "
    "charset as UTF-8 (requests: ISO-8859-1), ``url`` is an ``httpx.URL``, ``iter_lines`` yields "
    "str, ``is_redirect`` is true for any 3xx, and ``raise_for_status`` raises on 3xx.",
    "ok → ``not r.is_error``; reason → ``reason_phrase``; iter_content(n) → ``iter_bytes(n)``; "
    "url → ``str(r.url)`` where a str is needed; next → ``next_request``.",
)
ATTRIBUTE_WARNING = Code(
    "response-attribute-differs",
    "warning",
    "A response attribute whose value differs in httpx",
    "The attribute exists on httpx's Response but its value differs: ``text`` decodes ``text/*`` "
    "without a charset as UTF-8 (requests: ISO-8859-1), ``url`` is an ``httpx.URL``, ``encoding`` "
    "defaults to utf-8, ``iter_lines`` yields str, ``is_redirect`` is true for any 3xx.",
    "Check the line: ``str(r.url)`` where a str is needed, ``r.has_redirect_location`` for "
    "requests' ``is_redirect``, drop ``.decode()`` on lines from ``iter_lines``.",
)
STREAM_NOT_READ = Code(
    "stream-not-read",
    "error",
    "content/text/json of a streamed httpx response before it is read",
    "With ``stream=True`` requests reads the body when ``r.content``, ``r.text`` or ``r.json()`` is "
    "first used; inside ``httpx.stream(...)`` they raise ``httpx.ResponseNotRead`` until ``r.read()``.",
    "Call ``r.read()`` first, or drop the streaming if the whole body is wanted anyway.",
)
HEADER_NAMES = Code(
    "headers-lowercase",
    "warning",
    "Header names come out lowercase when httpx headers are iterated or copied",
    "Looking a header up (``r.headers['Content-Type']``, ``.get(...)``, ``in``) is case-insensitive "
    "in both libraries, but iterating, ``dict(r.headers)``, ``.items()`` or ``.keys()`` give the names "
    "as the server sent them in requests and lowercased in httpx.",
    "Compare names case-insensitively, or look headers up by name instead of copying them.",
)
TRUTHINESS = Code(
    "response-truthiness",
    "error",
    "A response tested for truth: always true in httpx",
    "``bool(response)`` is ``response.ok`` in requests (false for 4xx/5xx); an httpx Response is "
    "always true, so the branch now always runs.",
    "Test ``not r.is_error`` instead (``r.is_success`` is 2xx only, which is not the same).",
)
ESCAPES = Code(
    "response-escapes",
    "warning",
    "An httpx.Response now leaves this function where the tool cannot follow it",
    "The value used to be a requests.Response; code that receives it may read requests-only "
    "attributes (``ok``, ``reason``, ``iter_content``…) that httpx lacks.",
    "Check the code that receives this response.",
)
NOT_CM = Code(
    "response-not-context-manager",
    "error",
    "An httpx.Response is not a context manager",
    "``with requests.get(...) as r:`` works because requests' Response closes itself on exit; "
    "httpx's Response has no ``__enter__``.",
    "Use ``with httpx.stream(...) as r:`` for a streamed response, or drop the ``with``.",
)

_SAME = frozenset({"status_code", "content", "headers", "json", "cookies", "elapsed", "history", "close", "links"})
_MISSING = RESPONSE_MISSING
_DIFFERS = RESPONSE_DIFFERS
_HINTS = (
    ("requests.auth.HTTPProxyAuth", "credentials in the proxy URL: proxy=\"http://user:pass@host:port\""),
    ("requests.auth.", "httpx.BasicAuth / httpx.DigestAuth, or a subclass of httpx.Auth"),
    ("requests.adapters.", "an httpx.HTTPTransport(retries=..., limits=...) passed as transport= or mounts="),
    ("urllib3.", "httpx.HTTPTransport(retries=n) retries connects only; httpx-retries keeps status retries"),
    ("requests.Session", "httpx.Client"),
    ("requests.Response", "httpx.Response"),
    ("requests.exceptions.", "see the exceptions codemod's table; raising or subclassing needs a hand port"),
)


class CatchAll(Codemod):
    name = "catch_all"
    response_functions: set[str] = set()
    codes = (UNMIGRATED, ATTRIBUTE, ATTRIBUTE_WARNING, STREAM_NOT_READ, HEADER_NAMES, TRUTHINESS, ESCAPES, NOT_CM)

    def visit_Module(self, ctx, node: cst.Module) -> None:
        # functions of this file annotated ``-> requests.Response``: their results are responses
        self.response_functions = {
            stmt.name.value
            for stmt in node.body
            if isinstance(stmt, cst.FunctionDef)
            and stmt.returns is not None
            and ctx.resolve(stmt.returns.annotation) == "requests.Response"
        } if not ctx.session_class_kept else set()

    def visit_FunctionDef(self, ctx, node: cst.FunctionDef) -> None:
        # a parameter annotated requests.Response holds an httpx response once migrated only where the
        # units found every caller in this file handing it one (a public function's callers elsewhere,
        # or code kept on requests, hand it requests' responses: python-gitlab's helpers)
        if ctx.session_class_kept:
            return
        path = scope_path(ctx.scopes)
        for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            if param.annotation is not None and ctx.resolve(param.annotation.annotation) == "requests.Response":
                if ctx.unit_plan.response_param(path, param.name.value):
                    ctx.bind_object(param.name, ObjectInfo("response", param, follows_redirects=True))

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if isinstance(original.func, cst.Attribute):
            self._judge(ctx, original.func, updated.func)
        if ctx.made_as(updated) not in ("response", "response-nofollow"):
            return updated
        parent = ctx.parent()
        if isinstance(parent, cst.WithItem) and id(original) not in ctx.claimed:
            ctx.report(NOT_CM, original, "an httpx.Response cannot be used in a with statement")
        elif isinstance(parent, (cst.Return, cst.Yield, cst.Arg, cst.Element, cst.DictElement)):
            ctx.report(ESCAPES, original, "this httpx.Response is passed on where it cannot be followed")
        return updated

    def leave_Assign(self, ctx, original: cst.Assign, updated: cst.Assign):
        made = ctx.made_as(updated.value)
        for target in updated.targets:
            if made in ("response", "response-nofollow", "stream-assign"):
                stream = {"stream": made == "stream-assign"}
                ctx.bind_object(target.target, ObjectInfo("response", original.value, made != "response-nofollow", stream))
            elif _calls_one_of(updated.value, self.response_functions) and ctx.resolve(updated.value.func) is None:
                ctx.bind_object(target.target, ObjectInfo("response", original.value, True))
            elif isinstance(target.target, cst.Name):
                info = ctx.object_info(target.target)
                if info is not None and info.kind == "response":
                    ctx.bind_object(target.target, None)
        return updated

    def leave_WithItem(self, ctx, original: cst.WithItem, updated: cst.WithItem):
        made = ctx.made_as(updated.item)
        if made in ("stream", "stream-async") and updated.asname is not None:
            extra = {"stream": True, "async": made == "stream-async"}
            ctx.bind_object(updated.asname.name, ObjectInfo("response", original.item, True, extra))  # type: ignore[arg-type]
        return updated

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        parent = ctx.parent()
        if isinstance(parent, cst.Call) and parent.func is original:
            return updated  # a method: judged with its call, after response_api had its say
        self._judge(ctx, original, updated)
        return updated

    def _judge(self, ctx, original: cst.Attribute, updated: cst.BaseExpression) -> None:
        """Report a response attribute left as it was, when httpx lacks it or means otherwise."""
        if id(original) in ctx.claimed or not isinstance(updated, cst.Attribute):
            return
        if updated.attr.value != original.attr.value:
            return  # rewritten
        info = response_info(ctx, original.value, updated.value)
        if info is None:
            return
        attr = original.attr.value
        if info.extra.get("stream") and attr in ("content", "text", "json"):
            ctx.report(STREAM_NOT_READ, original, f"r.{attr} of a stream raises ResponseNotRead until r.read()")
            return
        if attr == "headers" and not header_lookup(ctx):
            ctx.report(HEADER_NAMES, original, "iterating or copying r.headers gives lowercase names in httpx")
            return
        if attr == "cookies" and _cookie_jar_method(ctx) not in (None, "get_dict"):
            ctx.report(ATTRIBUTE, original, f"httpx.Cookies has no .{_cookie_jar_method(ctx)}() (requests' cookie jar API)")
            return
        if attr in _SAME:
            return
        if attr == "raise_for_status":
            if not info.follows_redirects:
                ctx.report(ATTRIBUTE, original, "raise_for_status() raises on 3xx in httpx, and redirects are not followed here")
        elif attr in _MISSING:
            ctx.report(ATTRIBUTE, original, f"httpx.Response has no .{attr}")
        elif attr == "encoding" and isinstance(ctx.parent(), cst.AssignTarget):
            return  # set: both libraries decode with the encoding the code chose
        elif attr in _DIFFERS:
            ctx.report(ATTRIBUTE_WARNING, original, _DIFFERS[attr])
        else:
            ctx.report(ATTRIBUTE, original, f"response.{attr}: not known to the tool; check it exists in httpx")

    def leave_Name(self, ctx, original: cst.Name, updated: cst.Name):
        info = ctx.object_info(original)
        if info is None or info.kind != "response":
            return updated
        parent = ctx.parent()
        if isinstance(parent, cst.Attribute) or isinstance(parent, cst.AssignTarget):
            return updated
        if _truth_tested(parent, original):
            ctx.report(TRUTHINESS, original, "an httpx.Response is always true; requests' was r.ok")
        elif isinstance(parent, (cst.Return, cst.Yield, cst.Arg, cst.Element, cst.DictElement)):
            if not _is_print_arg(ctx):
                ctx.report(ESCAPES, original, f"{original.value} (an httpx.Response now) leaves the function here")
        return updated




def header_lookup(ctx) -> bool:
    """Is ``r.headers`` (the node being left) only looked up by name?"""
    node, parent = ctx.parents[-1], ctx.parent()
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return parent.attr.value in ("get", "get_list", "getlist")
    if isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn)):
        return True
    return False


def _cookie_jar_method(ctx) -> str | None:
    """The method called on ``r.cookies`` (the node being left), if any."""
    node, parent, grand = ctx.parents[-1], ctx.parent(), ctx.parent(2)
    if isinstance(parent, cst.Attribute) and parent.value is node and isinstance(grand, cst.Call) and grand.func is parent:
        name = parent.attr.value
        return None if name in ("get", "items", "keys", "values", "set", "delete", "clear", "update") else name
    return None


def _calls_one_of(node: cst.BaseExpression, names: set[str]) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in names


def _truth_tested(parent: cst.CSTNode | None, node: cst.Name) -> bool:
    if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is node:
        return True
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    if isinstance(parent, cst.BooleanOperation):
        return True
    return False


# calls a response is handed to without leaving the function (what they do with it reads alike)
LOOKS_ONLY = frozenset({"print", "str", "repr", "id", "type", "isinstance"})


def _is_print_arg(ctx) -> bool:
    call = ctx.parent(2)
    return isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in LOOKS_ONLY


def hint_for(qualname: str) -> str:
    for prefix, hint in _HINTS:
        if qualname.startswith(prefix):
            return f"httpx equivalent: {hint}"
    return UNMIGRATED.fix


def survivors(ctx, final: cst.Module, code: str) -> bool:
    """Report each requests name recorded during the traversal that is still in the output.

    ``code``: the output's text (its import lines may differ from ``final``'s; they are not
    read). True when a name survived (its import must then stay).
    """
    if not ctx.refs:
        return False
    heads = {head_name(orig) for _, orig, _ in ctx.refs}
    body = _without_imports(code)
    if not any(re.search(rf"(?<![\w.]){re.escape(h)}\b", body) for h in heads if h):
        return False  # no requests name is left outside import lines: nothing survived
    # Each ref lies in what its top-level statement became, unless a module-level rewrite
    # moved that statement (then it is not in the output's body as such): the whole tree then.
    in_body = {id(stmt) for stmt in final.body}
    tops = [ctx.top_updated.get(top) for top in ctx.ref_tops]
    roots = tops if all(t is not None and id(t) in in_body for t in tops) else [final]
    present = {id(node) for root in roots for node in walk(root) if type(node) is cst.Name or type(node) is cst.Attribute}  # type: ignore[arg-type]
    ctx.current_codemod = CatchAll.name
    survived = False
    for updated, original, qual in ctx.refs:
        if id(updated) in present:
            ctx.report(UNMIGRATED, original, f"{qual} is still used here", hint_for(qual), leftover=True)
            ctx.surviving_heads.add(original.value if isinstance(original, cst.Name) else _head(original))
            ctx.surviving_quals.add(qual)
            ctx.surviving_ids.add(id(updated))
            survived = True
    return survived


def _without_imports(code: str) -> str:
    return re.sub(r"^[ \t]*(?:import|from)[ \t][^\n]*", "", code, flags=re.M)


def _head(node: cst.BaseExpression) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value  # type: ignore[union-attr]
