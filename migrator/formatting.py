"""black, on the lines a codemod touched and nothing else.

``black.format_str(..., lines=...)`` formats the statements overlapping the given
ranges, but it re-indents a whole file that does not use four spaces; so
formatting is skipped for such files, and black's changes are kept only where they
overlap a touched range.

black parses whatever it is given, and its parse dominates the cost: a 400-line
module with one touched line costs as much as formatting all of it. So black is given
only the statements that hold touched lines, each under ``if True:`` headers that
put it back at its own indentation (line length is measured as in the file). Where
that cannot be done exactly (a touched line outside any statement, an odd
indentation), black gets the whole file as before.
"""

from __future__ import annotations

import ast
import bisect

from migrator import linediff


def touched_ranges(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``after`` that differ from ``before``."""
    a, b = before.splitlines(), after.splitlines()
    ranges = []
    for tag, _i1, _i2, j1, j2 in linediff.opcodes(a, b):
        if tag in ("replace", "insert") and j2 > j1:
            ranges.append((j1 + 1, j2))
    return ranges


def _mode():
    import black  # imported here: only files that changed pay for it

    # Migrated code needs httpx 0.28, which needs Python 3.8: say so rather than let black
    # infer the versions from the features each piece happens to use.
    targets = {v for v in black.TargetVersion if v.value >= black.TargetVersion.PY38.value}
    return black.Mode(target_versions=targets)


def format_touched(before: str, after: str, indent: str, pieces: bool = True, tree: ast.Module | None = None) -> str | None:
    """``after`` with its touched lines formatted, or None when formatting was skipped.

    ``pieces=False`` gives black the whole file (what the pieces must agree with);
    ``tree``: ``after`` already parsed by ``ast``.
    """
    ranges = touched_ranges(before, after)
    if not ranges:
        return after
    if indent != "    ":
        return None
    if tree is None:
        try:
            tree = ast.parse(after)
        except SyntaxError:
            return None
    lines = after.splitlines(keepends=True)
    if pieces:
        try:
            out = _format_pieces(tree, lines, ranges)
        except _Unverified:
            return None
        except Exception:  # a piece black cannot take on its own: the whole file then
            out = None
        if out is not None:
            return out
    import black

    try:
        formatted = black.format_str(after, mode=_mode(), lines=ranges)
    except Exception:  # black cannot format it (e.g. syntax it does not support): keep ours
        return None
    result = "".join(_merge(lines, formatted.splitlines(keepends=True), ranges))
    try:
        return result if ast.dump(ast.parse(result)) == ast.dump(tree) else None
    except SyntaxError:
        return None


class _Unverified(Exception):
    """black's output, once merged, would not be the same code: do not format."""


def _merge(ours: list[str], black_lines: list[str], ranges: list[tuple[int, int]]) -> list[str]:
    """Black's lines where they overlap a touched range, ours elsewhere (black's line-ranges
    mode sometimes adjusts blank lines next to a range)."""
    merged: list[str] = []
    for tag, i1, i2, j1, j2 in linediff.opcodes(ours, black_lines):
        lo, hi = i1 + 1, max(i2, i1 + 1)
        if tag == "equal" or any(lo <= r_hi and r_lo <= hi for r_lo, r_hi in ranges):
            merged.extend(black_lines[j1:j2])
        else:
            merged.extend(ours[i1:i2])
    return merged


def _format_pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]]) -> str | None:
    """black on each statement holding a touched line; None: give black the whole file.

    A piece is (first line, last line, column, whether it is only a compound statement's
    header, formatted with a ``pass`` body standing in for the body it keeps). Each piece is
    merged and checked on its own: the same syntax tree before and after, so the file's is
    too (the lines between pieces are untouched).
    """
    pieces = _pieces(tree, lines, ranges)
    if pieces is None or any(column % 4 for _, _, column, _ in pieces):
        return None
    import black

    mode = _mode()
    out = list(lines)
    for start, end, column, header_only in reversed(pieces):
        depth = column // 4
        first = lines[start - 1]
        newline = first[len(first.rstrip("\r\n")):] or "\n"  # black keeps the first line's ending
        text = ["    " * k + "if True:" + newline for k in range(depth)] + lines[start - 1 : end]
        if not text[-1].endswith(("\n", "\r")):
            text[-1] += newline
        if header_only:
            text.append(" " * (column + 4) + "pass" + newline)
        local = [(max(lo, start) - start + 1 + depth, min(hi, end) - start + 1 + depth) for lo, hi in ranges if lo <= end and hi >= start]
        merged = _merge(text, black.format_str("".join(text), mode=mode, lines=local).splitlines(keepends=True), local)
        try:
            same = ast.dump(ast.parse("".join(merged))) == ast.dump(ast.parse("".join(text)))
        except SyntaxError:
            same = False
        if not same:
            raise _Unverified
        if header_only:
            if merged[-1].strip() != "pass":
                raise _Unverified
            merged.pop()
        replacement = _without_headers(merged, depth)
        if end == len(lines) and not lines[-1].endswith(("\n", "\r")) and replacement:
            replacement[-1] = replacement[-1].rstrip("\r\n")  # the file had no final newline
        out[start - 1 : end] = replacement
    return "".join(out)


