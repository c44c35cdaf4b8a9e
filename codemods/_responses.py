"""Which expressions hold a response from a migrated call.

A response is known when it is the result of a request call a codemod rewrote (marked on the
new node), a name or ``self.<attr>`` bound to one, a parameter annotated ``requests.Response``,
an item of a known response's ``history``, or ``e.response`` in an ``except`` for HTTPError.
On any other receiver the codemods report instead of guessing.
"""

from __future__ import annotations

import libcst as cst

from migrator.engine.context import ObjectInfo

RESPONSE_MARKS = ("response", "response-nofollow", "stream", "stream-assign", "stream-async")


def response_info(ctx, original: cst.BaseExpression, updated: cst.BaseExpression | None = None) -> ObjectInfo | None:
    made = ctx.made_as(updated) if updated is not None else None
    if made in RESPONSE_MARKS:
        extra = {"stream": made.startswith("stream"), "async": made == "stream-async"}
        return ObjectInfo("response", original, made != "response-nofollow", extra=extra)
    if isinstance(original, cst.Subscript) and isinstance(original.value, cst.Attribute):
        history = original.value
        if history.attr.value == "history" and response_info(ctx, history.value) is not None:
            return ObjectInfo("response", original, False)  # a redirect response of the chain
    if isinstance(original, cst.Attribute) and original.attr.value == "response":
        exc = ctx.object_info(original.value)
        if exc is not None and exc.kind == "exception" and exc.extra.get("status_only"):
            return ObjectInfo("response", original, True)
    info = ctx.object_info(original) if isinstance(original, (cst.Name, cst.Attribute)) else None
    return info if info is not None and info.kind == "response" else None
