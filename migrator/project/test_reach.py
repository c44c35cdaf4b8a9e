"""Tests follow the code: a test file moves to httpx only when the code its tests reach sends its
requests through httpx.

respx intercepts httpx and responses/requests-mock intercept requests, nothing else; code kept on
requests takes requests' auth objects and raises requests' exceptions. A test file migrated while the
project code it imports (directly, through the modules those import, or through its conftest.py
files) still sends requests through requests — a session kept on requests, say — would let those
requests through to the network, or hand that code httpx objects. The runner sees every file of the
run: after it, such a test file is left as it was. Where the code it reaches is part migrated and
part kept and its mocks cannot serve both, each of its tests is named with one error.
"""

from __future__ import annotations

import ast
import os
import re

from migrator.engine.findings import Code, Finding
from migrator.project.dependencies import features_of_bytes

MOCKS_FOLLOW_CODE = Code(
    "test-mocks-follow-code",
    "info",
    "A test file is left as it was: the code it tests still uses requests",
    "The project code this test file imports (directly, through the modules those import, or through "
    "its conftest.py files) still sends requests through requests (a session kept on requests, a call "
    "left as it was). respx does not intercept those, and that code takes requests' objects (auth, "
    "sessions, exceptions), so the tests keep their mocks and their own requests code: they keep "
    "testing that code as before.",
    "Nothing, while that code stays on requests. Once it is migrated, run the tool again: the tests "
    "follow.",
)
MOCKS_SPLIT = Code(
    "test-mocks-split",
    "error",
    "A test file reaches code on both libraries: its mocks cannot follow both",
    "The project code this test file imports sends some requests through httpx (migrated) and some "
    "through requests (kept). Its mocks are one library's: tests of the migrated code are no longer "
    "intercepted, so those fail. The file was left as it was; each of its tests is named, since the "
    "tool cannot tell which code each one reaches.",
    "Migrate the kept code too (see its session-kept finding), or split the tests by the code they "
    "test.",
)

