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


# what httpx's Response lacks, and what it gives differently (the catch-all reports them; hooks
# that read them stay on requests)
RESPONSE_MISSING = frozenset({"ok", "reason", "iter_content", "raw", "apparent_encoding", "is_permanent_redirect", "connection", "next"})
RESPONSE_DIFFERS = {
    "text": "text/* without a charset decodes as UTF-8 in httpx, ISO-8859-1 in requests (and other types by detection)",
    "url": "r.url is an httpx.URL, not a str: use str(r.url) where a str is needed",
    "encoding": "r.encoding defaults to utf-8 in httpx where requests gave ISO-8859-1 (text/*) or None",
    "request": "r.request is an httpx.Request: .url is an httpx.URL and .body is .content",
    "iter_lines": "iter_lines() yields str in httpx, bytes in requests",
    "is_redirect": "is_redirect is true for any 3xx in httpx; has_redirect_location is requests' meaning",
}


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
