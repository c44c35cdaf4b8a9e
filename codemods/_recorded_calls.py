"""Recorded requests of a mock (``responses.calls``, ``rsps.calls``, ``m.last_request``): which
uses read the same once respx records ``httpx.Request``/``httpx.Response`` objects instead.

An ``httpx.Request`` shares ``method`` and ``headers`` lookups with requests' ``PreparedRequest``;
its ``url`` is an ``httpx.URL`` (the codemod wraps it in ``str()``), its body is ``content``, and it
has no ``path_url``, ``body`` or ``hooks``. A recorded ``response`` is an ``httpx.Response``.
"""

from __future__ import annotations

import libcst as cst

from codemods.catch_all import header_lookup
from migrator.engine.names import dotted
from migrator.engine.visitors import walk


def reads_the_same(ctx) -> bool:
    """Is the ``<mock>.calls`` being left used as ``len(calls)``, ``calls[i].request.method``,
    ``calls[i].request.url`` / ``.body`` (handled by the codemod), ``calls[i].response.status_code``
    / ``.content`` / ``.json()``, or a header looked up by name (``calls[i].request.headers["A"]`` /
    ``.get("A")``)? Iterating, passing the list on, or any other attribute is not known to read the same."""
    node, parent, grand = ctx.parents[-1], ctx.parent(), ctx.parent(2)
    if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Name) and grand.func.value == "len":
        return True
    if not (isinstance(parent, cst.Subscript) and parent.value is node and isinstance(grand, cst.Attribute) and grand.value is parent):
        return False
    attribute = ctx.parent(3)
    if grand.attr.value not in ("request", "response") or not (isinstance(attribute, cst.Attribute) and attribute.value is grand):
        return False
    if attribute.attr.value in (("method", "url", "body") if grand.attr.value == "request" else ("status_code", "content", "json")):
        return True  # (a recorded response is the mocked one, read alike; not its text: the charset)
    lookup = ctx.parent(4)
    return attribute.attr.value == "headers" and (
        isinstance(lookup, cst.Subscript) and lookup.value is attribute
        or isinstance(lookup, cst.Attribute) and lookup.value is attribute and lookup.attr.value == "get"
    )


