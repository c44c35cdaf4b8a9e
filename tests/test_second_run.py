"""Residuals are not forgotten: what a first run reports as an error and is still in the code is
reported again by a second run, by ``migrate --check`` and by ``migrate lint``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source
from migrator.lint.rules import lint_source
from tests.fixture_cases import case_id, cases, options

MIXED = '''import httpx
import requests


def fetch(url):
    r = httpx.get(url, timeout=5)
    legacy = requests.get(url, stream=True)
    return legacy.raw, r.raw


def status(url):
    r = httpx.get(url, timeout=5)
    return r.ok  # requests2httpx: ignore[response-attribute]
'''


def test_httpx_code_in_a_file_that_still_imports_requests_is_linted_with_its_migration():
    result = migrate_source(MIXED, "x.py", Options(format=False))
    assert "with httpx.stream(" in result.code  # the requests call was migrated
    found = [(f.line, f.code, f.codemod) for f in result.findings if f.severity == "error"]
    # line 8: the migration's legacy.raw and the lint's r.raw, kept once
    assert found == [(8, "response-attribute", "catch_all")]
    assert result.suppressed == 1  # r.ok on line 13


def _migrate(*args, cwd):
    return subprocess.run([sys.executable, "-m", "migrator", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_check_fails_while_an_error_residual_remains_and_passes_once_it_is_silenced(tmp_path):
    path = tmp_path / "app.py"
    call = "with httpx.Client(timeout=5) as client:\n    client.get('http://h/', verify=False)"
    path.write_text(f"import httpx\n\n{call}\n")
    proc = _migrate("--check", "app.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "would migrate" not in proc.stderr  # nothing would change: the error alone fails it
    assert "app.py:4:5: error [request-arg-unsupported]" in proc.stderr
    path.write_text(f"import httpx\n\n{call}  # requests2httpx: ignore[request-arg-unsupported]\n")
    proc = _migrate("--check", "app.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 suppressed" in proc.stderr


BEFORE = {
    "downloads.py": '''
        import requests
        from requests.adapters import HTTPAdapter


        class RetryAdapter(HTTPAdapter):
            def send(self, request, **kwargs):
                kwargs.setdefault("timeout", 30)
                return super().send(request, **kwargs)


        class Downloader:
            def __init__(self, base, verify=True, decode=False):
                self.base = base
                self.verify = verify
                self.decode = decode
                self.session = requests.Session()
                self.session.mount("https://", RetryAdapter())

            def fetch(self, path):
                r = self.session.get(self.base + path, verify=self.verify)
                r.raise_for_status()
                return r.json()

            def save(self, path, target):
                r = requests.get(self.base + path, stream=True, timeout=60)
                with open(target, "wb") as fh:
                    for chunk in r.iter_content(chunk_size=8192):
                        fh.write(chunk)
                return r.raw.headers

            def text(self, path):
                r = requests.get(self.base + path, timeout=60)
                pieces = list(r.iter_content(chunk_size=512, decode_unicode=self.decode))
                return pieces, r.apparent_encoding

            def close(self):
                self.session.close()
    ''',
    "feeds.py": '''
        import requests


        def events(url):
            r = requests.get(url, stream=True, timeout=30)
            return [line.decode("latin-1") for line in r.iter_lines()]


        def healthy(url):
            resp = requests.head(url, timeout=5)
            return resp.connection is not None


        def configured(base, verify):
            with requests.Session() as s:
                s.verify = verify
                s.hooks["response"].append(print)
                return s.get(base).status_code
    ''',
}


def _subject(lines: list[str], line: int, column: int) -> str | None:
    """The dotted name a finding points at (``r.raw.headers``, ``self.session.mount``)."""
    match = re.match(r"[A-Za-z_][\w.]*", lines[line - 1][column - 1 :])
    return match.group(0) if match else None


def _places(text: str, subject: str) -> list[tuple[int, int]]:
    """(line, column) of each whole occurrence of ``subject`` in ``text``."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(subject) + r"(?!\w)")
    return [(text.count("\n", 0, m.start()) + 1, m.start() - text.rfind("\n", 0, m.start())) for m in pattern.finditer(text)]


class Residual(NamedTuple):
    file: str
    code: str
    lines: set[int]  # where it may be in the migrated file
    subject: str


