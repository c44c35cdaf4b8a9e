"""migrator.positions gives the same ranges as LibCST's PositionProvider, for every node."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrator.positions import positions

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for p in (ROOT / "fixtures").rglob("*.py"))

TRICKY = [
    "x = 1\r\ny = (\r\n    2)\r\n",
    "x = 1\ry = 2\r",
    "class A:\n    # comment\n\n    @deco\n    def f(self):  # c\n        return (a,\n                b)\n",
    "if a: b; c = 'é'\nelse:\n  pass\n",
    "s = '''\nline\n''' + f'{x}'\n",
]


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            found.append(node)
            return True

    module.visit(Collect())
    return found


@pytest.mark.parametrize("source", [p.read_text() for p in SOURCES] + TRICKY, ids=[p.parent.name + "/" + p.name for p in SOURCES] + [f"tricky{i}" for i in range(len(TRICKY))])
def test_same_ranges_as_position_provider(source):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = _all_nodes(module)
    got = positions(module, nodes)
    assert len(got) == len(nodes)
    mismatches = [(type(n).__name__, expected[n], got[id(n)]) for n in nodes if expected[n] != got[id(n)]]
    assert mismatches == []


def test_only_wanted_nodes():
    module = cst.parse_module("import requests\nr = requests.get(url)\n")
    call = module.body[1].body[0].value
    got = positions(module, [call])
    assert list(got) == [id(call)]
    assert (got[id(call)].start.line, got[id(call)].start.column) == (2, 4)
    assert positions(module, []) == {}
