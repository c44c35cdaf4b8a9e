"""The pure parts of bench/suites.py: read a suite's JUnit XML, find the lines of the migrated tree
in a failure's traceback, carry them back to the original lines the tool's findings are placed on
(a report's line numbers are those of the file as read, before the rewrite), and say what explains
each test that stopped passing. No subprocess, no file written; tests/test_suites_results.py."""

from __future__ import annotations

import difflib
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass
class Outcome:
    status: str  # passed, failed, error, skipped
    message: str = ""  # the failure's one-line summary
    text: str = ""  # the traceback pytest wrote


def _summary(message: str, text: str) -> str:
    """The line that says what went wrong: the first of pytest's message attribute (the exception
    raised last, as 'Type: value') if there is one, else the traceback's last line."""
    for source in (message, text):
        lines = [line.strip() for line in source.strip().splitlines() if line.strip()]
        if lines:
            return lines[0] if source is message else lines[-1]
    return ""


def parse_junit(xml_text: str) -> dict[str, Outcome]:
    """Test id ('classname::name', as pytest writes them) -> its outcome. A collection error is a
    testcase of its own (empty classname, name = the module), an error at setup or teardown counts
    as the test's error."""
    outcomes: dict[str, Outcome] = {}
    for case in ET.fromstring(xml_text).iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome = Outcome("passed")
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                message, text = child.get("message", ""), child.text or ""
                if child.tag != "skipped" or outcome.status == "passed":
                    outcome = Outcome(child.tag if child.tag != "failure" else "failed", _summary(message, text), text)
        previous = outcomes.get(test_id)
        if previous is None or previous.status in ("passed", "skipped"):  # a teardown error follows a pass
            outcomes[test_id] = outcome
    return outcomes


def passed(outcomes: dict[str, Outcome]) -> set[str]:
    return {test_id for test_id, outcome in outcomes.items() if outcome.status == "passed"}


def collection_error_for(test_id: str, outcomes: dict[str, Outcome]) -> tuple[str, Outcome] | None:
    """The collection error of a test's module, for a test that is missing from a run."""
    classname = test_id.split("::", 1)[0]
    for other_id, outcome in outcomes.items():
        cls, name = other_id.split("::", 1)
        if outcome.status == "error" and not cls and (classname == name or classname.startswith(name + ".")):
            return other_id, outcome
    return None


_LONG = re.compile(r"^[ \t]*([^\s:\"']+\.py):(\d+):", re.M)  # pytest: 'pkg/mod.py:12: in f'
_NATIVE = re.compile(r'File "([^"]+\.py)", line (\d+)')  # --tb=native and chained tracebacks


def traceback_locations(text: str, tree: str) -> list[tuple[str, int]]:
    """The (path relative to tree, line) of each frame of a traceback that is in the tree, in order,
    without repeats. Frames in site-packages or the standard library are dropped."""
    tree = os.path.normpath(tree)
    seen: list[tuple[str, int]] = []
    matches = [(m.start(), m.group(1), m.group(2)) for m in _LONG.finditer(text)]
    matches += [(m.start(), m.group(1), m.group(2)) for m in _NATIVE.finditer(text)]
    for _, path, line in sorted(matches):
        path = os.path.normpath(path)
        if os.path.isabs(path):
            if not path.startswith(tree + os.sep):
                continue
            path = os.path.relpath(path, tree)
        if path.startswith("..") or "site-packages" in path:
            continue
        location = (path, int(line))
        if location not in seen:
            seen.append(location)
    return seen


def line_map(old: list[str], new: list[str]) -> dict[int, tuple[int, int]]:
    """Each line of the migrated file (1-based) -> the range of original lines it came from: the same
    line where it is unchanged, the whole replaced range where a hunk rewrote it, and the line
    before an insertion for inserted lines (an import added at the top maps to the line above)."""
    mapping: dict[int, tuple[int, int]] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                mapping[j + 1] = (i1 + (j - j1) + 1, i1 + (j - j1) + 1)
            elif tag == "replace":
                mapping[j + 1] = (i1 + 1, i2)
            elif tag == "insert":
                mapping[j + 1] = (max(i1, 1), max(i1, 1))
    return mapping


