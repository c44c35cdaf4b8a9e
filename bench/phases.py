"""Where a migration's time goes, step by step (not a test: numbers depend on the machine).

    python bench/phases.py [FILE_OR_FOLDER ...]   # default: every fixture's before.py

Runs ``migrate_source`` on each file that imports requests, five times, and prints the least
time each step took per pass (the least is the one other processes disturbed least), next to
the floor of issue 7 for the same files: LibCST's parse plus code generation.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import libcst  # noqa: E402

from migrator.engine.names import IMPORT_RE  # noqa: E402
from migrator.engine import formatting  # noqa: E402
from migrator.engine.options import Options  # noqa: E402
from migrator.engine.pipeline import migrate_source  # noqa: E402


def sources(args: list[str]) -> list[tuple[str, str]]:
    paths = [Path(a) for a in args] or sorted(p for p in (ROOT / "fixtures").glob("*/*/before.py"))
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    out = []
    for f in files:
        data = f.read_bytes()
        if IMPORT_RE.search(data):
            try:
                out.append((str(f), data.decode("utf-8")))
            except UnicodeDecodeError:
                pass
    return out


def main() -> None:
    files = sources(sys.argv[1:])
    best: dict[str, float] = {}
    floor = float("inf")
    for _ in range(5):
        black_memo = getattr(formatting, "_black", None)
        if black_memo is not None:
            black_memo.cache_clear()  # each pass cold: a file's own cost, not its repeats'
        timings: dict[str, float] = {}
        for path, text in files:
            migrate_source(text, path, Options(), timings)
        for step, seconds in timings.items():
            best[step] = min(best.get(step, float("inf")), seconds)
        start = time.perf_counter()
        for _, text in files:
            libcst.parse_module(text).code
        floor = min(floor, time.perf_counter() - start)
    lines = sum(text.count("\n") for _, text in files)
    total = sum(best.values())
    print(f"{len(files)} files, {lines} lines; per pass (least of 5):")
    for step, seconds in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"  {step:34} {seconds * 1000:8.1f} ms  {seconds / total:6.1%}")
    print(f"  {'total':34} {total * 1000:8.1f} ms  ({total / floor:.1f}x LibCST parse + codegen: {floor * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
