"""The pure parts of bench/suites.py (which runs real libraries' test suites before and after a
migration): reading JUnit XML, finding a traceback's lines in the migrated tree, carrying them back to
the original lines the report's findings are placed on, and the committed table of libraries.
Nothing here fetches, installs or runs a library."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


results = _load("suites_results")
suites = _load("suites")

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="6">
<testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">tests/test_broken.py:3: in &lt;module&gt;
    import nope
E   ModuleNotFoundError: No module named 'nope'</error></testcase>
<testcase classname="tests.test_a.TestA" name="test_ok" time="0.01" />
<testcase classname="tests.test_a.TestA" name="test_fails" time="0.01"><failure message="AttributeError: 'Client' object has no attribute 'mount'&#10;second line">self = &lt;TestA&gt;

    def test_fails(self):
&gt;       c = pkg.Client()

tests/test_a.py:12: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
/venv/lib/python3.11/site-packages/other.py:5: in helper
    x()
pkg/client.py:40: in __init__
    self.session.mount("http://", adapter)
E   AttributeError: 'Client' object has no attribute 'mount'

pkg/client.py:40: AttributeError</failure></testcase>
<testcase classname="tests.test_a.TestA" name="test_skipped" time="0.0"><skipped type="pytest.skip" message="no pandas">skip</skipped></testcase>
<testcase classname="tests.test_a" name="test_teardown" time="0.0" />
<testcase classname="tests.test_a" name="test_teardown" time="0.0"><error message="failed on teardown with &quot;AssertionError: RESPX: some routes were not called!&quot;">teardown</error></testcase>
</testsuite></testsuites>
"""


def test_junit_outcomes():
    outcomes = results.parse_junit(JUNIT)
    assert {k: v.status for k, v in outcomes.items()} == {
        "::tests.test_broken": "error",
        "tests.test_a.TestA::test_ok": "passed",
        "tests.test_a.TestA::test_fails": "failed",
        "tests.test_a.TestA::test_skipped": "skipped",
        "tests.test_a::test_teardown": "error",  # a teardown error after the pass is what counts
    }
    assert results.passed(outcomes) == {"tests.test_a.TestA::test_ok"}
    assert outcomes["tests.test_a.TestA::test_fails"].message == "AttributeError: 'Client' object has no attribute 'mount'"
    assert outcomes["::tests.test_broken"].message == "collection failure"


def test_a_missing_test_finds_its_modules_collection_error():
    outcomes = results.parse_junit(JUNIT)
    found = results.collection_error_for("tests.test_broken.TestB::test_x", outcomes)
    assert found and found[0] == "::tests.test_broken"
    assert results.collection_error_for("tests.test_brokenness::test_x", outcomes) is None


def test_traceback_locations_keep_the_trees_frames_in_order():
    text = results.parse_junit(JUNIT)["tests.test_a.TestA::test_fails"].text
    assert results.traceback_locations(text, "/work/t") == [("tests/test_a.py", 12), ("pkg/client.py", 40)]
    native = 'File "/work/t/pkg/api.py", line 7, in get\nFile "/usr/lib/python3.11/json/__init__.py", line 2\n'
    assert results.traceback_locations(native, "/work/t") == [("pkg/api.py", 7)]


def test_line_map_carries_migrated_lines_back():
    old = ["import requests", "", "s = requests.Session()", "s.mount('x', a)", "s.get(u)"]
    new = ["import httpx", "", "s = httpx.Client(", "    follow_redirects=True)", "s.mount('x', a)", "s.get(u)"]
    mapping = results.line_map(old, new)
    assert mapping[1] == (1, 1)  # rewritten import
    assert mapping[2] == (2, 2)
    assert mapping[3] == mapping[4] == (3, 3)  # one statement became two lines
    assert mapping[5] == (4, 4) and mapping[6] == (5, 5)


def test_explain_finds_the_findings_on_a_traceback_and_gives_a_verdict():
    text = results.parse_junit(JUNIT)["tests.test_a.TestA::test_fails"].text
    old = ["import requests"] + ["x = 1"] * 38 + ["self.session.mount('http://', adapter)"]
    new = ["import httpx", "import requests"] + ["x = 1"] * 38 + ["self.session.mount('http://', adapter)"]
    pair = {"pkg/client.py": (old, new)}
    error = {"path": "pkg/client.py", "line": 39, "code": "client-attribute-unsupported", "severity": "error"}
    warning = {"path": "./pkg/client.py", "line": 39, "code": "client-escapes", "severity": "warning"}
    elsewhere = {"path": "pkg/client.py", "line": 2, "code": "requests-unmigrated", "severity": "error"}
    why = results.explain(text, "/work/t", [error, elsewhere], pair.get)
    assert why.verdict == "explained" and why.findings == [error] and why.elsewhere == [elsewhere]
    assert results.explain(text, "/work/t", [warning], pair.get).verdict == "flagged"
    assert results.explain(text, "/work/t", [elsewhere], pair.get).verdict == "unexplained"


@pytest.mark.parametrize(
    "first, second",
    [
        (
            "requests.exceptions.ConnectionError: HTTPConnectionPool(host='test', port=80): Max retries exceeded with url: /api/2.4/sites/dad65087-b08b/a (Caused by X)",
            "requests.exceptions.ConnectionError: HTTPConnectionPool(host='test', port=80): Max retries exceeded with url: /api/3.19/tasks/b (Caused by Y)",
        ),
        ("RuntimeError: command failed: ('base', 'app1', 'c')", "RuntimeError: command failed: ('bases',)"),
        ("RuntimeError: command failed: ('-kf', PosixPath('/tmp/k.txt'), 'whoami')", "RuntimeError: command failed: ('w',)"),
        ("AssertionError: not executed [('GET', 'http://localhost/a')]", "AssertionError: not executed [('PUT', 'http://h/b'), ('GET', 'http://h/c')]"),
    ],
)
def test_failures_alike_share_a_signature(first, second):
    assert results.signature(first) == results.signature(second)


def test_different_causes_keep_different_signatures():
    verify = "TypeError: Client.get() got an unexpected keyword argument 'verify'"
    json = "TypeError: Client.get() got an unexpected keyword argument 'json'"
    assert results.signature(verify) != results.signature(json)


def test_the_committed_table_is_complete():
    table = suites.load_table()
    assert len(table) >= 6
    assert len({s.name for s in table}) == len(table)
    for suite in table:
        assert re.fullmatch(r"[0-9a-f]{40}", suite.commit), suite.name
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", suite.repo), suite.name
        assert not suite.packaged or any("{tree}" in line for line in suite.install), f"{suite.name}: the library itself is not installed"
        assert suite.test and suite.migrate and suite.style


def test_a_finding_naming_the_test_explains_its_failure():
    names_test = results.names_test
    finding = {"path": "tests/test_api_base.py", "message": "test_delete fails where it reaches the code moved to httpx"}
    assert names_test(finding, "tests.test_api_base::test_delete")
    assert names_test({**finding, "message": "TestBase.test_delete fails ..."}, "tests.test_api_base.TestBase::test_delete[a-1]")
    assert not names_test(finding, "tests.test_other::test_delete")
    assert not names_test(finding, "tests.test_api_base::test_delete_all")
