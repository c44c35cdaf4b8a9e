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
indentation), black gets the whole file as before. A one-line piece that black would give
back unchanged (most of them: see ``migrator/engine/already_black.py``) is not given to black at all.
"""

from __future__ import annotations

import ast
import bisect
import functools

from migrator.engine import linediff
from migrator.engine.already_black import already_black
from migrator.engine.style import DEFAULT, Style, single_quoted, style_for


def touched_ranges(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``after`` that differ from ``before``."""
    a, b = before.splitlines(), after.splitlines()
    ranges = []
    for tag, _i1, _i2, j1, j2 in linediff.opcodes(a, b):
        if tag in ("replace", "insert") and j2 > j1:
            ranges.append((j1 + 1, j2))
    return ranges


@functools.lru_cache(maxsize=None)
def _mode(line_length: int = 88, style: Style = DEFAULT):
    import black  # imported here: only files that changed pay for it

    # Migrated code needs httpx 0.28, which needs Python 3.8: say so rather than let black
    # infer the versions from the features each piece happens to use (the project's, if it says).
    targets = {v for v in black.TargetVersion if v.value >= black.TargetVersion.PY38.value}
    named = {v for v in black.TargetVersion if v.name.lower() in style.target_versions}
    return black.Mode(target_versions=named or targets, line_length=line_length,
                      string_normalization=style.string_normalization and not style.single_quotes,
                      magic_trailing_comma=style.magic_trailing_comma)


def format_touched(before: str, after: str, indent: str, pieces: bool = True, tree: ast.Module | None = None,
                   style: Style = DEFAULT) -> str | None:
    """``after`` with its touched lines formatted, or None when formatting was skipped.

    ``pieces=False`` gives black the whole file (what the pieces must agree with);
    ``tree``: ``after`` already parsed by ``ast``; ``style``: the project's settings
    (:func:`migrator.engine.style.style_for`).
    """
    formatted = _format_touched(before, after, indent, pieces, tree, style)
    if formatted is not None and style.single_quotes:
        formatted = single_quoted(formatted, touched_ranges(before, formatted))
    return formatted


def _format_touched(before: str, after: str, indent: str, pieces: bool, tree: ast.Module | None, style: Style) -> str | None:
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
            out = _format_pieces(tree, lines, ranges, style)
        except _Unverified:
            return None
        except Exception:  # a piece black cannot take on its own: the whole file then
            out = None
        if out is not None:
            return out
    import black

    try:
        formatted = black.format_str(after, mode=_mode(style.line_length, style), lines=ranges)
    except Exception:  # black cannot format it (e.g. syntax it does not support): keep ours
        return None
    result = "".join(_merge(lines, formatted.splitlines(keepends=True), ranges))
    try:
        return result if ast.dump(ast.parse(result)) == ast.dump(tree) else None
    except SyntaxError:
        return None


def format_for_project(before: str, after: str, indent: str, path: str, tree: ast.Module | None = None) -> str | None:
    """:func:`format_touched` with the settings of the project holding ``path``, then its imports in
    the order its import sorter gives them (:mod:`migrator.engine.import_order`)."""
    from migrator.engine.import_order import import_sort_for, sorted_imports

    style = style_for(path)
    formatted = format_touched(before, after, indent, tree=tree, style=style)
    return None if formatted is None else sorted_imports(before, formatted, path, import_sort_for(path, style.line_length))


class _Unverified(Exception):
    """black's output, once merged, would not be the same code: do not format."""


def _merge(ours: list[str], black_lines: list[str], ranges: list[tuple[int, int]]) -> list[str]:
    """Black's lines where they overlap a touched range, ours elsewhere (black's line-ranges
    mode sometimes adjusts blank lines next to a range)."""
    merged: list[str] = []
    for tag, i1, i2, j1, j2 in linediff.opcodes(ours, black_lines):
        lo, hi = i1 + 1, max(i2, i1 + 1)
        if tag == "insert" and i1 and ours[i1 - 1].rstrip().endswith(":") and not "".join(black_lines[j1:j2]).strip():
            continue  # a blank line opening a block: line-ranges mode adds it, black on the file does not
        if tag == "equal" or any(lo <= r_hi and r_lo <= hi for r_lo, r_hi in ranges):
            merged.extend(black_lines[j1:j2])
        else:
            merged.extend(ours[i1:i2])
    return merged