def is_last_request(node: cst.BaseExpression, mockers: set[str]) -> bool:
    """``m.last_request``, or ``m.request_history[i]``, of a requests_mock mocker (original nodes)."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        node = node.value
        attr = "request_history"
    else:
        attr = "last_request"
    return (
        isinstance(node, cst.Attribute) and node.attr.value == attr
        and isinstance(node.value, cst.Name) and node.value.value in mockers
    )


# What requests-mock's request proxy gives, read on the httpx.Request respx records (``request``,
# the new receiver): the same values. ``qs`` parses the query of the lowercased URL (requests-mock
# matches case-insensitively unless told otherwise); ``text`` is None when there is no body.
def qs_of(ctx, request: cst.BaseExpression) -> cst.Call:
    ctx.required_imports.add("urllib.parse")
    query = cst.Call(cst.Attribute(cst.Call(cst.Attribute(cst.Attribute(cst.Attribute(request, cst.Name("url")), cst.Name("query")),
                                                           cst.Name("decode")), []), cst.Name("lower")), [])
    parse_qs = cst.Attribute(cst.Attribute(cst.Name("urllib"), cst.Name("parse")), cst.Name("parse_qs"))
    return cst.Call(parse_qs, [cst.Arg(query, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                               cst.Arg(cst.Name("True"), keyword=cst.Name("keep_blank_values"),
                                       equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))])


def text_of(request: cst.BaseExpression) -> cst.BaseExpression:
    decoded = cst.Call(cst.Attribute(cst.Attribute(request, cst.Name("content")), cst.Name("decode")), [cst.Arg(cst.SimpleString('"utf-8"'))])
    return cst.BooleanOperation(decoded, cst.Or(), cst.Name("None"), lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def json_of(ctx, request: cst.BaseExpression) -> cst.Call:
    return cst.Call(ctx.stdlib("json", "loads"), [cst.Arg(cst.Attribute(request, cst.Name("content")))])


def in_json_loads(ctx) -> bool:
    """Is the node being left the argument of ``json.loads(...)`` (which takes bytes and str alike)?"""
    parent, grand = ctx.parent(), ctx.parent(2)
    return isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and dotted(grand.func) == "json.loads"


def is_recorded_request(ctx, node: cst.BaseExpression, mocks: set[str]) -> bool:
    """``responses.calls[i].request`` / ``rsps.calls[i].request``."""
    if not (isinstance(node, cst.Attribute) and node.attr.value == "request" and isinstance(node.value, cst.Subscript)):
        return False
    calls = node.value.value
    if not (isinstance(calls, cst.Attribute) and calls.attr.value == "calls"):
        return False
    return ctx.resolve(calls.value) == "responses" or (isinstance(calls.value, cst.Name) and calls.value.value in mocks)


JSON_CALL = object()  # request_read's answer for ``.json()``


def request_read(ctx, original: cst.Attribute, updated: cst.Attribute):
    """``m.last_request.<attr>`` (or ``m.request_history[i].<attr>``) read on the httpx.Request respx
    recorded (``updated.value``): the expression giving the same value, :data:`JSON_CALL` for
    ``.json()`` (its call becomes ``json.loads(request.content)``), or None when none does."""
    attr, request = original.attr.value, updated.value
    if attr == "method" or (attr == "headers" and header_lookup(ctx)):
        return updated
    if attr == "url":
        return cst.Call(cst.Name("str"), [cst.Arg(updated)])
    if attr == "qs":
        return qs_of(ctx, request)
    if attr == "text":
        return text_of(request)
    if attr == "body":
        return body_read(ctx, updated)
    parent = ctx.parent()
    if attr == "json" and isinstance(parent, cst.Call) and parent.func is original and not parent.args:
        return JSON_CALL
    return None


_REGISTRATIONS = frozenset({"register_uri", "get", "post", "put", "patch", "delete", "head", "options"})


def mocker_read(ctx, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression | None:
    """``m.<attr>`` of a requests-mock mocker (or of the matcher a registration returned) on the
    respx router or route it became: the same value, ``updated`` for a registration (translated
    with its call), or None when respx has no spelling that reads the same."""
    attr = original.attr.value
    calls = cst.Attribute(updated.value, cst.Name("calls"))
    if attr in ("called", "call_count"):
        return cst.Attribute(calls, cst.Name(attr))
    if attr == "last_request":
        return cst.Attribute(cst.Attribute(calls, cst.Name("last")), cst.Name("request"))
    parent, grand = ctx.parent(), ctx.parent(2)
    if attr == "request_history" and (isinstance(parent, cst.Subscript) or (
            isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and dotted(grand.func) == "len")):
        return calls  # m.calls[i] (its .request added with the subscript), len(m.calls)
    if attr == "called_once":
        count = cst.Attribute(calls, cst.Name("call_count"))
        return cst.Comparison(count, [cst.ComparisonTarget(cst.Equal(), cst.Integer("1"))], lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    if isinstance(parent, cst.Call) and parent.func is original and attr in _REGISTRATIONS:
        return updated
    return None


# --- requests' body (bytes or str by how it was sent, None without one) read as httpx's content ---
def body_read(ctx, updated: cst.Attribute) -> cst.BaseExpression | None:
    """``<request>.body`` where the use tells what requests' body was: in ``json.loads`` or before
    ``.decode(...)`` (bytes or str alike, or bytes), tested against None (``(content or None)``),
    compared with a bytes or a str the test spells out (``content``, ``content.decode("utf-8")``).
    None elsewhere: whether it held bytes or str depends on how the request was sent."""
    content = updated.with_changes(attr=cst.Name("content"))
    parent, grand = ctx.parent(), ctx.parent(2)
    if in_json_loads(ctx) or (isinstance(parent, cst.Attribute) and parent.attr.value == "decode"):
        return content
    or_none = cst.BooleanOperation(content, cst.Or(), cst.Name("None"), lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    other = _compared_with(ctx, parent, grand)
    if other is None:
        return None
    if isinstance(other, cst.Name) and other.value == "None":
        return or_none
    kind = _string_kind(ctx, other)
    if kind == "bytes":
        return content
    if kind == "str":
        return cst.Call(cst.Attribute(content, cst.Name("decode")), [cst.Arg(cst.SimpleString('"utf-8"'))])
    return None


def _compared_with(ctx, parent, grand) -> cst.BaseExpression | None:
    """What the node being left is compared with: ``==``/``!=``/``is`` or ``assertEqual``-like."""
    node = ctx.parents[-1]
    if isinstance(parent, cst.Comparison) and parent.left is node and len(parent.comparisons) == 1:
        target = parent.comparisons[0]
        if isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
            return target.comparator
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is node and isinstance(parent.operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
        comparison = grand
        if isinstance(comparison, cst.Comparison) and len(comparison.comparisons) == 1:
            return comparison.left
    if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Attribute):
        method = grand.func.attr.value
        if method in ("assertIsNone", "assertIsNotNone") and len(grand.args) >= 1 and grand.args[0] is parent:
            return cst.Name("None")
        if method in ("assertEqual", "assertNotEqual") and len(grand.args) >= 2 and parent in grand.args[:2]:
            return grand.args[1].value if grand.args[0] is parent else grand.args[0].value
    return None


def _string_kind(ctx, node: cst.BaseExpression) -> str | None:
    """"bytes" or "str" for a literal, or a name the function assigns one literal once."""
    if isinstance(node, cst.Name):
        function = next((s.node for s in reversed(ctx.scopes) if isinstance(s.node, cst.FunctionDef)), None)
        values = [a.value for a in walk(function) if isinstance(a, cst.Assign)
                  and any(isinstance(t.target, cst.Name) and t.target.value == node.value for t in a.targets)] if function else []
        if len(values) != 1:
            return None
        node = values[0]
    strings = [n for n in walk(node) if isinstance(n, cst.SimpleString)]
    if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) or not strings:
        return None
    kinds = {"bytes" if "b" in s.prefix.lower() else "str" for s in strings}
    return kinds.pop() if len(kinds) == 1 else None
