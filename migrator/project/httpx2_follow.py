"""``--from httpx``: files linked by imports move to httpx2 together, or stay on httpx together.

httpx2's classes are not httpx's: code kept on httpx (a file the move refused) that calls into moved
code catches ``httpx.HTTPError`` around ``httpx2`` errors, and a test kept on httpx mocks httpx while
the code it tests sends through httpx2 (and a moved test patches ``pkg.api.httpx2`` in a module that
still imports httpx). So after the run, a moved file that imports a kept one, or is imported by it
(directly or through other project modules, and for a test through its conftest.py files), is left
as it was too, with one error naming the file that kept it.
"""

from __future__ import annotations

from codemods.to_httpx2 import NOT_MOVED
from migrator.engine.findings import Finding
from migrator.project.dependencies import features_of_bytes

_KEPT = NOT_MOVED.code


def follow_kept(results: list, reach, is_test) -> None:
    kept = {i for i, r in enumerate(results) if r is not None and not r.changed and any(f.code == _KEPT for f in r.findings)}
    if not kept:
        return
    links: dict[int, set[int]] = {}
    for i, result in enumerate(results):
        if result is None or result.kind != "code":
            continue
        for j in reach.of(i, conftests=is_test(result.path)):
            links.setdefault(i, set()).add(j)
            links.setdefault(j, set()).add(i)
    why: dict[int, int] = {}  # a file left as it was -> the kept file that kept it
    todo = sorted(kept)
    while todo:
        k = todo.pop()
        for i in sorted(links.get(k, ())):
            result = results[i]
            if i in kept or not result.changed:
                continue
            kept.add(i)
            why[i] = why.get(k, k)
            todo.append(i)
    for i, k in why.items():
        result, cause = results[i], results[k]
        reason = next((f.message for f in cause.findings if f.code == _KEPT), "")
        result.new, result.new_text, result.old_text = None, "", ""
        result.features = features_of_bytes(result.original)
        result.findings = [Finding(_KEPT, NOT_MOVED.severity, result.path, 1, 1,
                                   f"the file stays on httpx with {cause.path}, which it imports or is imported by "
                                   f"({reason.removeprefix('the file stays on httpx: ')}): httpx2's clients, responses "
                                   "and exceptions are not httpx's classes", NOT_MOVED.fix, "to_httpx2")]
