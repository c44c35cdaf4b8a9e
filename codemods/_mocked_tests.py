"""Tests as units: a test's mocks move to the new library whole, or stay whole.

A test whose responses/requests-mock registrations cannot all be translated keeps every one of
them (its decorator too): a ``@respx.mock`` over a body that still calls ``responses.add(...,
match=...)`` can pass neither way. Like sessions (``codemods._units``), this is decided by running
the codemods, then again with the tests an error fell in kept; each kept test gets one
``test-mocks-kept`` error listing why. The unit is the test function (a top-level def, or a method
of a top-level class; the whole class when a requests_mock ``Mocker`` decorates it or its
setUp starts a mock); an error in a pytest fixture or at module level keeps the whole file's mocks,
since the tests using them cannot be told apart.
"""

from __future__ import annotations

import ast
import re

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
        # the file's pytest fixtures that hold mocks, and the tests asking for one: a test kept with
        # such a fixture keeps the fixture, and so every test using it (the whole file, simply)
        defs = [n for n in (tree.body if tree is not None else ()) if isinstance(n, _DEFS)]
        defs += [m for c in (tree.body if tree is not None else ()) if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, _DEFS)]
        mock_fixtures = {d.name for d in defs if _test((), d)[3] and _MOCK_USE.search(ast.unparse(d))}
        self.uses_mock_fixture = {d.lineno for d in defs if mock_fixtures & {a.arg for a in d.args.args}}
        self.def_lines = {d.lineno for d in defs}
        for node in tree.body if tree is not None else ():
            if isinstance(node, ast.ClassDef):
                shared = [item for item in node.body if isinstance(item, _DEFS) and not item.name.startswith("test")]
                if any(_MOCKER.search(ast.unparse(d)) for d in node.decorator_list) or any(
                        _MOCK_USE.search(ast.unparse(item)) for item in shared):
                    # a requests_mock Mocker on the class, or mocks started in setUp (or any other method
                    # that is not a test), serve all its tests: they move or stay together
                    self.tests.append(_test((node.name,), node))
                self.tests += [_test((node.name, item.name), item) for item in node.body if isinstance(item, _DEFS)]
            elif isinstance(node, _DEFS):
                self.tests.append(_test((node.name,), node))

    def keep_for(self, findings: list[Finding]) -> bool:
        """Keep the mocks of each test an untranslated mock use falls in; True if one more was."""
        changed = False
        for f in findings if self.enabled else ():
            if f.severity != "error" or not (f.code == "mock-not-migrated" or _mock_name_left(f) and f.line not in self.def_lines):
                continue  # (a name left in a def line's annotations does nothing when the test runs)
            path = next((p for p, start, end, fixture in self.tests if start <= f.line <= end and not fixture), WHOLE_FILE)
            if path != WHOLE_FILE and any(start <= line <= end for p, start, end, _ in self.tests if p == path for line in self.uses_mock_fixture):
                path = WHOLE_FILE  # its mocks come from a fixture other tests share
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


def _mock_name_left(finding: Finding) -> bool:
    """A responses/requests-mock name the translation left (``rsps.add(responses.POST, ...)`` on a
    mock it did not follow): the test would mix the libraries."""
    return finding.code == "requests-unmigrated" and finding.message.startswith(("responses.", "requests_mock."))
_MOCKER = re.compile(r"\b(?:Mocker|requests_mock\.mock)\(")
_MOCK_USE = re.compile(r"\b(?:responses|requests_mock)\.")


def _test(path: tuple[str, ...], node) -> tuple[tuple[str, ...], int, int, bool]:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
    return path, first, node.end_lineno or node.lineno, fixture