def _still_present(before: dict[str, str], after: dict[str, str], findings: list[dict]) -> list[Residual]:
    """Each first-run error whose subject is still in the migrated file. The first run reports
    lines of its input; the k-th occurrence of the subject there is the k-th in the output when
    both have as many (else it may be any of them)."""
    out = []
    for f in findings:
        name = Path(f["path"]).name
        subject = _subject(before[name].splitlines(), f["line"], f["column"]) if f["severity"] == "error" else None
        if not subject:
            continue
        old, new = _places(before[name], subject), _places(after[name], subject)
        if not new:
            continue  # migrated away
        at = (f["line"], f["column"])
        lines = {new[old.index(at)][0]} if at in old and len(old) == len(new) else {line for line, _ in new}
        out.append(Residual(name, f["code"], lines, subject))
    return out


def _errors(report: dict, by_codemods: bool = False) -> set[tuple[str, str, int]]:
    """(file, code, line) of the error findings (``by_codemods``: those the codemods report)."""
    return {(Path(f["path"]).name, f["code"], f["line"]) for f in report["findings"]
            if f["severity"] == "error" and not (by_codemods and f["codemod"] == "lint")}


def _found(residual: Residual, found: set[tuple[str, str, int]]) -> bool:
    return any((residual.file, residual.code, line) in found for line in residual.lines)