def _format_pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]], style: Style = DEFAULT) -> str | None:
    """black on each statement holding a touched line; None: give black the whole file.

    A piece is (first line, last line, column, whether it is only a compound statement's
    header, formatted with a ``pass`` body standing in for the body it keeps). Each piece is
    merged and checked on its own: the same syntax tree before and after, so the file's is
    too (the lines between pieces are untouched).
    """
    pieces = _pieces(tree, lines, ranges, style)
    if pieces is None or any(piece[2] % 4 for piece in pieces):
        return None
    out = list(lines)
    for start, end, column, header_only, node in reversed(pieces):
        piece = lines[start - 1 : end]
        local = [(max(lo, start) - start + 1, min(hi, end) - start + 1) for lo, hi in ranges if lo <= end and hi >= start]
        if start == end and style.string_normalization and _black_is_known() and already_black(piece[0][column:], style.line_length - column):
            continue  # black would give it back as it is (most touched lines): no need to ask it
        if _dedentable(node, piece, column):
            replacement = _format_dedented(piece, column, local, style)
        else:
            replacement = _format_nested(piece, column, header_only, local, style)
        if end == len(lines) and not lines[-1].endswith(("\n", "\r")) and replacement:
            replacement[-1] = replacement[-1].rstrip("\r\n")  # the file had no final newline
        out[start - 1 : end] = replacement
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _black_is_known() -> bool:
    """Is the installed black one whose style ``already_black`` was checked against? A later
    major version may have a new stable style: then every piece goes to black."""
    from importlib.metadata import version

    try:
        return int(version("black").split(".")[0]) in (24, 25, 26)
    except Exception:  # no metadata, an odd version string: ask black every time
        return False


def _format_nested(piece: list[str], column: int, header_only: bool, local: list[tuple[int, int]], style: Style = DEFAULT) -> list[str]:
    """black on a piece put back at its depth under ``if True:`` headers (and given a ``pass``
    body when it is a header alone)."""

    depth = column // 4
    first = piece[0]
    newline = first[len(first.rstrip("\r\n")):] or "\n"  # black keeps the first line's ending
    text = ["    " * k + "if True:" + newline for k in range(depth)] + piece
    if not text[-1].endswith(("\n", "\r")):
        text[-1] += newline
    if header_only:
        text.append(" " * (column + 4) + "pass" + newline)
    local = [(lo + depth, hi + depth) for lo, hi in local]
    merged = _merge(text, _black("".join(text), style.line_length, tuple(local), style).splitlines(keepends=True), local)
    _verify(text, merged)
    if header_only:
        if merged[-1].strip() != "pass":
            raise _Unverified
        merged.pop()
    return _without_headers(merged, depth)


