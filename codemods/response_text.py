"""A response's text and encoding, decoded as requests decoded them.

## What it does
On responses the tool can follow (see ``catch_all``'s list):

| requests | httpx |
|---|---|
| ``r.text`` | ``_requests_text(r)`` |
| ``r.encoding`` (read) | ``_requests_encoding(r)`` |
| ``r.iter_content(n, decode_unicode=True)`` | ``_requests_iter_text(r, n)`` (rewritten by ``response_api``) |

The helpers are written once in each module that uses them, after the imports (as
``module_functions`` writes ``_requests_url``). ``_requests_encoding`` is requests' own rule: the
encoding the code set (``r.encoding = ...`` stays as it is, and both libraries decode with it);
else the Content-Type's charset; ``ISO-8859-1`` for a type containing ``text`` without one; ``utf-8`` for
JSON; otherwise ``None``. ``_requests_text`` decodes the body with it, or, where it is ``None``, with
the encoding detected from the body as requests detects it (``chardet`` when installed, else
``charset_normalizer``, which the tool then adds to the package's dependencies, since requests
brought it). ``_requests_iter_text`` decodes chunks of ``n`` bytes as requests did, and yields the
bytes themselves where the encoding is ``None``. Anything that is not an ``httpx.Response`` (a
test's mock, a stand-in class) is asked for its own ``text``/``encoding``/``iter_text``.

## Why
httpx decodes a body whose Content-Type names no charset as UTF-8; requests decodes ``text/*``
as ISO-8859-1 and detects the rest. A page served as ``text/html`` without a charset reads
differently (``café`` becomes ``cafÃ©`` or the reverse), silently. ``r.encoding`` is ``None`` in
requests where no rule applies, and a name in httpx. httpx's ``iter_text(n)`` also cuts the
decoded text into chunks of ``n`` characters, where requests cut the bytes.

## When it reports instead of rewriting
``r.text`` of a stream stays, reported by the catch-all until ``r.read()`` (``stream-not-read``).
``iter_content(n, decode_unicode=True)`` on an async stream keeps httpx's ``aiter_text``, with the
``response-attribute-differs`` warning.
"""

from __future__ import annotations

import libcst as cst

from codemods._helpers import ENCODING, TEXT, call_helper
from codemods._responses import response_info
from codemods.base import Codemod

_HELPERS = {"text": TEXT, "encoding": ENCODING}


class ResponseText(Codemod):
    name = "response_text"

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        helper = _HELPERS.get(original.attr.value)
        if helper is None or _assigned(ctx, original):
            return updated  # (r.encoding = ...: set alike in both; _requests_encoding honours it)
        info = response_info(ctx, original.value, updated.value)
        if info is None or info.extra.get("stream"):
            return updated  # (a stream's text needs r.read() first: the catch-all says so)
        return call_helper(ctx, helper, updated.value)


def _assigned(ctx, node: cst.Attribute) -> bool:
    """``r.encoding = ...`` (or ``del``, ``+=``): set, not read."""
    parent = ctx.parent()
    return isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.Del)) or (
        isinstance(parent, cst.AnnAssign) and parent.target is node
    )
