"""requests.codes.<name> → httpx.codes.<NAME>.

## What it does
Rewrites ``requests.codes.ok``, ``requests.codes.NOT_FOUND``, ``requests.codes["ok"]`` and
requests' synonyms (``codes.okay``, ``codes.all_good``, ``codes["\\\\o/"]``) to the
``httpx.codes`` member for the same status, e.g. ``httpx.codes.OK``. Where httpx has no member
for the status (449 ``retry_with``, 509 ``bandwidth_limit_exceeded``, …) the integer itself is
written: ``requests.codes`` values are plain ints, so ``449`` is exact.

## Why
``httpx.codes`` is an ``IntEnum`` that compares equal to the same ints, but it has neither item
access nor requests' many synonyms: ``httpx.codes["ok"]`` and ``httpx.codes.okay`` raise.

## When it reports instead of rewriting
An unknown name, or ``requests.codes[...]`` with a key that is not a string literal, is left
alone and reported by the catch-all (``requests-unmigrated``).
"""

from __future__ import annotations

import libcst as cst

from codemods._status_code_table import REQUESTS_CODES
from codemods.base import Codemod, literal_text


class StatusCodes(Codemod):
    name = "status_codes"

    def _replacement(self, ctx, name: str | None) -> cst.BaseExpression | None:
        target = REQUESTS_CODES.get(name) if name is not None else None
        if target is None:
            return None
        if isinstance(target, int):
            return cst.Integer(str(target))
        return ctx.httpx("codes", target)

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        if ctx.resolve(original.value) != "requests.codes":
            return updated
        new = self._replacement(ctx, original.attr.value)
        return new.with_changes(lpar=updated.lpar, rpar=updated.rpar) if new is not None else updated

    def leave_Subscript(self, ctx, original: cst.Subscript, updated: cst.Subscript):
        if ctx.resolve(original.value) != "requests.codes" or len(original.slice) != 1:
            return updated
        index = original.slice[0].slice
        if not isinstance(index, cst.Index):
            return updated
        new = self._replacement(ctx, literal_text(index.value))
        return new.with_changes(lpar=updated.lpar, rpar=updated.rpar) if new is not None else updated
