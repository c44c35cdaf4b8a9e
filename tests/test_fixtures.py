"""Every fixture pair: before.py migrates to exactly after.py, with exactly the expected findings,
and migrating after.py again changes nothing."""

from __future__ import annotations

import pytest

from migrator.engine.pipeline import migrate_source
from tests.fixture_cases import case_id, cases, expected_findings, options

CASES = cases()


def test_there_are_fixtures_for_every_codemod():
    import codemods

    covered = {case.parent.name for case in CASES}
    assert {cls.name for cls in codemods.ORDER} <= covered


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_before_becomes_after(case):
    before = (case / "before.py").read_text()
    result = migrate_source(before, "before.py", options(case))
    assert result.code == (case / "after.py").read_text()
    assert [(f.line, f.code) for f in result.findings] == expected_findings(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_second_run_changes_nothing(case):
    after = (case / "after.py").read_text()
    assert migrate_source(after, "after.py", options(case)).code == after
