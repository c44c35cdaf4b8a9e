"""Recorded requests of a mock (``responses.calls``, ``rsps.calls``, ``m.last_request``): which
uses read the same once respx records ``httpx.Request``/``httpx.Response`` objects instead.

An ``httpx.Request`` shares ``method`` and ``headers`` lookups with requests' ``PreparedRequest``;
its ``url`` is an ``httpx.URL`` (the codemod wraps it in ``str()``), its body is ``content``, and it
has no ``path_url``, ``body`` or ``hooks``. A recorded ``response`` is an ``httpx.Response``.
"""

from __future__ import annotations

import libcst as cst


def reads_the_same(ctx) -> bool:
    """Is the ``<mock>.calls`` being left used as ``len(calls)``, ``calls[i].request.method``,
    ``calls[i].request.url`` / ``.body`` (handled by the codemod), or a header looked up by name
    (``calls[i].request.headers["A"]`` / ``.get("A")``)? Iterating, passing the list on, a recorded
    response or any other request attribute is not known to read the same."""
    node, parent, grand = ctx.parents[-1], ctx.parent(), ctx.parent(2)
    if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Name) and grand.func.value == "len":
        return True
    if not (isinstance(parent, cst.Subscript) and parent.value is node and isinstance(grand, cst.Attribute) and grand.value is parent):
        return False
    attribute = ctx.parent(3)
    if grand.attr.value != "request" or not (isinstance(attribute, cst.Attribute) and attribute.value is grand):
        return False
    if attribute.attr.value in ("method", "url", "body"):
        return True
    lookup = ctx.parent(4)
    return attribute.attr.value == "headers" and (
        isinstance(lookup, cst.Subscript) and lookup.value is attribute
        or isinstance(lookup, cst.Attribute) and lookup.value is attribute and lookup.attr.value == "get"
    )


def is_last_request(node: cst.BaseExpression, mockers: set[str]) -> bool:
    return (
        isinstance(node, cst.Attribute) and node.attr.value == "last_request"
        and isinstance(node.value, cst.Name) and node.value.value in mockers
    )


def is_recorded_request(ctx, node: cst.BaseExpression, mocks: set[str]) -> bool:
    """``responses.calls[i].request`` / ``rsps.calls[i].request``."""
    if not (isinstance(node, cst.Attribute) and node.attr.value == "request" and isinstance(node.value, cst.Subscript)):
        return False
    calls = node.value.value
    if not (isinstance(calls, cst.Attribute) and calls.attr.value == "calls"):
        return False
    return ctx.resolve(calls.value) == "responses" or (isinstance(calls.value, cst.Name) and calls.value.value in mocks)