def test_a_second_run_check_and_lint_report_every_error_the_first_run_left(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    before = {name: textwrap.dedent(text).lstrip() for name, text in BEFORE.items()}
    for name, text in before.items():
        (project / name).write_text(text)
    first = _migrate("--report", "first.json", "proj", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    after = {name: (project / name).read_text() for name in before}
    assert after != before
    expected = _still_present(before, after, json.loads((tmp_path / "first.json").read_text())["findings"])
    assert expected, "the first run left no error in the code: the modules no longer test anything"

    again = _migrate("--dry-run", "--report", "second.json", "proj", cwd=tmp_path)
    check = _migrate("--check", "--report", "check.json", "proj", cwd=tmp_path)
    lint = subprocess.run([sys.executable, "-m", "migrator", "lint", "--output-format", "json", "proj"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert check.returncode == 1, check.stderr
    assert lint.returncode == 1, lint.stderr
    second = json.loads((tmp_path / "second.json").read_text())
    runs = {
        "second run": _errors(second),
        "--check": _errors(json.loads((tmp_path / "check.json").read_text())),
        "lint": _errors(json.loads(lint.stdout)),
    }
    # lint reads httpx code: a residual in code still on requests is the codemods' to report again
    on_requests = _errors(second, by_codemods=True)
    for run, found in runs.items():
        missing = [e for e in expected if not _found(e, found) and not (run == "lint" and _found(e, on_requests))]
        assert not missing, f"{run} forgot {missing}; it reported {sorted(found)}"
    assert any(not _found(e, on_requests) for e in expected)  # some residual is httpx code: lint has work


# Errors a later run does not repeat on httpx code, on purpose: an except clause around r.json()
# (json-error-not-caught) and a line from iter_lines() used bare (a str where bytes may be wanted)
# are ordinary httpx code once migrated; only the migration knows they were requests code.
_NOT_REPEATED = {"json-error-not-caught"}


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_every_error_a_fixture_leaves_is_reported_again(case):
    before = (case / "before.py").read_text()
    first = migrate_source(before, "case.py", options(case))
    findings = [f.as_dict() for f in first.findings if f.code not in _NOT_REPEATED]
    expected = [e for e in _still_present({"case.py": before}, {"case.py": first.code}, findings)
                if not (e.code == "response-lines-are-str" and "." not in e.subject)]
    second = migrate_source(first.code, "case.py", options(case)).findings
    found = {("case.py", f.code, f.line) for f in second}
    on_requests = {("case.py", f.code, f.line) for f in second if f.codemod != "lint"}
    linted = {("case.py", f.code, f.line) for f in lint_source(first.code, "case.py")}
    for e in expected:
        assert _found(e, found), e
        assert _found(e, linted) or _found(e, on_requests), e


ARGUMENT_WARNINGS = '''import requests


def fetch(url, params, data, t):
    with requests.Session() as s:
        s.get(url)  # (a request before the params are set: they stay the client's, reported)
        s.params = {"key": "k1"}
        a = s.get(url, params=params, timeout=t)
    b = requests.post(url, data=data, params={"k": None})
    chosen = a.encoding  # (read before it is set: requests' choice)
    a.encoding = "utf-8"
    return chosen, a.text, b.url, a.request


def hand_written(url, params):
    import httpx

    return httpx.get(url, params=params).status_code  # no requests meaning to keep: not reported
'''


def test_argument_warnings_on_migrated_calls_are_reported_again():
    """params-semantics, timeout-maybe-tuple, data-type-unknown, and response-attribute-differs on
    their responses: a later run and migrate lint find them again on the calls the migration wrote
    (not on httpx calls written by hand)."""
    first = migrate_source(ARGUMENT_WARNINGS, "x.py", Options())
    argument_codes = {"params-semantics", "timeout-maybe-tuple", "data-type-unknown", "response-attribute-differs"}
    warned = sorted(f.code for f in first.findings if f.code in argument_codes)
    # (requests.post's params= went into the URL, exactly: only the client's params and the call
    # joining them warn)
    # (a.request stays an httpx.Request: warned; a.encoding and a.text go through the helpers, exact)
    assert warned == ["data-type-unknown", "params-semantics", "params-semantics", "response-attribute-differs",
                      "timeout-maybe-tuple"]
    again = migrate_source(first.code, "x.py", Options())
    linted = lint_source(first.code, "x.py")
    for later in (again.findings, linted):
        assert sorted(f.code for f in later if f.severity == "warning" and f.code in warned) == warned
        assert not [f for f in later if f.code == "params-semantics" and "hand_written" in first.code.splitlines()[f.line - 1]]


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_every_warning_a_fixture_gets_is_reported_again(case):
    """A later run and migrate lint give the migrated code each warning the first run gave it (as
    many times: the warnings' subjects, calls and responses, mostly stay where they were)."""
    before = (case / "before.py").read_text()
    first = migrate_source(before, "case.py", options(case))
    warned = Counter(f.code for f in first.findings if f.severity == "warning")
    if first.code == before or not warned:
        pytest.skip("the migration changed nothing, or warned of nothing")
    second = Counter(f.code for f in migrate_source(first.code, "case.py", options(case)).findings)
    linted = Counter(f.code for f in lint_source(first.code, "case.py"))
    for code, count in warned.items():
        assert second[code] >= count and linted[code] >= count, (code, count, second[code], linted[code])


LATER_WARNINGS = '''import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def fetch(url, handle):
    with requests.Session() as s:
        s.mount("https://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[502])))
        r = s.get(url)
        copied = dict(r.headers)
    try:
        other = requests.get(url, timeout=3)
    except requests.ConnectionError:
        return None
    handle(other)
    return copied, r
'''

HAND_WRITTEN = '''import httpx


def fetch(url, handle):
    with httpx.Client(transport=httpx.HTTPTransport(retries=3)) as client:
        r = client.get(url)
        copied = dict(r.headers)
    try:
        other = httpx.get(url, timeout=3)
    except httpx.TransportError:
        return None
    handle(other)
    return copied, r
'''
_LATER = {"retries-narrower", "transport-env-proxies", "headers-lowercase", "exception-broader", "response-escapes"}


def test_warnings_whose_cause_the_code_no_longer_shows_are_reported_again_until_the_note_goes(tmp_path):
    """Transports, header copies, except clauses, responses handed on: found again on the code
    the migration wrote; the retry options it lost, through the note it wrote above the client.
    Hand-written httpx code of the same shape gets none of these warnings."""
    first = migrate_source(LATER_WARNINGS, "x.py", Options())
    warned = Counter(f.code for f in first.findings if f.code in _LATER)
    assert set(warned) == _LATER, warned
    assert "# requests2httpx: note[retries-narrower] lost: status_forcelist, read" in first.code
    for later in (migrate_source(first.code, "x.py", Options()).findings, lint_source(first.code, "x.py")):
        assert Counter(f.code for f in later if f.code in _LATER) == warned
    without_note = "\n".join(line for line in first.code.splitlines() if "note[" not in line) + "\n"
    assert "retries-narrower" not in {f.code for f in lint_source(without_note, "x.py")}
    assert not [f for f in lint_source(HAND_WRITTEN, "y.py") if f.code in _LATER]
