"""Packages of a monorepo: the nearest folder with pyproject.toml, setup.cfg or setup.py.

A folder with only ``requirements*.txt`` counts too: applications often declare their
dependencies nowhere else, and those files must follow the code like any other.
"""

from __future__ import annotations

import glob
import os
import zlib
from collections import Counter
from functools import lru_cache

from migrator.engine.findings import SEVERITIES

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile")


@lru_cache(maxsize=None)
def package_of_dir(folder: str) -> str:
    """The package folder owning ``folder`` ("" when no folder above it has a marker)."""
    current = os.path.abspath(folder)
    while True:
        if any(os.path.isfile(os.path.join(current, m)) for m in MARKERS) or glob.glob(os.path.join(current, "requirements*.txt")):
            rel = os.path.relpath(current)
            return current if rel.startswith("..") else rel
        parent = os.path.dirname(current)
        if parent == current:
            return ""
        current = parent


def package_of(path: str) -> str:
    return package_of_dir(os.path.dirname(os.path.abspath(path)))


def shard(paths: list[str], k: int, n: int) -> list[str]:
    """The files of shard k (1-based) of n, by a stable hash, so shards never overlap.

    A package is kept whole (its dependency files depend on all of its code); files outside any
    package are spread one by one."""
    def key(path: str) -> str:
        package = package_of(path)
        return package or path

    return [p for p in paths if zlib.crc32(key(p).replace(os.sep, "/").encode()) % n == k - 1]


def summaries(results) -> list[dict]:
    by_package: dict[str, dict] = {}
    for r in results:
        entry = by_package.setdefault(package_of(r.path), {"files": 0, "files_changed": 0, "severity": Counter()})
        entry["files"] += r.kind == "code"
        entry["files_changed"] += r.changed and r.kind == "code"
        entry["severity"].update(f.severity for f in r.findings)
    return [
        {"package": name or "(no package)", "files": e["files"], "files_changed": e["files_changed"],
         "findings": {s: e["severity"].get(s, 0) for s in SEVERITIES}}
        for name, e in sorted(by_package.items())
    ]