def _format_dedented(piece: list[str], column: int, local: list[tuple[int, int]], style: Style = DEFAULT) -> list[str]:
    """black on a simple statement moved to column 0, with the line length shortened by the
    indentation it had, so every line is measured as in the file (cheaper than headers)."""

    text = [line[column:] for line in piece]
    if not text[-1].endswith(("\n", "\r")):
        text[-1] += "\n"
    merged = _merge(text, _black("".join(text), style.line_length - column, tuple(local), style).splitlines(keepends=True), local)
    out = [" " * column + line if line.strip() else line for line in _trimmed(merged)]
    # checked where it goes, at its depth: moving it must not have changed it either
    headers = ["    " * k + "if True:\n" for k in range(column // 4)]
    _verify(headers + piece + ["\n"], headers + out + ["\n"])
    return out


@functools.lru_cache(maxsize=4096)
def _black(text: str, line_length: int, lines: tuple[tuple[int, int], ...], style: Style = DEFAULT) -> str:
    """black on a piece. The same piece recurs across a project (every client the migration makes
    in a function has the same constructor line, ``with httpx.Client(...) as session:`` among
    them): black gives the same output for the same input, so each is formatted once per process."""
    import black

    return black.format_str(text, mode=_mode(line_length, style), lines=lines)


def _verify(text: list[str], merged: list[str]) -> None:
    try:
        same = ast.dump(ast.parse("".join(merged))) == ast.dump(ast.parse("".join(text)))
    except SyntaxError:
        same = False
    if not same:
        raise _Unverified


def _dedentable(node: ast.stmt | None, piece: list[str], column: int) -> bool:
    """Can this piece be formatted at column 0? A simple statement (not a bare string, which
    black could take for a docstring) whose every line starts with the indentation, with no
    blank line, backslash or string spanning lines in it: then nothing black does depends on
    the depth but the line length."""
    if node is None or column == 0 or isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
        return False
    prefix = " " * column
    if not all(line.startswith(prefix) and line[column:].strip() and not line.rstrip("\r\n").endswith("\\") for line in piece):
        return False
    return not any(
        isinstance(sub, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(sub, "value", None), (str, bytes, list)) and sub.lineno != sub.end_lineno
        for sub in ast.walk(node)
    )


def _trimmed(segment: list[str]) -> list[str]:
    """Without the blank lines black put around it."""
    lo, hi = 0, len(segment)
    while lo < hi and not segment[lo].strip():
        lo += 1
    while hi > lo and not segment[hi - 1].strip():
        hi -= 1
    return segment[lo:hi]


def _pieces(tree: ast.Module, lines: list[str], ranges: list[tuple[int, int]], style: Style = DEFAULT) -> list[tuple[int, int, int, bool, ast.stmt | None]] | None:
    """The pieces to format, in order (None: a touched line no statement holds, or overlaps)."""
    touched = {n for lo, hi in ranges for n in range(lo, hi + 1)}
    if (style.line_length, style.string_normalization, style.magic_trailing_comma, style.single_quotes) == (88, True, True, False):
        # the helpers are written in black's defaults
        touched -= _written_helpers(tree, lines)
    touched = sorted(touched)
    # each touched line's smallest holding statement: paint the largest first, the smallest last
    smallest: dict[int, tuple[int, int, int, int | None, ast.stmt]] = {}
    for span in sorted(_statement_spans(tree, lines, touched), key=lambda s: s[0] - s[1]):
        for number in touched[bisect.bisect_left(touched, span[0]) : bisect.bisect_right(touched, span[1])]:
            smallest[number] = span
    chosen: set[tuple[int, int, int, bool, ast.stmt | None]] = set()
    for number in touched:
        if number not in smallest:
            if _blank_black_keeps(tree, lines, number):
                continue  # (a helper written with its two blank lines: black would keep them)
            return None  # a comment or blank line between top-level statements
        first, last, column, body_first, node = smallest[number]
        if body_first is not None and number < body_first:
            chosen.add((first, body_first - 1, column, True, None))
        else:  # the node is kept for simple statements only (see _dedentable)
            chosen.add((first, last, column, False, None if hasattr(node, "body") else node))
    ordered = sorted(chosen, key=lambda p: (p[0], -p[1]))  # a containing piece before its contents
    # a statement inside another chosen one is formatted with it
    pieces: list[tuple[int, int, int, bool, ast.stmt | None]] = []
    for piece in ordered:
        if pieces and pieces[-1][0] <= piece[0] and piece[1] <= pieces[-1][1]:
            continue
        pieces.append(piece)
    if any(a[1] >= b[0] for a, b in zip(pieces, pieces[1:])):
        return None  # overlapping pieces (statements sharing a line)
    return pieces


def _written_helpers(tree: ast.Module, lines: list[str]) -> set[int]:
    """The lines of the ``_requests_*`` helpers the tool wrote as it writes them: black-formatted
    already (a test checks), so black need not see them."""
    from codemods._helpers import VARIANTS

    out: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in VARIANTS and not node.decorator_list and node.end_lineno:
            if "".join(lines[node.lineno - 1 : node.end_lineno]) in VARIANTS[node.name]:
                out.update(range(node.lineno, node.end_lineno + 1))
    return out


def _blank_black_keeps(tree: ast.Module, lines: list[str], number: int) -> bool:
    """Is line ``number`` blank, in a run of blank lines black leaves as it is? Inside a block, one.
    Between top-level statements: two around a def or class, one after the imports or the module's
    docstring, one or two elsewhere."""
    if lines[number - 1].strip():
        return False
    first = last = number
    while first > 1 and not lines[first - 2].strip():
        first -= 1
    while last < len(lines) and not lines[last].strip():
        last += 1
    run = last - first + 1
    following = lines[last] if last < len(lines) else ""
    if following[:1] in (" ", "\t"):
        return run == 1
    before = [n for n in tree.body if n.end_lineno is not None and n.end_lineno < first]
    after = [n for n in tree.body if _first_line(n) > last]
    if not before or not after or _first_line(after[0]) != last + 1:
        return False  # the file's start or end, or a comment next to the run: black decides
    prev, nxt = before[-1], after[0]
    if isinstance(prev, _DEFS) or isinstance(nxt, _DEFS):
        return run == 2
    imports = (ast.Import, ast.ImportFrom)
    docstring = prev is tree.body[0] and isinstance(prev, ast.Expr) and isinstance(getattr(prev, "value", None), ast.Constant)
    if (isinstance(prev, imports) and not isinstance(nxt, imports)) or docstring:
        return run == 1
    return run in (1, 2)


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _without_headers(formatted: list[str], depth: int) -> list[str]:
    """The piece's own lines: past the ``if True:`` headers, without the blank lines black put
    around the piece (they are not touched lines: the file's own spacing stays)."""
    index = 0
    while depth and index < len(formatted):
        depth -= bool(formatted[index].strip())
        index += 1
    return _trimmed(formatted[index:])


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statement_spans(tree: ast.Module, lines: list[str], touched: list[int]) -> list[tuple[int, int, int, int | None, ast.stmt]]:
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
        spans.append((first, node.end_lineno, column, body_first if body_first and body_first > first else None, node))
    return spans


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
