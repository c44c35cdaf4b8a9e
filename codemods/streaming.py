"""``stream=True`` → ``httpx.stream(...)`` / ``client.stream(...)``, used as a context manager.

## What it does
- ``with requests.get(url, stream=True) as r:`` → ``with httpx.stream("GET", url, ...) as r:``
  (and ``with session.get(url, stream=True) as r:`` → ``with session.stream("GET", url) as r:``);
- ``r = requests.get(url, stream=True)`` followed by statements that use ``r`` only through its
  attributes (``r.iter_content(8192)``, ``r.headers``, ``r.raise_for_status()``…) → those
  statements are wrapped in ``with httpx.stream("GET", url, ...) as r:``, and a final ``r.close()``
  is dropped (the block closes the stream);
- the rest of the call is migrated as usual (explicit timeout, redirect-following), and the body is
  read with ``iter_bytes``/``iter_text``/``iter_lines`` by ``response_api``, with the same chunk sizes.

## Why
httpx streams only inside a context manager: ``httpx.get`` always reads the whole body, and
``httpx.stream`` returns a context manager, not a response.

## When it reports instead of rewriting
``stream-not-migrated``, the call left as it was, when the streamed response escapes the block
(returned, yielded, passed to a function, stored, used in a nested function), is used in other
blocks of the function, or ``stream=`` is not a literal. Reading ``r.content``, ``r.text`` or
``r.json()`` inside the stream raises ``httpx.ResponseNotRead`` until ``r.read()`` is called:
``stream-not-read`` (reported by the catch-all).
"""

from __future__ import annotations

import libcst as cst

from codemods._blocks import region_end, simple_assign, wrap_in_with
from codemods.base import Codemod, find_kwarg
from migrator.engine.findings import Code
from migrator.engine.visitors import Visitor, visit

NOT_MIGRATED = Code(
    "stream-not-migrated",
    "error",
    "A streamed request the tool could not put in a with block; not migrated",
    "httpx streams only inside ``with httpx.stream(...) as r:`` (or ``client.stream``). The tool "
    "wraps the statements that use the response when its whole life is one block; here it escapes "
    "(returned, yielded, passed on, stored, used elsewhere in the function) or ``stream=`` is not a literal.",
    "Restructure by hand: open ``with httpx.stream(...) as r:`` where the body is consumed, or "
    "return a generator that iterates inside the block.",
)


def stream_flag(call: cst.Call) -> bool | None:
    """True/False for a literal ``stream=``; None when absent or not a literal."""
    arg = find_kwarg(call.args, "stream")
    if arg is None or not isinstance(arg.value, cst.Name) or arg.value.value not in ("True", "False"):
        return None
    return arg.value.value == "True"


def check_stream_context(ctx, original: cst.Call) -> bool:
    """Can ``original`` (a call with ``stream=True``) become a stream context manager here?
    Reports ``stream-not-migrated`` when it cannot."""
    arg = find_kwarg(original.args, "stream")
    if arg is not None and stream_flag(original) is None:
        ctx.report(NOT_MIGRATED, original, "stream= is not a literal True/False")
        return False
    parent = ctx.parent()
    if isinstance(parent, cst.WithItem) and parent.item is original:
        return True
    if _one_block_life(ctx, original):
        return True
    ctx.report(NOT_MIGRATED, original, "the streamed response is used beyond one block; not migrated")
    return False


def _one_block_life(ctx, original: cst.Call) -> bool:
    assign, line, block = ctx.parent(1), ctx.parent(2), ctx.parent(3)
    if not (isinstance(assign, cst.Assign) and assign.value is original and isinstance(line, cst.SimpleStatementLine)):
        return False
    target, _ = simple_assign(line)
    if not isinstance(target, cst.Name) or not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return False
    body = list(block.body)
    index = next((k for k, stmt in enumerate(body) if stmt is line), None)
    if index is None:
        return False
    last = region_end(body, index, target.value)
    if last is None:
        return False
    # every use of the name in the whole function (or module) must be inside that region
    owner = next((p for p in reversed(ctx.parents) if isinstance(p, (cst.FunctionDef, cst.Module))), None)
    return _count(owner, target.value) == sum(_count(s, target.value) for s in body[index : last + 1])


class _Count(Visitor):
    def __init__(self, name: str):
        self.name, self.n = name, 0

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)  # not the attribute name
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.n += node.value == self.name


def _count(node: cst.CSTNode | None, name: str) -> int:
    if node is None:
        return 0
    counter = _Count(name)
    visit(node, counter)
    return counter.n


def stream_args(verb: str, method: str, args: list[cst.Arg]) -> list[cst.Arg]:
    """``stream()`` takes the method first: ``stream("GET", url, ...)``."""
    if method == "request":
        return args
    verb_arg = cst.Arg(cst.SimpleString(f'"{verb.upper()}"'), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return [verb_arg, *args]


def stream_call(ctx, updated: cst.Call, func: cst.BaseExpression, verb: str, mapped) -> cst.Call:
    """``<func>("GET", url, ...)`` for a mapped request call with ``stream=True``, marked as a
    stream used by a ``with`` statement or bound by an assignment to be wrapped in one."""
    call = updated.with_changes(func=func, args=stream_args(verb, mapped.method, mapped.args))
    return ctx.mark(call, "stream" if isinstance(ctx.parent(), cst.WithItem) else "stream-assign")


class Streaming(Codemod):
    name = "streaming"
    codes = (NOT_MIGRATED,)

    def _wrap_streams(self, ctx, updated):
        body = list(updated.body)
        changed = False
        i = 0
        while i < len(body):
            target, value = simple_assign(body[i])
            if isinstance(target, cst.Name) and value is not None and ctx.made_as(value) == "stream-assign":
                wrapped = wrap_in_with(body, i, target.value)
                if wrapped is None:  # decided possible on the original; never leave a bare stream()
                    raise RuntimeError(f"could not wrap the stream bound to {target.value}")
                body, changed = wrapped, True
            i += 1
        return updated.with_changes(body=body) if changed else updated

    def leave_IndentedBlock(self, ctx, original, updated):
        return self._wrap_streams(ctx, updated)

    def leave_Module(self, ctx, original, updated):
        return self._wrap_streams(ctx, updated)
