"""Running the pipeline over many files, in parallel, with results in a stable order."""

from __future__ import annotations

import dataclasses
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Callable

from codemods.mock_libraries import mocks_enabled
from migrator.project.cache import Cache
from migrator.project.dependencies import features_of_bytes
from migrator.project.httpx2_follow import follow_kept
from migrator.lint.rules import imports_httpx
from migrator.engine.httpx2 import imports_httpx as moves_to_httpx2
from migrator.engine.names import imports_requests
from migrator.engine.options import Options
from migrator.engine.pipeline import FileResult, migrate_bytes
from migrator.project.test_patches import may_patch_requests, report as report_test_patches, targets as patch_targets
from migrator.project.test_reach import Reach, follow_code, imported
from migrator.project.unused_requests import remove_unused

# Below this many candidate files a process pool costs more than it saves.
_POOL_THRESHOLD = 8
# Files sent to a worker at a time: small enough that the workers finish together.
_BATCH = 8


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

    ``cache``: results of earlier runs are taken from it, and new ones stored in it. With
    ``jobs`` > 1, batches go to the workers while the rest of the files are still being read.
    """
    results: list[FileResult | None] = [None] * len(paths)
    todo: list[tuple[int, tuple[bytes, str, Options]]] = []
    batch: list[tuple[int, tuple[bytes, str, Options]]] = []
    futures: dict[Future, list[int]] = {}
    patching: dict[int, bytes] = {}  # files that may patch requests by name (migrator.project.test_patches)
    imports: dict[int, set[str]] = {}  # what each file imports (migrator.project.test_reach)
    pool: ProcessPoolExecutor | None = None
    jobs = max(1, jobs)

    def send(items: list[tuple[int, tuple[bytes, str, Options]]]) -> None:
        futures[pool.submit(_work_batch, [item for _, item in items])] = [i for i, _ in items]  # type: ignore[union-attr]

    try:
        for i, path in enumerate(paths):
            with open(path, "rb") as fh:
                data = fh.read()
            if may_patch_requests(data):
                patching[i] = data
            if path.endswith(".py"):
                imports[i] = imported(path, data)
            if imports_requests(data) or imports_httpx(data) or options.source == "httpx" and moves_to_httpx2(data):
                cached = cache.get(path, data) if cache is not None else None
                if cached is not None:
                    results[i] = cached
                    if progress:
                        progress(1)
                    continue
                todo.append((i, (data, path, options)))
                if jobs > 1 and len(todo) >= _POOL_THRESHOLD:
                    if pool is None:
                        if options.format:
                            import black  # noqa: F401  # once here, not in every worker (forked workers inherit it)
                        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
                        batch = todo[:]  # the first ones, held until there were enough for a pool
                    else:
                        batch.append(todo[-1])
                    if len(batch) >= _BATCH:
                        send(batch)
                        batch = []
            else:  # one read, nothing more; the bytes are not kept (memory must not grow with the corpus)
                results[i] = FileResult(path, b"", None, [], skipped=True, features=features_of_bytes(data))
                if progress:
                    progress(1)
        if pool is None:
            for i, item in todo:
                results[i] = _work(item)
                if progress:
                    progress(1)
        else:
            if batch:
                send(batch)
            for future in as_completed(futures):
                for i, result in zip(futures[future], future.result()):
                    results[i] = result
                if progress:
                    progress(len(futures[future]))
        if cache is not None:
            for i, (data, path, _) in todo:
                cache.put(path, data, results[i])  # type: ignore[arg-type]
        # after the cache: what other files became is not this file's own result
        reach = Reach(results, imports)
        _widen_exceptions(results, reach, options, pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    follow_code(results, reach, lambda path: mocks_enabled(options, path))
    if options.source == "httpx":
        follow_kept(results, reach, lambda path: mocks_enabled(options, path))
    if patching:
        report_test_patches(results, patching, reach, options.timeout_source(), options.target)
    remove_unused(results, reach, patch_targets(patching))
    return [r for r in results if r is not None]


def _widen_exceptions(results: list[FileResult | None], reach: Reach, options: Options, pool: ProcessPoolExecutor | None) -> None:
    """A file whose except clauses now catch httpx's errors alone, importing (directly or through
    other modules) code that still sends requests through requests (a session kept), is migrated
    again with those clauses catching both: the code it calls may raise requests' errors
    (pyairtable's utils.py caught httpx.HTTPStatusError around calls into its api.py, kept on requests)."""
    wider = dataclasses.replace(options, requests_stays=True)
    again = [(i, (r.original, r.path, wider)) for i, r in enumerate(results)
             if r is not None and r.narrowed and r.original and any(results[j].sends for j in reach.of(i))]
    if pool is None or len(again) < 2:
        for i, item in again:
            results[i] = _work(item)
        return
    batches = [again[k : k + _BATCH] for k in range(0, len(again), _BATCH)]
    done = {pool.submit(_work_batch, [item for _, item in b]): [i for i, _ in b] for b in batches}
    for future in as_completed(done):
        for i, result in zip(done[future], future.result()):
            results[i] = result


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process: a worker interrupted while it holds the pool's
    queue lock leaves the others waiting for it, and the run hangs instead of stopping (seen on
    busy machines). The main process cancels what has not started and waits for the batches
    that have, which are short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work_batch(items: list[tuple[bytes, str, Options]]) -> list[FileResult]:
    return [_work(item) for item in items]


def default_jobs() -> int:
    return os.cpu_count() or 1
