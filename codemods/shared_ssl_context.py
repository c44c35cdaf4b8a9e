"""Clients made in functions share one SSL context, built once per module as httpx builds it.

## What it does
Every ``httpx.Client(...)``/``httpx.AsyncClient(...)`` the migration writes inside a function or
method (a client per call, or per object) gets ``verify=_HTTPX_SSL_CONTEXT``, and the transports
written for its mounts or ``transport=`` get it too; the module gains, after its imports,
``_HTTPX_SSL_CONTEXT = httpx.create_ssl_context()`` — the very call an httpx client makes for
itself when no ``verify`` is given (``verify=True``, no ``cert``, ``trust_env=True``).

## Why
A ``requests.Session()`` costs about 0.01 ms to make; an ``httpx.Client()`` about 20 ms, nearly all
of it building an SSL context and loading the CA bundle into it. A class that made a session per
object, or a function that made one per call, becomes hundreds of times slower (200 objects: 0.006 s
with requests, 4.2 s with httpx). With one shared context a client costs about 0.06 ms. The
context is the same one the client would have built, read from the same environment
(``SSL_CERT_FILE``/``SSL_CERT_DIR``), once: at import rather than at each client's creation.

## When it reports instead of rewriting
Nothing is reported; these clients keep their own context, as before: clients made at module or
class level (made once anyway), clients given ``verify``, ``cert``, ``trust_env`` or ``http2``
(their context differs, or httpx changes it: ``http2`` sets its ALPN protocols on it), instances of a
Session subclass the migration turned into an ``httpx.Client`` subclass (their constructor may not
take ``verify``), and calls with ``*args``/``**kwargs``.
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Codemod, append_args, kwarg
from migrator.engine.imports import imports_tracked
from migrator.engine.names import dotted
from migrator.engine.visitors import Transformer, transform

NAME = "_HTTPX_SSL_CONTEXT"
_OWN_CONTEXT = frozenset({"verify", "cert", "trust_env", "http2"})
_CLIENTS = frozenset({"Client", "AsyncClient"})
_TRANSPORTS = frozenset({"HTTPTransport", "AsyncHTTPTransport"})


class SharedSslContext(Codemod):
    name = "shared_ssl_context"

    def __init__(self) -> None:
        self.used = False

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        made = ctx.made_as(updated)
        if made not in ("client", "async-client") or not _in_function(ctx) or not _is_httpx(ctx, updated.func, _CLIENTS):
            return updated
        keywords = {a.keyword.value for a in updated.args if a.keyword is not None}
        if keywords & _OWN_CONTEXT or any(a.star for a in updated.args):
            return updated
        args = [a.with_changes(value=transform(a.value, _Transports(ctx))) if a.keyword and a.keyword.value in ("transport", "mounts") else a
                for a in updated.args]
        if "transport" not in keywords:  # (a client given a transport builds no context of its own)
            args = append_args(args, [kwarg("verify", cst.Name(NAME))])
        self.used = True
        return ctx.mark(updated.with_changes(args=args), made)

    def leave_Module(self, ctx, original: cst.Module, updated: cst.Module):
        if not self.used or _defines(original, NAME):
            return updated  # (a later run over migrated code: the module has it already)
        statement = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(NAME))], cst.Call(ctx.httpx("create_ssl_context")))])
        body = list(updated.body)
        at = after_imports(body, ctx.httpx_alias)
        body.insert(at, statement.with_changes(leading_lines=[cst.EmptyLine()] if at else []))
        if at < len(body) - 1 and not body[at + 1].leading_lines:
            body[at + 1] = body[at + 1].with_changes(leading_lines=[cst.EmptyLine()])
        return updated.with_changes(body=body)


class _Transports(Transformer):
    """``httpx.HTTPTransport(...)`` written for the client's mounts get the shared context too."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not _is_httpx(self.ctx, updated.func, _TRANSPORTS):
            return updated
        if any(a.star or a.keyword is not None and a.keyword.value in _OWN_CONTEXT for a in updated.args):
            return updated
        return updated.with_changes(args=append_args(updated.args, [kwarg("verify", cst.Name(NAME))]))


def _defines(module: cst.Module, name: str) -> bool:
    return any(
        isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign)
        and any(isinstance(t.target, cst.Name) and t.target.value == name for t in stmt.body[0].targets)
        for stmt in module.body
    )


def _is_httpx(ctx, func: cst.BaseExpression, names: frozenset[str]) -> bool:
    return (
        isinstance(func, cst.Attribute) and func.attr.value in names
        and isinstance(func.value, cst.Name) and func.value.value == ctx.httpx_alias
    )


def _in_function(ctx) -> bool:
    return any(isinstance(scope.node, (cst.FunctionDef, cst.Lambda)) for scope in ctx.scopes)


def after_imports(body: list[cst.BaseStatement], httpx_alias: str) -> int:
    """Where the shared context can be built: after the imports ``migrator.imports.fix_imports`` adds
    (they go at the first top-level requests import, else after the last top-level import), so after
    the block of imports holding that first requests import, and after an existing ``import httpx``."""
    def imports(stmt) -> bool:
        return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)

    anchor = next((i for i, st in enumerate(body) if isinstance(st, cst.SimpleStatementLine) and imports_tracked(st)), None)
    if anchor is None:
        index = max((i + 1 for i, st in enumerate(body) if imports(st)), default=0)
    else:
        index = anchor + 1
        while index < len(body) and imports(body[index]):
            index += 1
    for i, stmt in enumerate(body):
        if imports(stmt) and any(isinstance(s, cst.Import) and any(
                (a.asname.name.value if a.asname else dotted(a.name)) == httpx_alias for a in s.names) for s in stmt.body):
            index = max(index, i + 1)
    if index == 0 and body and _is_docstring(body[0]):
        index = 1
    return index


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
