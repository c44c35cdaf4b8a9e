"""With ``--async``: requests calls inside ``async def`` → ``await`` on one ``httpx.AsyncClient``.

## What it does
Only with ``--async`` (or ``async = true`` in the config). A requests call made directly inside a
coroutine blocks the event loop for the whole request. Each such call becomes an ``await`` on an
``httpx.AsyncClient``, one client per coroutine, opened around exactly the statements that make
the calls:

    async with httpx.AsyncClient(max_redirects=30) as client:
        r = await client.get(url, follow_redirects=True, timeout=None)

Arguments are mapped as ``module_functions`` maps them (explicit timeout and redirect-following);
``max_redirects=30`` keeps requests' redirect limit, which module functions cannot.
``with requests.get(url, stream=True) as r:`` becomes ``async with client.stream("GET", url) as r:``,
and the loops over its body become ``async for`` over ``r.aiter_bytes(n)`` / ``aiter_text`` /
``aiter_lines``.

## Why
The point of moving async code to httpx is to stop blocking the event loop; a synchronous
``httpx.get`` inside a coroutine would keep blocking it.

## When it reports instead of rewriting
Only calls made directly in the coroutine are awaited; calls in nested (sync) functions and
lambdas, streams outside a ``with`` statement and sessions stay synchronous, migrated by the other
codemods, and are reported as ``async-still-blocking``. No function changes from ``def`` to
``async def``, so no caller breaks.
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import VERBS, hooked, map_request_args
from codemods.streaming import stream_args, stream_flag
from codemods.base import Codemod, await_expression, find_kwarg, kwarg
from migrator.engine.findings import Code
from migrator.engine.visitors import Visitor, visit

STILL_BLOCKING = Code(
    "async-still-blocking",
    "info",
    "A request in a coroutine that stays synchronous",
    "With ``--async`` the tool awaits requests calls made directly in a coroutine; this one is in a "
    "nested function, streams, or goes through a session, so it was migrated to synchronous httpx "
    "and still blocks the event loop as it did with requests.",
    "Move it to an ``httpx.AsyncClient`` by hand (``async with client.stream(...)``, ``aiter_bytes()``).",
)
_QUALNAMES = {f"requests.{verb}": verb for verb in VERBS}


class AsyncCalls(Codemod):
    name = "async_calls"
    codes = (STILL_BLOCKING,)

    def __init__(self) -> None:
        self.awaits: dict[int, tuple[str, set[int]]] = {}  # id(async def) -> (client name, ids of awaits)
        self.async_withs: set[int] = set()  # ids of original ``with`` statements around a stream

    def leave_With(self, ctx, original: cst.With, updated: cst.With):
        if id(original) in self.async_withs:
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if not ctx.options.async_calls:
            return updated
        verb = _QUALNAMES.get(ctx.resolve(original.func) or "")
        if verb is None:
            return updated
        func = _coroutine(ctx)
        if func is None:
            if _inside_coroutine(ctx):
                ctx.report(STILL_BLOCKING, original, "this request is in a nested function of a coroutine")
            return updated
        streamed = find_kwarg(original.args, "stream") is not None
        parent, grand = ctx.parent(), ctx.parent(2)
        with_stream = streamed and isinstance(parent, cst.WithItem) and isinstance(grand, cst.With) and len(grand.items) == 1
        if streamed and (not with_stream or stream_flag(original) is not True):
            ctx.report(STILL_BLOCKING, original, "a stream outside 'with ... as r:' stays synchronous")
            return updated
        mapped = map_request_args(ctx, original, updated, verb, on_client=False)
        if mapped is None:
            return updated
        name, ids = self.awaits.setdefault(id(func), (_client_name(ctx), set()))
        ctx.required_imports.add("httpx")
        if with_stream:
            # with requests.get(url, stream=True) as r: -> async with client.stream("GET", url) as r:
            call = updated.with_changes(
                func=cst.Attribute(cst.Name(name), cst.Name("stream")), args=stream_args(verb, mapped.method, mapped.args)
            )
            ids.add(id(call))
            self.async_withs.add(id(grand))
            return ctx.mark(call, "stream-async")
        call = updated.with_changes(func=cst.Attribute(cst.Name(name), cst.Name(mapped.method)), args=mapped.args)
        awaited = await_expression(ctx, call) if mapped.hooks is None else cst.Await(call)
        ids.add(id(awaited))
        awaited = hooked(ctx, awaited, mapped)
        return ctx.mark(awaited, "response" if mapped.follows_redirects else "response-nofollow")

    def leave_FunctionDef(self, ctx, original: cst.FunctionDef, updated: cst.FunctionDef):
        entry = self.awaits.pop(id(original), None)
        if entry is None:
            return updated
        name, ids = entry
        body = list(updated.body.body)
        using = [i for i, stmt in enumerate(body) if _contains(stmt, ids)]
        first, last = using[0], using[-1]
        client = cst.Call(ctx.httpx("AsyncClient"), [kwarg("max_redirects", cst.Integer("30"))])
        block = cst.With(
            items=[cst.WithItem(client, asname=cst.AsName(cst.Name(name)))],
            body=cst.IndentedBlock(body=[body[first].with_changes(leading_lines=()), *body[first + 1 : last + 1]]),
            asynchronous=cst.Asynchronous(),
            leading_lines=body[first].leading_lines,
        )
        return updated.with_changes(body=updated.body.with_changes(body=[*body[:first], block, *body[last + 1 :]]))


def _coroutine(ctx) -> cst.FunctionDef | None:
    """The ``async def`` the call is directly in (not in a nested function or lambda)."""
    scope = ctx.scope
    node = scope.node
    return node if isinstance(node, cst.FunctionDef) and node.asynchronous is not None else None


def _inside_coroutine(ctx) -> bool:
    return any(isinstance(s.node, cst.FunctionDef) and s.node.asynchronous is not None for s in ctx.scopes)


def _client_name(ctx) -> str:
    taken = ctx.scope.local
    for name in ("client", "http_client", "async_client"):
        if name not in taken:
            return name
    return "async_client_"


class _Finder(Visitor):
    def __init__(self, ids: set[int]):
        self.ids, self.found = ids, False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.ids:
            self.found = True
        return not self.found


def _contains(stmt: cst.CSTNode, ids: set[int]) -> bool:
    finder = _Finder(ids)
    visit(stmt, finder)
    return finder.found
