"""migrator.engine.positions gives the same ranges as LibCST's PositionProvider, for every node."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrator.engine.positions import positions

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


def _with_units(module, source):
    """Every node, with the units Context.current_unit gives it while the engine visits it."""
    from migrator.engine.context import Context
    from migrator.engine.options import Options

    ctx = Context(module, "x.py", Options(), None, source=source)
    out = []

    class Walk(cst.CSTVisitor):
        def on_visit(self, node):
            ctx.parents.append(node)
            out.append((node, ctx.current_unit()))
            return True

        def on_leave(self, node):
            ctx.parents.pop()

    module.visit(Walk())
    return out


UNIT_CASES = TRICKY + [
    "class A:\n  def f(self):\n    return (1,\n            2)\n\n  def g(self):\n    return (1,\n            2)\n",  # 2 spaces, twins
    "class A:\n\tdef f(self):\n\t\tx = '''\n  text\n''' + y\n",
    "def f():\n    def g():\n        return h(\n            1)\n    return g\n",
    "if a:\n    x = 1\nelif b:\n    y = 2\nif b:\n    y = 2\n",  # an elif generates as "if b:...", also found below
    "def f():\n    r.close()\n    if a:\n        r.close()\n\n\ndef g():\n    r.close()\n",  # twins: the function decides
]


@pytest.mark.parametrize("source", [p.read_text() for p in SOURCES] + UNIT_CASES)
def test_units_give_the_same_ranges(source):
    from migrator.engine.positions import positions_in_units

    module = cst.parse_module(source)
    wanted = _with_units(module, source)
    assert any(len(units) == 2 for _, units in wanted) or "def " not in source  # both kinds tried
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = positions_in_units(module, source, wanted)
    assert [(type(n).__name__, got[id(n)]) for n, _ in wanted if got[id(n)] != expected[n]] == []


def test_a_wrong_or_missing_unit_falls_back_to_the_whole_module():
    from migrator.engine.positions import positions_in_units

    source = "x = 1\n\ndef f():\n    return g(2)\n"
    module = cst.parse_module(source)
    call = module.body[1].body.body[0].body[0].value
    first = module.body[0]
    got = positions_in_units(module, source, [(call, ((first, ()),)), (first, ())])
    assert (got[id(call)].start.line, got[id(call)].start.column) == (4, 11)
    assert got[id(first)].start.line == 1
