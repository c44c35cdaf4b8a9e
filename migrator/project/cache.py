"""Results of files already migrated, kept between runs (as black and ruff keep theirs).

A file whose bytes, shown path and options are those of a previous run by the same build of
the tool gets that run's result back without being parsed, so a repeated ``--check`` in CI, or
a second ``--dry-run`` after editing a few files, costs one read and one hash per unchanged
file.

The key covers everything a file's result depends on: the tool's own code (a hash of every
module of ``migrator/`` and ``codemods/``, with the versions of LibCST, black and Python), the
options, the path shown in findings, and the file's bytes. An entry that cannot be read is a
miss; a cache that cannot be written is no cache, never an error.

Where: ``$REQUESTS2HTTPX_CACHE_DIR``, else ``$XDG_CACHE_HOME/requests2httpx``, else
``~/.cache/requests2httpx``; one folder per build of the tool, removed once no run has used it
for 30 days (deleting the whole folder is always safe). ``--no-cache`` neither reads nor
writes it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from migrator.engine.options import Options
from migrator.engine.import_order import import_sort_for
from migrator.engine.style import style_for
from migrator.engine.pipeline import FileResult

ENV = "REQUESTS2HTTPX_CACHE_DIR"


def default_root() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "requests2httpx"


@functools.lru_cache(maxsize=None)
def fingerprint() -> str:
    """A hash of the code that computes results: a new build never reads an old build's."""
    from importlib.metadata import PackageNotFoundError, version  # not ``import black``: a warm run need not load it

    import codemods
    import migrator

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "?"

    digest = hashlib.sha256(f"{sys.version}|{installed('libcst')}|{installed('black')}".encode())
    for package in (migrator, codemods):
        folder = Path(package.__file__).parent
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# a build's folder not used for this long is removed by the next run of any build
STALE_DAYS = 30
_MARK = "last-used"


class Cache:
    def __init__(self, root: Path, options: Options):
        self.folder = root / fingerprint()[:20]
        self._options = repr(dataclasses.astuple(options)).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / _MARK).touch()
            _prune(root, self.folder)
        except OSError:
            pass  # no cache to keep tidy

    def _path(self, shown: str, data: bytes) -> Path:
        # the project's formatter settings shape the result too (a changed line length misses)
        style = repr((style_for(shown), import_sort_for(shown))).encode()
        digest = hashlib.sha256(self._options + b"\0" + style + b"\0" + shown.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()
        return self.folder / digest[:2] / digest

    def get(self, shown: str, data: bytes) -> FileResult | None:
        try:
            result = pickle.loads(self._path(shown, data).read_bytes())
        except Exception:  # missing, unreadable, truncated, from another pickle: a miss
            return None
        if not isinstance(result, FileResult):
            return None
        result.original = data if result.new is not None else b""
        return result

    def put(self, shown: str, data: bytes, result: FileResult) -> None:
        path = self._path(shown, data)
        stored = dataclasses.replace(result, original=b"")  # the key holds the bytes already
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(stored, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)  # readers see a whole entry or none
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass


def _prune(root: Path, keep: Path) -> None:
    """Remove the folders of other builds that no run has used for STALE_DAYS."""
    import shutil
    import time

    limit = time.time() - STALE_DAYS * 86400
    for folder in root.iterdir():
        if folder == keep or not folder.is_dir():
            continue
        mark = folder / _MARK
        try:
            used = mark.stat().st_mtime if mark.exists() else folder.stat().st_mtime
        except OSError:
            continue
        if used < limit:
            shutil.rmtree(folder, ignore_errors=True)
