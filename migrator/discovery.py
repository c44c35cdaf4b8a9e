"""Which .py files a run looks at.

Directories are walked in sorted order (so output is stable); version-control,
virtualenv, build and cache folders are skipped, as is whatever a ``.gitignore``
on the way excludes, and whatever ``--exclude`` globs match.  A file named
explicitly on the command line is always taken, like black and ruff do.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "build", "dist", "node_modules",
    "site-packages", "__pypackages__",
})


class GitIgnore:
    """The subset of gitignore patterns projects use: globs, ``**``, ``/``-anchoring, ``!``, dirs."""

    def __init__(self, base: Path, lines: list[str]):
        self.base = base
        self.rules: list[tuple[re.Pattern[str], bool, bool]] = []  # (regex, negated, dir_only)
        for raw in lines:
            line = raw.rstrip("\n").rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            self.rules.append((_glob_regex(line, anchored), negated, dir_only))

    @classmethod
    def load(cls, folder: Path) -> "GitIgnore | None":
        path = folder / ".gitignore"
        try:
            return cls(folder, path.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            return None

    def ignored(self, path: Path, is_dir: bool) -> bool | None:
        """True/False when a rule decides, None when none matches."""
        rel = path.relative_to(self.base).as_posix()
        verdict = None
        for regex, negated, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.fullmatch(rel):
                verdict = not negated
        return verdict


def _glob_regex(pattern: str, anchored: bool) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    return re.compile(body if anchored else "(?:.*/)?" + body)


def _excluded(rel: str, name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> list[str]:
    """Sorted, de-duplicated list of files to look at.  Raises FileNotFoundError for a bad path."""
    found: dict[str, None] = {}
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise FileNotFoundError(given)
        if root.is_file():
            found[os.path.normpath(given)] = None
            continue
        ignores = [g for g in (_ancestor_ignores(root.resolve())) if g]
        _walk(root, root, ignores, exclude, found)
    return [_shown(p) for p in found]


def _shown(path: str) -> str:
    """Relative to the current folder when inside it, as people type paths."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _ancestor_ignores(folder: Path) -> list[GitIgnore | None]:
    """.gitignore files above ``folder``, up to the repository root (the folder with .git)."""
    chain = []
    for parent in [folder, *folder.parents]:
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        chain = [folder]
    return [GitIgnore.load(p) for p in reversed(chain[1:])]


def _is_ignored(ignores: list[GitIgnore], path: Path, is_dir: bool) -> bool:
    verdict = False
    resolved = path.resolve()
    for gi in ignores:
        try:
            v = gi.ignored(resolved, is_dir)
        except ValueError:
            continue
        if v is not None:
            verdict = v
    return verdict


def _walk(root: Path, folder: Path, ignores: list, exclude: tuple[str, ...], found: dict[str, None]) -> None:
    own = GitIgnore.load(folder.resolve())
    if own is not None:
        ignores = [*ignores, own]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        rel = path.relative_to(root).as_posix()
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info") or (path / "pyvenv.cfg").exists():
                continue
            if _excluded(rel, entry.name, exclude) or _is_ignored(ignores, path, True):
                continue
            _walk(root, path, ignores, exclude, found)
        elif entry.name.endswith(".py") and entry.is_file():
            if _excluded(rel, entry.name, exclude) or _is_ignored(ignores, path, False):
                continue
            found[os.path.normpath(entry.path)] = None