def _pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]]) -> list[tuple[int, int, int, bool]] | None:
    """The pieces to format, in order (None: a touched line no statement holds, or overlaps)."""
    touched = sorted({n for lo, hi in ranges for n in range(lo, hi + 1)})
    # each touched line's smallest holding statement: paint the largest first, the smallest last
    smallest: dict[int, tuple[int, int, int, int | None]] = {}
    for span in sorted(_statement_spans(tree, lines, touched), key=lambda s: s[0] - s[1]):
        for number in touched[bisect.bisect_left(touched, span[0]) : bisect.bisect_right(touched, span[1])]:
            smallest[number] = span
    chosen: set[tuple[int, int, int, bool]] = set()
    for number in touched:
        if number not in smallest:
            return None  # a comment or blank line between top-level statements
        first, last, column, body_first = smallest[number]
        if body_first is not None and number < body_first:
            chosen.add((first, body_first - 1, column, True))
        else:
            chosen.add((first, last, column, False))
    ordered = sorted(chosen, key=lambda p: (p[0], -p[1]))  # a containing piece before its contents
    # a statement inside another chosen one is formatted with it
    pieces: list[tuple[int, int, int, bool]] = []
    for piece in ordered:
        if pieces and pieces[-1][0] <= piece[0] and piece[1] <= pieces[-1][1]:
            continue
        pieces.append(piece)
    if any(a[1] >= b[0] for a, b in zip(pieces, pieces[1:])):
        return None  # overlapping pieces (statements sharing a line)
    return pieces


def _without_headers(formatted: list[str], depth: int) -> list[str]:
    """The piece's own lines: past the ``if True:`` headers and any blank lines black put
    before the piece (they are not touched lines: the file's own spacing stays)."""
    index = 0
    while depth and index < len(formatted):
        depth -= bool(formatted[index].strip())
        index += 1
    while index < len(formatted) and not formatted[index].strip():
        index += 1
    return formatted[index:]


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statement_spans(tree: ast.Module, lines: list[str], touched: list[int]) -> list[tuple[int, int, int, int | None]]:
    """(first line, last line, column, first line of the body) of the statements holding a
    touched line and owning their lines outright; the body's first line is None for simple
    statements and for compound ones whose body starts on the header line (``if x: y``).
    Only statements around touched lines are looked at: not the whole tree."""
    spans = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.ExceptHandler, ast.match_case)):
            todo += node.body
            continue
        if not isinstance(node, ast.stmt) or node.end_lineno is None:
            continue
        first = _first_line(node)
        i = bisect.bisect_left(touched, first)
        if i == len(touched) or touched[i] > node.end_lineno:
            continue  # holds no touched line
        for field in _BLOCKS:
            todo += getattr(node, field, ())
        text = lines[first - 1]
        column = len(text) - len(text.lstrip(" "))
        if text[column : column + 1] in ("\t", "\x0c"):
            continue
        if first == node.lineno and node.col_offset != column:
            continue  # not the first statement on its line (``a; b``, ``if x: y``)
        if text[column:].startswith("elif"):
            continue  # an ``elif`` is part of the ``if`` above it
        body = getattr(node, "body", None)
        body_first = _first_line(body[0]) if isinstance(body, list) and body and isinstance(body[0], ast.stmt) else None
        spans.append((first, node.end_lineno, column, body_first if body_first and body_first > first else None))
    return spans


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
