"""black, on the lines a codemod touched and nothing else.

``black.format_str(..., lines=...)`` formats the statements overlapping the given
ranges, but it re-indents a whole file that does not use four spaces; so
formatting is skipped for such files, and black's changes are kept only where they
overlap a touched range.
"""

from __future__ import annotations

import ast

from migrator import linediff


def touched_ranges(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``after`` that differ from ``before``."""
    a, b = before.splitlines(), after.splitlines()
    ranges = []
    for tag, _i1, _i2, j1, j2 in linediff.opcodes(a, b):
        if tag in ("replace", "insert") and j2 > j1:
            ranges.append((j1 + 1, j2))
    return ranges


def format_touched(before: str, after: str, indent: str) -> str | None:
    """``after`` with its touched lines formatted, or None when formatting was skipped."""
    ranges = touched_ranges(before, after)
    if not ranges:
        return after
    if indent != "    ":
        return None
    import black  # imported here: only files that changed pay for it

    try:
        out = black.format_str(after, mode=black.Mode(), lines=ranges)
    except Exception:  # black cannot format it (e.g. syntax it does not support): keep ours
        return None
    # Keep black's changes only where they overlap a touched range; elsewhere (black's
    # line-ranges mode sometimes adjusts blank lines next to a range) keep our text.
    a, b = after.splitlines(keepends=True), out.splitlines(keepends=True)
    merged: list[str] = []
    for tag, i1, i2, j1, j2 in linediff.opcodes(a, b):
        lo, hi = i1 + 1, max(i2, i1 + 1)
        if tag == "equal" or any(lo <= r_hi and r_lo <= hi for r_lo, r_hi in ranges):
            merged.extend(b[j1:j2])
        else:
            merged.extend(a[i1:i2])
    result = "".join(merged)
    # The merge works line by line; formatting must never change the code itself, so the
    # result must have the same syntax tree as what the codemods produced.
    try:
        same = ast.dump(ast.parse(result)) == ast.dump(ast.parse(after))
    except SyntaxError:
        same = False
    return result if same else None
