"""Compare ``migrator.engine.already_black`` with black on every distinct line of a tree of Python files.

    python bench/already_black_check.py [FOLDER ...]   # default: the standard library (with site-packages)

For each line (at a column that is a multiple of four, moved to column 0) that ``already_black``
says black would give back unchanged, runs black on it (a header gets a ``pass`` body) and prints
every line where black disagrees. Slow (black runs on every "unchanged" line): minutes. Not a test.
"""

from __future__ import annotations

import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import black  # noqa: E402

from migrator.engine.already_black import already_black  # noqa: E402
from migrator.engine.formatting import _mode  # noqa: E402


def main() -> None:
    roots = [Path(a) for a in sys.argv[1:]] or [Path(sysconfig.get_paths()["stdlib"])]
    unchanged = refused = disagreed = 0
    ours = theirs = 0.0
    seen: set[tuple[str, int]] = set()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for raw in text.splitlines(keepends=True):
                stripped = raw.lstrip(" ")
                column = len(raw) - len(stripped)
                if column % 4 or not stripped.strip() or not raw.endswith("\n") or (stripped, column) in seen:
                    continue
                seen.add((stripped, column))
                start = time.perf_counter()
                said = already_black(stripped, 88 - column)
                ours += time.perf_counter() - start
                if not said:
                    refused += 1
                    continue
                source = stripped + ("    pass\n" if stripped.rstrip().endswith(":") else "")
                start = time.perf_counter()
                try:
                    out = black.format_str(source, mode=_mode(88 - column))
                except Exception:  # not a statement on its own
                    continue
                theirs += time.perf_counter() - start
                unchanged += 1
                if out != source:
                    disagreed += 1
                    print(f"DISAGREE {path}: {raw!r} -> {out!r}")
    print(f"black {black.__version__}: already_black said unchanged for {unchanged} lines (refused {refused}); "
          f"black disagreed on {disagreed}. Per line: {ours / max(unchanged + refused, 1) * 1e6:.0f} us here, "
          f"{theirs / max(unchanged, 1) * 1e6:.0f} us in black")


if __name__ == "__main__":
    main()
