"""Which .py files a run looks at.

Directories are walked in sorted order (so output is stable); version-control,
virtualenv, build and cache folders are skipped, as is whatever git ignores (the
``.gitignore`` files on the way and the repository's ``.git/info/exclude``, read with
pathspec's gitignore spec), and whatever ``--exclude`` globs match.  A file named
explicitly on the command line is always taken, like black and ruff do.

A symlinked file stands for its target: the target is taken once (however many links
reach it, and whether or not it is also given directly), written as a regular file, and
the link stays a link. A link whose target is not among the files taken (outside the
paths given, or excluded) is skipped and reported, as black does with links that point
outside the project.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from migrator.engine.findings import Code, Finding

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".env", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "build", "dist", "node_modules",
    "site-packages", "__pypackages__",
})


class GitIgnore:
    """One ignore file (a ``.gitignore``, or ``.git/info/exclude``) as git reads it, through
    pathspec's gitignore spec; its patterns are relative to ``base``."""

    def __init__(self, base: Path, lines: list[str]):
        import pathspec

        self.base = base
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)

    @classmethod
    def load(cls, folder: Path, path: Path | None = None) -> "GitIgnore | None":
        """``folder``'s .gitignore (or the file ``path``, whose patterns are relative to ``folder``)."""
        try:
            text = (path or folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return cls(folder, text.splitlines())

    def ignored(self, path: Path, is_dir: bool) -> bool | None:
        """True/False when a pattern decides (the last that matches), None when none does."""
        rel = path.relative_to(self.base).as_posix()
        return self.spec.check_file(rel + "/" if is_dir else rel).include


def _excluded(rel: str, name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


SYMLINK_SKIPPED = Code(
    "symlink-skipped",
    "warning",
    "A symlinked file whose target the run does not take was skipped",
    "The link's target lies outside the paths given (or is excluded there). Migrating it would "
    "edit a file the run was not asked to touch, and replacing the link by a migrated copy would "
    "break what links it; so neither was migrated (the target is only read, for the package's "
    "dependencies).",
    "Run the tool on the folder that holds the target too (the target is then migrated once and "
    "the link stays a link), or name the link explicitly to migrate its target.",
)


def discover(paths: list[str], exclude: tuple[str, ...] = (), skipped_links: list[tuple[str, str]] | None = None) -> list[str]:
    """Sorted, de-duplicated list of files to look at.  Raises FileNotFoundError for a bad path.

    ``skipped_links``: (link, its target's real path) is added to it for each link not followed."""
    for given in paths:
        if not Path(given).exists():
            raise FileNotFoundError(given)
    roots = _roots(paths)
    found: dict[str, None] = {}
    links: list[tuple[str, str]] = []  # (link, its target's real path)
    for given in paths:
        root = Path(given)
        if root.is_file():  # named explicitly: always taken; a link, as its target
            real = os.path.realpath(given)
            found[(_spelled(real, roots) or real) if root.is_symlink() else os.path.normpath(given)] = None
            continue
        ignores = [g for g in (_ancestor_ignores(root.resolve())) if g]
        _walk(root, root, ignores, exclude, found, links)
    if links and skipped_links is not None:
        taken = {os.path.realpath(p) for p in found}
        skipped_links += [(_shown(link), real) for link, real in links if real not in taken]
    return [_shown(p) for p in found]


def link_finding(link: str, real: str, paths: list[str]) -> Finding:
    """The symlink-skipped finding for a link :func:`discover` did not follow."""
    where = "is outside the paths given" if _spelled(real, _roots(paths)) is None else "the run does not take (excluded)"
    message = f"symlink to {_shown(real)}, which {where}: not followed"
    return Finding(SYMLINK_SKIPPED.code, SYMLINK_SKIPPED.severity, link, 1, 1, message, SYMLINK_SKIPPED.fix, "discovery")


def _roots(paths: list[str]) -> list[tuple[str, str, bool]]:
    """(as given, real path, a folder?) of each path given, a link to a file excepted."""
    return [(g, os.path.realpath(g), os.path.isdir(g)) for g in paths if os.path.isdir(g) or not os.path.islink(g)]


def _spelled(real: str, roots: list[tuple[str, str, bool]]) -> str | None:
    """The real path ``real`` as found under the first path given that holds it (as a walk of
    that path spells it), or None when it is under none of them."""
    for given, root, is_dir in roots:
        if real == root:
            return os.path.normpath(given)
        if is_dir and real.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.normpath(os.path.join(given, os.path.relpath(real, root)))
    return None


def _shown(path: str) -> str:
    """Relative to the current folder when inside it, as people type paths."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _ancestor_ignores(folder: Path) -> list[GitIgnore | None]:
    """The ignore files above ``folder``, up to the repository root (the folder with .git), in
    git's order of precedence, lowest first: the repository's ``.git/info/exclude``, then each
    ``.gitignore`` from the root down (a deeper one overrides)."""
    chain = []
    for parent in [folder, *folder.parents]:
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        return []
    root = chain[-1]
    return [GitIgnore.load(root, root / ".git" / "info" / "exclude"), *(GitIgnore.load(p) for p in reversed(chain[1:]))]


def _is_ignored(ignores: list[GitIgnore], path: Path, is_dir: bool) -> bool:
    verdict = False
    resolved = path.resolve()
    for gi in ignores:
        if gi is None:
            continue
        try:
            v = gi.ignored(resolved, is_dir)
        except ValueError:
            continue
        if v is not None:
            verdict = v
    return verdict


def _walk(
    root: Path, folder: Path, ignores: list, exclude: tuple[str, ...], found: dict[str, None], links: list[tuple[str, str]]
) -> None:
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
            _walk(root, path, ignores, exclude, found, links)
        elif entry.name.endswith(".py") and entry.is_file():
            if _excluded(rel, entry.name, exclude) or _is_ignored(ignores, path, False):
                continue
            if entry.is_symlink():  # taken as its target, if that is taken (see discover)
                links.append((os.path.normpath(entry.path), os.path.realpath(entry.path)))
            else:
                found[os.path.normpath(entry.path)] = None
