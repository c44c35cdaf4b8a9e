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
    import black

    try:
        out = _format_pieces(tree, lines, ranges) if pieces else None
    except Exception:  # a piece black cannot take on its own: the whole file then
        out = None
    try:
        if out is None:
            out = black.format_str(after, mode=_mode(), lines=ranges)
    except Exception:  # black cannot format it (e.g. syntax it does not support): keep ours
        return None
    # Keep black's changes only where they overlap a touched range; elsewhere (black's
    # line-ranges mode sometimes adjusts blank lines next to a range) keep our text.
    a, b = lines, out.splitlines(keepends=True)
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
        same = ast.dump(ast.parse(result)) == ast.dump(tree)
    except SyntaxError:
        same = False
    return result if same else None


def _format_pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]]) -> str | None:
    """black on each statement holding a touched line; None: give black the whole file.

    A piece is (first line, last line, column, whether it is only a compound statement's
    header, formatted with a ``pass`` body standing in for the body it keeps).
    """
    pieces = _pieces(tree, lines, ranges)
    if pieces is None:
        return None
    import black

    mode = _mode()
    out = list(lines)
    for start, end, column, header_only in reversed(pieces):
        if column % 4:
            return None
        depth = column // 4
        first = lines[start - 1]
        newline = first[len(first.rstrip("\r\n")):] or "\n"  # black keeps the first line's ending
        text = "".join("    " * k + "if True:" + newline for k in range(depth)) + "".join(lines[start - 1 : end])
        if header_only:
            text += " " * (column + 4) + "pass" + newline
        local = [(max(lo, start) - start + 1 + depth, min(hi, end) - start + 1 + depth) for lo, hi in ranges if lo <= end and hi >= start]
        formatted = black.format_str(text, mode=mode, lines=local).splitlines(keepends=True)
        if header_only:
            if formatted[-1].strip() != "pass":
                return None
            formatted.pop()
        out[start - 1 : end] = _without_headers(formatted, depth)
    return "".join(out)


def _pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]]) -> list[tuple[int, int, int, bool]] | None:
    """The pieces to format, in order (None: a touched line no statement holds, or overlaps)."""
    # each line's smallest holding statement: paint the largest first, the smallest last
    smallest: list[tuple[int, int, int, int | None] | None] = [None] * (len(lines) + 2)
    for span in sorted(_statement_spans(tree, lines), key=lambda s: s[0] - s[1]):
        for number in range(span[0], span[1] + 1):
            smallest[number] = span
    chosen: set[tuple[int, int, int, bool]] = set()
    for lo, hi in ranges:
        for number in range(lo, hi + 1):
            span = smallest[number] if number < len(smallest) else None
            if span is None:
                return None  # a comment or blank line between top-level statements
            first, last, column, body_first = span
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


def _statement_spans(tree: ast.Module, lines: list[str]) -> list[tuple[int, int, int, int | None]]:
    """(first line, last line, column, first line of the body) of every statement that
    owns its lines outright; the body's first line is None for simple statements and
    for compound ones whose body starts on the header line (``if x: y``)."""
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or node.end_lineno is None:
            continue
        first = _first_line(node)
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
