"""codegen.generate gives Module.code, and reuses an earlier generation's statements."""

from pathlib import Path

import libcst as cst
import pytest

from migrator.engine.codegen import generate

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p.read_text() for p in sorted(ROOT.glob("fixtures/**/*.py"))] + [
    "",
    "\n",
    "# only a comment\n",
    "x = 1",  # no final newline
    "x = 1\r\ny = 2\r\n",
    "#!/usr/bin/env python\n# header\n\nimport a\n\n# footer\n",
    "if x:\n\tpass\n# trailing comment without newline",
]


@pytest.mark.parametrize("source", SOURCES)
def test_same_code_as_libcst(source):
    module = cst.parse_module(source)
    code, _ = generate(module)
    assert code == module.code == source


@pytest.mark.parametrize("source", [s for s in SOURCES if s.count("\n") > 3])
def test_a_second_generation_reuses_the_statements_it_shares(source):
    module = cst.parse_module(source)
    _, first = generate(module)
    added = cst.parse_statement("import httpx\n")
    second_module = module.with_changes(body=[added, *module.body[1:]])
    code, second = generate(second_module, first)
    assert code == second_module.code
    shared = [s for s in module.body[1:]]
    assert all(second[id(s)] is first[id(s)] for s in shared)  # taken over, not generated again
    assert id(added) in second and id(module.body[0]) not in second


def test_an_empty_module_built_by_hand():
    module = cst.Module(body=[])
    assert generate(module)[0] == module.code == "\n"
