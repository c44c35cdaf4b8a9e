"""Running the pipeline over many files, in parallel, with results in a stable order."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from migrator.cache import Cache
from migrator.dependencies import features_of_bytes
from migrator.lint import imports_httpx
from migrator.names import imports_requests
from migrator.options import Options
from migrator.pipeline import FileResult, migrate_bytes

# Below this many candidate files a process pool costs more than it saves.
_POOL_THRESHOLD = 8


def _work(item: tuple[bytes, str, Options]) -> FileResult:
    data, shown, options = item
    result = migrate_bytes(data, shown, options)
    if result.new is None:
        result.original = b""  # the parent has the bytes; an unchanged file needs none back
    return result


def run(
    paths: list[str], options: Options, jobs: int, progress: Callable[[int], None] | None = None, cache: Cache | None = None
) -> list[FileResult]:
    """Migrate ``paths`` (already discovered, in order); results come back in the same order.

    ``cache``: results of earlier runs are taken from it, and new ones stored in it."""
    results: list[FileResult | None] = [None] * len(paths)
    todo: list[tuple[int, tuple[bytes, str, Options]]] = []
    for i, path in enumerate(paths):
        with open(path, "rb") as fh:
            data = fh.read()
        if imports_requests(data) or imports_httpx(data):
            cached = cache.get(path, data) if cache is not None else None
            if cached is not None:
                results[i] = cached
                if progress:
                    progress(1)
                continue
            todo.append((i, (data, path, options)))
        else:  # one read, nothing more; the bytes are not kept (memory must not grow with the corpus)
            results[i] = FileResult(path, b"", None, [], skipped=True, features=features_of_bytes(data))
            if progress:
                progress(1)
    jobs = max(1, jobs)
    if jobs == 1 or len(todo) < _POOL_THRESHOLD:
        for i, item in todo:
            results[i] = _work(item)
            if progress:
                progress(1)
    else:
        if options.format:
            import black  # noqa: F401  # once here, not in every worker (forked workers inherit it)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, min(32, len(todo) // (jobs * 4)))
            for (i, _), result in zip(todo, pool.map(_work, [item for _, item in todo], chunksize=chunk)):
                results[i] = result
                if progress:
                    progress(1)
    if cache is not None:
        for i, (data, path, _) in todo:
            cache.put(path, data, results[i])  # type: ignore[arg-type]
    return [r for r in results if r is not None]


def default_jobs() -> int:
    return os.cpu_count() or 1