_URL = re.compile(r"with url: \S+|[a-z][a-z0-9+.-]*://[^\s'\"(),\[\]]+", re.I)
_CAUSE = re.compile(r" \(Cause.*")  # urllib3's '(Caused by ...)', maybe cut short
_ID = re.compile(r"\b(?=[0-9a-f-]*\d)[0-9a-f]{8,}(?:-[0-9a-f]{4,})*\b|\b\d+\b", re.I)


_GROUPED = re.compile(r"\([^()\[\]]*\)|\[[^()\[\]]*\]")  # an innermost (...) or [...]


def signature(error: str) -> str:
    """A failure's message with URLs, ids, numbers and what stands in brackets taken out, so tests
    failing the same way group together: 'ConnectionError: HTTPConnectionPool(host=...): Max retries
    exceeded with url: /api/2.4/sites/dad6... (Caused by ...)' is one cause for every endpoint."""
    error = _URL.sub("URL", _CAUSE.sub("", error))
    while True:  # inside out, so nested brackets collapse whole
        shorter = _GROUPED.sub(lambda m: "\0" if m.group(0)[0] == "(" else "\1", error)
        if shorter == error:
            return _ID.sub("N", error.replace("\0", "(...)").replace("\1", "[...]"))
        error = shorter


@dataclass
class Explanation:
    locations: list[tuple[str, int]]  # traceback lines in the migrated tree
    findings: list[dict] = field(default_factory=list)  # the tool's findings on those lines
    elsewhere: list[dict] = field(default_factory=list)  # its errors and warnings elsewhere in those files

    @property
    def verdict(self) -> str:
        """'explained': an error finding stands on a line of the traceback; 'flagged': only warnings
        or info do; 'unexplained': no finding does."""
        if any(f.get("severity") == "error" for f in self.findings):
            return "explained"
        return "flagged" if self.findings else "unexplained"


def names_test(finding: dict, test_id: str) -> bool:
    """Does the finding name this test (``test_x ...`` or ``TestX.test_x ...``, in the test's file)?"""
    module, _, name = test_id.partition("::")
    name = name.split("::")[-1].split("[")[0]
    first = finding.get("message", "").split(" ", 1)[0]
    stem = os.path.splitext(os.path.basename(finding.get("path", "")))[0]
    return bool(name) and first.split(".")[-1] == name and stem in module.split(".")


def explain(text: str, tree: str, findings: list[dict], read_pair, test_id: str = "") -> Explanation:
    """The findings on the lines of a failure's traceback, and those naming the test. read_pair(path)
    gives (original lines, migrated lines) of a file of the tree, or None for a file the tool did not
    change (then a line maps to itself)."""
    locations = traceback_locations(text, tree)
    by_path: dict[str, list[dict]] = {}
    for finding in findings:
        by_path.setdefault(os.path.normpath(finding.get("path", "")), []).append(finding)
    maps: dict[str, dict[int, tuple[int, int]] | None] = {}
    found: list[dict] = []
    for path, line in locations:
        if path not in by_path:
            continue
        if path not in maps:
            pair = read_pair(path)
            maps[path] = line_map(*pair) if pair else None
        lo, hi = maps[path].get(line, (line, line)) if maps[path] is not None else (line, line)
        for finding in by_path[path]:
            if lo <= finding.get("line", 0) <= hi and finding not in found:
                found.append(finding)
    found += [f for f in findings if test_id and f not in found and names_test(f, test_id)]
    files = {path for path, _ in locations}
    elsewhere = [f for path in sorted(files & by_path.keys()) for f in by_path[path] if f not in found and f.get("severity") in ("error", "warning")]
    return Explanation(locations, found, elsewhere)


def finding_line(finding: dict) -> str:
    return f"{finding.get('path')}:{finding.get('line')}: {finding.get('severity')} [{finding.get('code')}] {finding.get('message')}"


def finding_short(finding: dict) -> str:
    return f"{finding.get('code')}@{finding.get('path')}:{finding.get('line')}"
