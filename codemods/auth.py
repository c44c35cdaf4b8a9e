"""requests' auth classes → httpx's; ``AuthBase`` subclasses → ``httpx.Auth`` with ``auth_flow``.

## What it does
- ``HTTPBasicAuth(user, password)`` → ``httpx.BasicAuth(user, password)``;
  ``HTTPDigestAuth(user, password)`` → ``httpx.DigestAuth(user, password)``;
- ``class TokenAuth(requests.auth.AuthBase)`` whose ``__call__(self, r)`` sets headers on the request
  and ends with ``return r`` becomes ``class TokenAuth(httpx.Auth)`` with
  ``def auth_flow(self, r): ...; yield r``, httpx's way of writing the same thing.

An auth object is migrated only where it is handed straight to what the migration moves to httpx
(``auth=`` of a migrated call, ``client.auth = ...``). Anywhere else — stored on ``self``, passed
to a function, taken by requests code left as it is (a call left unmigrated, a session kept on
requests) — it stays requests' own: httpx's classes are not callable as requests needs, while
requests' ``HTTPBasicAuth`` works with httpx as it is.

## Why
httpx takes ``auth=`` as a tuple, an ``httpx.Auth`` instance or a callable, but requests' auth
classes build requests' ``PreparedRequest`` objects; httpx's own classes are the exact equivalents.

## When it reports instead of rewriting
- ``HTTPProxyAuth``: httpx puts proxy credentials in the proxy URL
  (``proxy="http://user:pass@host:port"``); reported by the catch-all;
- an ``AuthBase`` subclass whose ``__call__`` does more than read and set ``r.headers`` /
  ``r.method`` and return ``r`` at its end (``r.url`` is an ``httpx.URL``, ``r.body`` is
  ``r.content``, ``register_hook`` does not exist): ``auth-subclass-not-migrated``;
- credentials that are not ASCII string literals: requests encodes Basic credentials as
  ISO-8859-1, httpx as UTF-8 (``auth-encoding``, once per file).
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import AUTH_ENCODING as ENCODING, ascii_literal
from codemods.base import Codemod
from migrator.engine.findings import Code
from migrator.engine.names import head_name
from migrator.engine.visitors import Transformer, Visitor, transform_statements, visit, walk

_CLASSES = {"requests.auth.HTTPBasicAuth": "BasicAuth", "requests.auth.HTTPDigestAuth": "DigestAuth"}

SUBCLASS = Code(
    "auth-subclass-not-migrated",
    "error",
    "A requests.auth.AuthBase subclass the tool could not turn into an httpx.Auth",
    "httpx calls ``auth_flow(request)``, a generator that yields the request; requests calls "
    "``__call__(r)`` with a ``PreparedRequest`` and uses what it returns. The tool migrates "
    "``__call__`` methods that only read and set ``r.headers``/``r.method`` and end with ``return r``; "
    "this one does more, and ``r.url``/``r.body``/hooks differ in httpx.",
    "Write ``class X(httpx.Auth)`` with ``def auth_flow(self, request): ...; yield request``; use "
    "``request.content`` for the body and ``str(request.url)`` for the URL.",
)
class Auth(Codemod):
    name = "auth"
    codes = (SUBCLASS, ENCODING)

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        target = _CLASSES.get(ctx.resolve(original.func) or "")
        if target is None:
            return updated
        if not _goes_to_httpx(ctx):
            return updated  # requests' own it stays, for the requests code that may take it
        if target == "BasicAuth" and not all(ascii_literal(a.value) for a in original.args):
            ctx.report_once(ENCODING, original, "non-ASCII Basic credentials would be encoded differently")
        new = updated.with_changes(func=ctx.httpx(target))
        ctx.auth_swaps[id(new)] = (new, updated)
        ctx.swap_tops.add(id(ctx.parents[1]))
        return new

    def leave_ClassDef(self, ctx, original: cst.ClassDef, updated: cst.ClassDef):
        bases = [b for b in original.bases if ctx.resolve(b.value) == "requests.auth.AuthBase"]
        if not bases or len(original.bases) != 1:
            return updated
        body = list(updated.body.body)
        for i, item in enumerate(body):
            if isinstance(item, cst.FunctionDef) and item.name.value == "__call__":
                flow = _auth_flow(item)
                if flow is None:
                    ctx.report(SUBCLASS, original, f"{original.name.value}.__call__ does more than set headers and return the request")
                    return updated
                body[i] = flow
                new_base = updated.bases[0].with_changes(value=ctx.httpx("Auth"))
                return updated.with_changes(bases=[new_base], body=updated.body.with_changes(body=body))
        return updated


class _RequestUse(Visitor):
    """Does the function use its request parameter only as ``r.headers`` / ``r.method``?"""

    def __init__(self, name: str):
        self.name = name
        self.ok = True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.ok &= node.attr.value in ("headers", "method")
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.ok = False

    def visit_Return(self, node: cst.Return) -> bool:
        return False  # checked separately

    def visit_Yield(self, node: cst.Yield) -> None:
        self.ok = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


def _auth_flow(func: cst.FunctionDef) -> cst.FunctionDef | None:
    params = func.params
    if len(params.params) != 2 or params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg or params.kwonly_params:
        return None
    name = params.params[1].name.value
    if not isinstance(func.body, cst.IndentedBlock) or not func.body.body:
        return None
    *head, last = func.body.body
    ret = last.body[0] if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 else None
    if not (isinstance(ret, cst.Return) and isinstance(ret.value, cst.Name) and ret.value.value == name):
        return None
    check = _RequestUse(name)
    for stmt in head:
        visit(stmt, check)
        if _has_return(stmt):
            return None
    if not check.ok:
        return None
    yield_line = last.with_changes(body=[cst.Expr(cst.Yield(value=cst.Name(name)))])
    return func.with_changes(name=cst.Name("auth_flow"), body=func.body.with_changes(body=[*head, yield_line]))


class _Returns(Visitor):
    found = False

    def visit_Return(self, node: cst.Return) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


def _has_return(stmt: cst.CSTNode) -> bool:
    v = _Returns()
    visit(stmt, v)
    return v.found


def _goes_to_httpx(ctx) -> bool:
    """Is the auth object made here handed to what the migration moves to httpx: ``auth=`` of a
    requests function (a later pass puts requests' class back where the call stays) or of a migrated
    client's method, ``client.auth = ...``, or a local name (its calls are in the same function, and
    that later pass covers requests calls beside it)? Stored anywhere else (``self._auth``:
    python-gitlab hands it to a backend kept on requests), or given to a session kept on requests,
    it is not followed and stays requests' own; requests' ``HTTPBasicAuth`` works with httpx as it
    is (a callable setting the same header)."""
    parent, grand = ctx.parent(), ctx.parent(2)
    if isinstance(parent, cst.Arg) and parent.keyword is not None and parent.keyword.value == "auth" and isinstance(grand, cst.Call):
        func = grand.func
        if (ctx.resolve(func) or "").startswith("requests."):
            return True
        info = ctx.object_info(func.value) if isinstance(func, cst.Attribute) else None
        return info is not None and info.kind == "client"
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Attribute) and target.attr.value == "auth":
            info = ctx.object_info(target.value)
            return info is not None and info.kind == "client"
        return isinstance(target, cst.Name) and len(ctx.scopes) > 1 and _local_goes_to_httpx(ctx, target.value)
    return False


def _local_goes_to_httpx(ctx, name: str) -> bool:
    """Is every ``auth=<name>`` of the function a requests function's or a migrated client's?"""
    for node in walk(ctx.scopes[-1].node):
        if not isinstance(node, cst.Call):
            continue
        passed = next((a for a in node.args if a.keyword is not None and a.keyword.value == "auth"
                       and isinstance(a.value, cst.Name) and a.value.value == name), None)
        if passed is None or (ctx.resolve(node.func) or "").startswith("requests."):
            continue
        info = ctx.object_info(node.func.value) if isinstance(node.func, cst.Attribute) else None
        if info is None or info.kind != "client":
            return False  # a session kept on requests, or a function elsewhere, takes it
    return True


def keep_requests_auth(module: cst.Module, swaps: dict[int, tuple[cst.CSTNode, cst.BaseExpression]], surviving: set[int], only: set[int] | None = None) -> tuple[cst.Module, set[str]]:
    """``module`` with requests' auth classes back where requests code stays around them: in the
    arguments of a requests call left unmigrated, in a class still built on a requests class.
    Also the import-bound names they use. (httpx.BasicAuth is not callable, as requests needs.)
    ``only``: the positions of the top-level statements to look in (all when None)."""
    keeper = _RequestsAuth(swaps, surviving)
    return transform_statements(module, keeper, only), keeper.heads


class _RequestsAuth(Transformer):
    def __init__(self, swaps: dict[int, tuple[cst.CSTNode, cst.BaseExpression]], surviving: set[int]):
        super().__init__()
        self.swaps, self.surviving = swaps, surviving
        self.inside: list[int] = []  # ids of the requests calls and classes we are in
        self.heads: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call) and id(node.func) in self.surviving or isinstance(node, cst.ClassDef) and any(id(b.value) in self.surviving for b in node.bases):
            self.inside.append(id(node))
        return super().on_visit(node)

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        if self.inside and self.inside[-1] == id(original):
            self.inside.pop()
        if self.inside and id(original) in self.swaps:
            old = self.swaps[id(original)][1]
            if head := head_name(old.func):  # type: ignore[attr-defined]
                self.heads.add(head)
            return old
        return super().on_leave(original, updated)
