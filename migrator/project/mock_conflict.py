"""respx and pytest-httpx in one package cannot both move to httpx2.

On httpx2, respx needs pytest-httpx2 (its mocker for httpcore2) and pytest-httpx's tests need
httpx2-pytest; both install the module ``pytest_httpx2`` (and a fixture ``httpx2_mock``), so one
environment holds only one of them and half of the package's tests would fail. A package whose tests
use both (already, or once the run has migrated its responses/requests-mock tests) stays on httpx:
its code migrates to httpx as with ``--target httpx``, code already on httpx stays, and each file
using either library gets one error naming the other.
"""

from __future__ import annotations

import re
from typing import Callable

from codemods.mock_libraries import mocks_enabled
from codemods.to_httpx2 import MOCK_LIBRARIES
from migrator.engine.findings import Finding

_RESPX = re.compile(rb"^[ \t]*(?:import[ \t]+respx\b|from[ \t]+respx\b)|\brespx_mock\b", re.M)
_PYTEST_HTTPX = re.compile(rb"^[ \t]*(?:import[ \t]+pytest_httpx\b|from[ \t]+pytest_httpx\b)|\bhttpx_mock\b", re.M)
# tests the run migrates: their mocks become --mock-library's
_REQUESTS_MOCKS = re.compile(rb"^[ \t]*(?:import[ \t]+(?:responses|requests_mock)\b|from[ \t]+(?:responses|requests_mock)\b)"
                             rb"|\brequests_mock\b", re.M)


def held_packages(files: list[str], options, package_of: Callable[[str], str]) -> dict[str, list[tuple[str, int, str]]]:
    """Package -> (path, line, library) of each file using respx or pytest-httpx, for the packages
    whose tests would use both on httpx2."""
    uses: dict[str, list[tuple[str, int, str]]] = {}
    for path in files:
        if not path.endswith(".py"):
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        if b"respx" not in data and b"httpx_mock" not in data and b"requests_mock" not in data and b"responses" not in data:
            continue
        for library, pattern in (("respx", _RESPX), ("pytest-httpx", _PYTEST_HTTPX)):
            match = pattern.search(data)
            if match is None and options.mock_library == library and mocks_enabled(options, path):
                match = _REQUESTS_MOCKS.search(data)
            if match is not None:
                line = data.count(b"\n", 0, match.start()) + 1
                uses.setdefault(package_of(path), []).append((path, line, library))
    return {package: found for package, found in uses.items() if len({library for _, _, library in found}) == 2}


def report(results: list, held: dict[str, list[tuple[str, int, str]]]) -> None:
    """One error on each file of a held package that uses respx or pytest-httpx."""
    by_path = {r.path: r for r in results}
    for found in held.values():
        first = {library: path for path, _, library in reversed(found)}
        for path, line, library in found:
            other = "pytest-httpx" if library == "respx" else "respx"
            message = (f"this file's tests use {library} and {first[other]}'s use {other}: on httpx2 they need pytest-httpx2 "
                       "and httpx2-pytest, which install the same module (pytest_httpx2), so the package stays on httpx")
            result = by_path.get(path)
            if result is not None:
                result.findings.insert(0, Finding(MOCK_LIBRARIES.code, MOCK_LIBRARIES.severity, path, line, 1, message,
                                                  MOCK_LIBRARIES.fix, "to_httpx2"))
