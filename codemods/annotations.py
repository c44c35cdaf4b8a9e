"""Type annotations that name requests classes → the httpx classes the code now uses.

## What it does
Inside annotations (parameters, return types, annotated assignments, including nested forms like
``Optional[requests.Session]`` or ``requests.Response | None``):

| requests | httpx |
|---|---|
| ``requests.Session`` | ``httpx.Client`` |
| ``requests.Response`` | ``httpx.Response`` |
| ``requests.PreparedRequest``, ``requests.Request`` | ``httpx.Request`` |
| ``requests.auth.AuthBase`` | ``httpx.Auth`` |

## Why
After the migration these names hold httpx objects; annotations naming requests classes would keep
the import of requests alive and mislead type checkers.

## When it reports instead of rewriting
A parameter annotated ``requests.Session`` or ``requests.Response`` keeps its annotation (and its body
its uses) unless it was migrated with the unit its callers in this file hand it (see
``session_to_client``): a public function's callers elsewhere may pass requests' objects. Annotations
in strings (``"requests.Session"``) are not parsed and are left alone; a requests class
with no httpx counterpart in an annotation is reported by the catch-all. In a file where a
``requests.Session`` subclass stays one (``session-subclass-not-migrated``), ``requests.Session``
and ``requests.Response`` annotations stay too, reported by the catch-all: they may describe that
session and its responses.
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Codemod

_MAP = {
    "requests.Session": "Client",
    "requests.Response": "Response",
    "requests.PreparedRequest": "Request",
    "requests.Request": "Request",
    "requests.auth.AuthBase": "Auth",
}


class Annotations(Codemod):
    name = "annotations"

    def _rewrite(self, ctx, original, updated):
        target = _MAP.get(ctx.resolve(original) or "")
        if target is None or not any(isinstance(p, cst.Annotation) for p in ctx.parents):
            return updated
        if ctx.session_class_kept and target in ("Response", "Client"):
            return updated  # a requests.Session subclass stays: these may be requests' objects
        param = next((p for p in reversed(ctx.parents) if isinstance(p, cst.Param)), None)
        if param is not None and target in ("Response", "Client") and ctx.object_info(param.name) is None:
            return updated  # a parameter the units did not migrate: its callers hand it requests' objects
        return ctx.httpx(target)

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        return self._rewrite(ctx, original, updated)

    def leave_Name(self, ctx, original: cst.Name, updated: cst.Name):
        parent = ctx.parent()
        if isinstance(parent, cst.Attribute):
            # the head of a longer chain (the chain decides), or an attribute's name
            # (``httpx.Response`` is no use of a ``Response`` imported from requests)
            return updated
        return self._rewrite(ctx, original, updated)