_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*\(?([^\n#()]*)|import[ \t]+([^\n#]+))", re.M)
_MOCKS = re.compile(rb"\b(?:respx|httpx_mock|respx_mock)\b")


def module_key(path: str) -> str:
    """``pkg/api.py`` -> ``pkg/api``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = path.replace(os.sep, "/").removesuffix(".py").split("/")
    return "/".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: str, data: bytes) -> set[str]:
    """The modules a file imports, as path-like keys (``pkg/api``), relative imports resolved; a
    ``from pkg import name`` also counts ``pkg/name`` (it may be a module)."""
    here = path.replace(os.sep, "/").split("/")[:-1]
    out: set[str] = set()
    for match in _IMPORT.finditer(data):
        source, names, plain = (g.decode("utf-8", "replace") if g else "" for g in match.groups())
        if plain:
            out.update(n.split(" as ")[0].strip().replace(".", "/") for n in plain.split(",") if n.strip())
            continue
        dots = len(source) - len(source.lstrip("."))
        base = "/".join(here[: len(here) - dots + 1]) if dots else ""
        module = "/".join(p for p in (base, source.lstrip(".").replace(".", "/")) if p)
        out.add(module)
        out.update(f"{module}/{n.split(' as ')[0].strip()}" for n in names.split(",") if n.strip() and n.strip() != "*")
    return out


class Reach:
    """The project files a file imports, directly or through the modules those import (and, for a
    test, through its conftest.py files): ``imports`` is index in ``results`` -> :func:`imported`."""

    def __init__(self, results, imports: dict[int, set[str]]):
        self.results, self.imports = results, imports
        self.keys: dict[str, int] = {}
        for i, result in enumerate(results):
            if result is not None and result.kind == "code":
                self.keys.setdefault(module_key(result.path), i)
        self._found: dict[str, int | None] = {}

    def find(self, key: str) -> int | None:
        if key not in self._found:
            tail = "/" + key
            self._found[key] = self.keys.get(key, next((i for k, i in self.keys.items() if k.endswith(tail)), None))
        return self._found[key]

    def imports_name(self, key: str, name: str) -> bool:
        """Does a file of the run import ``name`` from the module ``key`` (``from pkg.api import name``)?"""
        if not hasattr(self, "_all"):
            self._all = set().union(*self.imports.values()) if self.imports else set()
        return f"{key}/{name}" in self._all or any(k.endswith(f"/{key}/{name}") for k in self._all if k.endswith(f"/{name}"))

    def of(self, i: int, conftests: bool = False) -> list[int]:
        start = [i]
        if conftests:
            start += [j for j in map(self.find, _conftests(self.results[i].path)) if j is not None]
        reach, todo = set(), start
        while todo:
            for key in self.imports.get(todo.pop(), ()):
                j = self.find(key)
                if j is not None and j not in reach and j != i:
                    reach.add(j)
                    todo.append(j)
        return sorted(reach)


def follow_code(results, reach: Reach, is_test) -> None:
    """Leave as they were the test files whose mocks moved to httpx's while the code they reach
    still sends requests through requests."""
    for i, result in enumerate(results):
        if result is None or not is_test(result.path):
            continue
        kept_mocks = [f for f in result.findings if f.code == "test-mocks-kept"]
        if not result.changed and not kept_mocks:
            continue
        code = [results[j] for j in reach.of(i, conftests=True) if not is_test(results[j].path)]
        kept = [r for r in code if r.sends]
        if not kept:
            continue
        # moved by this run: httpx code already there (python-gitlab's GraphQL client) is not what these
        # tests' requests mocks were written for, and a later run cannot tell one from the other
        moved = [r for r in code if r.moved]
        kept_text = f"{kept[0].path}{f' and {len(kept) - 1} more' if len(kept) > 1 else ''}"
        message = f"its tests reach code that still sends requests through requests ({kept_text}): left as it was"
        if not result.changed:
            if not moved:  # tests whose mocks stayed (test-mocks-kept) are right for code that stayed
                result.findings = [f for f in result.findings if f not in kept_mocks]
                result.findings.insert(0, Finding(MOCKS_FOLLOW_CODE.code, MOCKS_FOLLOW_CODE.severity, result.path, 1, 1, message, MOCKS_FOLLOW_CODE.fix, "engine"))
            continue
        mocks = _MOCKS.search(result.new or b"") is not None
        result.new, result.new_text, result.old_text = None, "", ""
        result.features = features_of_bytes(result.original)
        if moved and mocks:  # each test may reach either: one error per test
            moved_text = f"{moved[0].path}{f' and {len(moved) - 1} more' if len(moved) > 1 else ''}"
            why = f"its file reaches code kept on requests ({kept_text}) and code moved to httpx ({moved_text}), and its mocks intercept only requests (the file was left as it was)"
            result.findings = [Finding(MOCKS_SPLIT.code, MOCKS_SPLIT.severity, result.path, line, 1, f"{name + ' fails' if name else 'its tests fail'} where {'it reaches' if name else 'they reach'} the code moved to httpx: {why}", MOCKS_SPLIT.fix, "engine")
                               for name, line in _tests(result.original)]
        else:
            result.findings = [Finding(MOCKS_FOLLOW_CODE.code, MOCKS_FOLLOW_CODE.severity, result.path, 1, 1, message, MOCKS_FOLLOW_CODE.fix, "engine")]


def _conftests(path: str) -> list[str]:
    """The conftest.py keys whose fixtures a test file gets without importing them."""
    parts = path.replace(os.sep, "/").split("/")[:-1]
    return ["/".join([*parts[:k], "conftest"]) for k in range(len(parts), -1, -1)]


def _tests(data: bytes) -> list[tuple[str, int]]:
    """(``test_x`` or ``TestX.test_y``, line) for each test of a file; ("", 1) if none is found
    (a conftest.py, a helper module)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return [("", 1)]
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            out.append((node.name, node.lineno))
        elif isinstance(node, ast.ClassDef):
            out += [(f"{node.name}.{m.name}", m.lineno) for m in node.body
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test")]
    return out or [("", 1)]
