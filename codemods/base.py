"""The base every codemod derives from, and the small node builders they share.

A codemod is a class with ``visit_<Node>(ctx, node)`` and
``leave_<Node>(ctx, original, updated) -> node`` methods, like a LibCST
transformer that also receives the shared :class:`migrator.engine.context.Context`.
The engine runs all codemods in one traversal of one tree, in their declared
order, so a file is parsed once whatever the number of codemods.

The class docstring is the codemod's documentation page (``docs/codemods/``):
a title line, then ``## What it does``, ``## Why`` and
``## When it reports instead of rewriting`` sections.  The before/after
example on the page is taken from ``fixtures/<name>/basic/``, so it is tested.
"""

from __future__ import annotations

import functools

from typing import TYPE_CHECKING, Sequence

import libcst as cst

if TYPE_CHECKING:
    from migrator.engine.findings import Code


class Codemod:
    #: stable id, also the module name and the fixtures folder name
    name: str = ""
    #: the report codes this codemod may emit
    codes: Sequence["Code"] = ()


def kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def find_kwarg(args: Sequence[cst.Arg], name: str) -> cst.Arg | None:
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_args(args: Sequence[cst.Arg]) -> bool:
    return any(arg.star in ("*", "**") for arg in args)


def with_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    """The same argument passed by keyword (positional arguments become keywords)."""
    if arg.keyword is not None:
        return arg.with_changes(keyword=cst.Name(name))
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def append_args(args: Sequence[cst.Arg], extra: Sequence[cst.Arg]) -> list[cst.Arg]:
    """``args + extra`` with commas fixed up, keeping a trailing comma's layout."""
    args = list(args)
    if not extra:
        return args
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            # a trailing comma (often before a newline): new args go after it, same layout
            layout = last.comma
            extra = [a.with_changes(comma=layout) for a in extra]
            return args + extra
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    out = args + [
        a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in extra[:-1]
    ]
    out.append(extra[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT))
    return out


def body_literal_kind(node: cst.BaseExpression) -> str | None:
    """How a ``data=`` body is encoded: "exact" when requests and httpx send the same
    bytes (bytes, ASCII str, ``x.encode(...)``), "str" for a str that may hold non-ASCII text
    (requests encodes a str body as ISO-8859-1, httpx as UTF-8), None when not a literal."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return "exact" if isinstance(value, bytes) or value.isascii() else "str"
    if isinstance(node, cst.ConcatenatedString):
        kinds = {body_literal_kind(node.left), body_literal_kind(node.right)}
        return "exact" if kinds == {"exact"} else "str"
    if isinstance(node, cst.FormattedString):
        return "str"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "encode":
        return "exact"  # str.encode(...) is bytes, whatever the str
    return None


def literal_text(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f) string literal, else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def await_expression(ctx, call: cst.BaseExpression) -> cst.Await:
    """``await call``, parenthesised where it is the object of ``.attr``, ``[...]`` or a call:
    ``(await client.get(url)).json()`` (``await client.get(url).json()`` awaits ``.json()``)."""
    parent = ctx.parent()
    awaited = cst.Await(call)
    if isinstance(parent, (cst.Attribute, cst.Subscript)) or (isinstance(parent, cst.Call) and parent.func is ctx.parents[-1]):
        return awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return awaited


def with_function(body: list, at: int, text: str) -> list:
    """``body`` (a module's statements) with the function ``text`` inserted at ``at``, set apart by
    two blank lines on both sides (the helpers the tool writes once into a module)."""
    body = list(body)
    helper = _parsed_function(text).with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    if at < len(body):  # its comments stay above it
        comments = [line for line in body[at].leading_lines if line.comment is not None]
        body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *comments])
    body.insert(at, helper)
    return body


@functools.lru_cache(maxsize=None)
def _parsed_function(text: str) -> cst.BaseStatement:
    """The helper's tree, parsed once per process (LibCST trees are immutable: shared safely)."""
    return cst.parse_module(text).body[0]
