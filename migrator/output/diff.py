"""Unified diffs with git-style ``a/`` ``b/`` paths, coloured on a terminal."""

from __future__ import annotations

from migrator.engine import linediff

_RESET = "\033[0m"
_STYLES = {"+++": "\033[1m", "---": "\033[1m", "@@": "\033[36m", "+": "\033[32m", "-": "\033[31m"}


def unified(path: str, old: str, new: str) -> str:
    shown = path.replace("\\", "/").lstrip("/")
    lines = linediff.unified(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        for prefix, style in _STYLES.items():
            if line.startswith(prefix):
                out.append(f"{style}{line.rstrip(chr(10))}{_RESET}\n")
                break
        else:
            out.append(line)
    return "".join(out)
