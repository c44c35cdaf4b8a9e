"""The anchored line diff gives valid opcodes and the same unified diffs difflib gives."""

from __future__ import annotations

import difflib
import random

from migrator.engine.linediff import opcodes, unified


def apply(a, b, codes):
    out = []
    for tag, i1, i2, j1, j2 in codes:
        out += a[i1:i2] if tag == "equal" else b[j1:j2]
    return out


def test_opcodes_rebuild_the_new_file_and_cover_both():
    rng = random.Random(7)
    for _ in range(200):
        a = [f"{rng.choice('abcde')}\n" if rng.random() < 0.5 else f"u{rng.random()}\n" for _ in range(rng.randint(0, 40))]
        b = [line if rng.random() < 0.8 else f"new{rng.random()}\n" for line in a]
        if rng.random() < 0.5:
            b.insert(rng.randint(0, len(b)), "inserted\n")
        codes = opcodes(a, b)
        assert apply(a, b, codes) == b
        assert sum(i2 - i1 for _, i1, i2, _, _ in codes) == len(a)
        assert all(a[i1:i2] == b[j1:j2] for tag, i1, i2, j1, j2 in codes if tag == "equal")


def test_unified_matches_difflib_on_a_typical_migration():
    a = ["import requests\n", "\n", "\n", "def f(u):\n", "    return requests.get(u)\n", "\n", "x = 1\n"] * 3
    b = [line.replace("requests", "httpx") for line in a]
    ours = unified(a, b, "a/x.py", "b/x.py")
    theirs = list(difflib.unified_diff(a, b, "a/x.py", "b/x.py"))
    assert ours == theirs
