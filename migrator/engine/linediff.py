"""Line diffs that stay fast on large files.

``difflib.SequenceMatcher`` with ``autojunk=False`` (needed for exact, minimal hunks) is
quadratic-ish on files with many repeated lines. A migration changes few lines of a file, so the
files are first split at anchors — lines that occur exactly once in each and in the same order —
and only the stretches between anchors are diffed with SequenceMatcher.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections import Counter

Opcode = tuple[str, int, int, int, int]


def opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """The same kind of opcodes as ``SequenceMatcher.get_opcodes()``, merged and complete."""
    out: list[Opcode] = []
    ai = bi = 0
    for aj, bj in _anchors(a, b) + [(len(a), len(b))]:
        if (aj - ai) or (bj - bi):
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a[ai:aj], b[bi:bj], autojunk=False).get_opcodes():
                _push(out, (tag, ai + i1, ai + i2, bi + j1, bi + j2))
        if aj < len(a):
            _push(out, ("equal", aj, aj + 1, bj, bj + 1))
        ai, bi = aj + 1, bj + 1
    return out


def _push(out: list[Opcode], op: Opcode) -> None:
    if out and out[-1][0] == op[0] == "equal":
        last = out[-1]
        out[-1] = ("equal", last[1], op[2], last[3], op[4])
    else:
        out.append(op)


def _anchors(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Lines unique in both files, in the longest order they share (patience diff's anchors)."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {line: j for j, line in enumerate(b) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(a) if count_a[line] == 1 and line in where_b]
    # longest increasing subsequence of the b indices (patience sorting)
    tails: list[int] = []
    tails_at: list[int] = []
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tails_at.append(k)
        else:
            tails[pos] = j
            tails_at[pos] = k
        previous[k] = tails_at[pos - 1] if pos else -1
    chain = []
    k = tails_at[-1] if tails_at else -1
    while k != -1:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def grouped(codes: list[Opcode], n: int = 3) -> list[list[Opcode]]:
    """Hunks with ``n`` lines of context, like ``SequenceMatcher.get_grouped_opcodes``."""
    matcher = difflib.SequenceMatcher(None, [], [])
    matcher.opcodes = codes  # get_grouped_opcodes only reads the opcodes
    return list(matcher.get_grouped_opcodes(n))


def hunk_lines(a: list[str], b: list[str], group: list[Opcode]) -> list[str]:
    """One unified-diff hunk: its ``@@`` header, then context, removed and added lines."""
    i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
    out = [f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n"]
    for tag, a1, a2, b1, b2 in group:
        if tag == "equal":
            out += [" " + line for line in a[a1:a2]]
            continue
        out += ["-" + line for line in a[a1:a2]]
        out += ["+" + line for line in b[b1:b2]]
    return out


def unified(a: list[str], b: list[str], fromfile: str, tofile: str, n: int = 3) -> list[str]:
    if a == b:
        return []
    out = [f"--- {fromfile}\n", f"+++ {tofile}\n"]
    for group in grouped(opcodes(a, b), n):
        out += hunk_lines(a, b, group)
    return out


def _range(start: int, stop: int) -> str:
    """difflib's unified range format."""
    length = stop - start
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
