"""Tests as units: a test's mocks move to the new library whole, or stay whole.

A test whose responses/requests-mock registrations cannot all be translated keeps every one of
them (its decorator too): a ``@respx.mock`` over a body that still calls ``responses.add(...,
match=...)`` can pass neither way. Like sessions (``codemods._units``), this is decided by running
the codemods, then again with the tests an error fell in kept; each kept test gets one
``test-mocks-kept`` error listing why. The unit is the test function (a top-level def, or a method
of a top-level class); an error in a pytest fixture or at module level keeps the whole file's mocks,
since the tests using them cannot be told apart.
"""

from __future__ import annotations

import ast

from migrator.engine.findings import Code, Finding

WHOLE_FILE: tuple[str, ...] = ()

TEST_MOCKS_KEPT = Code(
    "test-mocks-kept",
    "error",
    "A test keeps its responses/requests-mock mocks: some could not be translated",
    "A test's mocks move to the new library whole or not at all: respx over a body that still "
    "registers with responses intercepts neither library's requests fully. This test has a mock use "
    "the tool cannot translate (listed in the message with its line), so the whole test, mocks and "
    "requests calls alike, is left as it was. Where the code it tests now sends its requests "
    "through httpx, responses and requests-mock no longer see them, and the test fails.",
    "Translate the listed lines by hand (see ``mock-not-migrated`` for the respx spellings), or keep "
    "the code under test on requests until they are.",
)


class MockedTests:
    def __init__(self, tree: ast.Module | None):
        self.tests: list[tuple[tuple[str, ...], int, int, bool]] = []  # (path, first line, last, a fixture?)
        self.kept: dict[tuple[str, ...], list[tuple[int, str]]] = {}
        self.enabled = tree is not None  # a test file whose mocks the tool migrates
        for node in tree.body if tree is not None else ():
            if isinstance(node, ast.ClassDef):
                self.tests += [_test((node.name, item.name), item) for item in node.body if isinstance(item, _DEFS)]
            elif isinstance(node, _DEFS):
                self.tests.append(_test((node.name,), node))

    def keep_for(self, findings: list[Finding]) -> bool:
        """Keep the mocks of each test an untranslated mock use falls in; True if one more was."""
        changed = False
        for f in findings if self.enabled else ():
            if f.severity != "error" or f.code != "mock-not-migrated":
                continue
            path = next((p for p, start, end, fixture in self.tests if start <= f.line <= end and not fixture), WHOLE_FILE)
            if not self.kept_at(path):
                changed = True
            self.kept.setdefault(path, []).append((f.line, f.message))
        return changed

    def kept_at(self, path: tuple[str, ...]) -> bool:
        """Do the mocks at ``path`` (a scope path) stay as they are?"""
        return bool(self.kept) and any(path[: len(k)] == k for k in self.kept)

    def covers(self, line: int) -> bool:
        if WHOLE_FILE in self.kept:
            return True
        return any(start <= line <= end for p, start, end, _ in self.tests if p in self.kept)

    def findings(self, path: str, code) -> list[Finding]:
        out = []
        for test, reasons in self.kept.items():
            first = next((start for p, start, _, _ in self.tests if p == test), 1)
            what = f"{'.'.join(test)} keeps" if test else "this file keeps"
            why = "; ".join(f"line {n}: {r}" for n, r in sorted(set(reasons)))
            message = (f"{what} its responses/requests-mock mocks, because {why}; where the code it tests "
                       "moved to httpx, those mocks no longer intercept its requests and the test fails")
            out.append(Finding(code.code, code.severity, path, first, 1, message, code.fix, "mock_libraries"))
        return out


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _test(path: tuple[str, ...], node) -> tuple[tuple[str, ...], int, int, bool]:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
    return path, first, node.end_lineno or node.lineno, fixture
