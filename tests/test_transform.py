"""``visitors.transform`` must do what LibCST's own ``module.visit(transformer)`` does: same
visiting order, same result, with removals, flattening and emptied statements dropped."""

import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from migrator.engine.visitors import Transformer, Visitor, transform, visit

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = sorted(ROOT.glob("fixtures/**/*.py")) + [STDLIB / name for name in ("argparse.py", "json/decoder.py", "asyncio/tasks.py", "dataclasses.py")]


class Rewriter(Transformer):
    """Changes something of every kind LibCST's traversal has to handle."""

    def __init__(self):
        super().__init__()
        self.seen = []
        self.params = self.args = 0

    def on_visit(self, node):
        self.seen.append(("visit", type(node).__name__))
        return super().on_visit(node)

    def on_leave(self, original, updated):
        self.seen.append(("leave", type(original).__name__))
        return super().on_leave(original, updated)

    def leave_Name(self, original, updated):  # a change deep down: every parent is rebuilt
        return updated.with_changes(value=updated.value + "_") if updated.value not in ("value", "True", "False", "None") else updated

    def leave_Pass(self, original, updated):  # emptied statements must leave their block
        return cst.RemoveFromParent()

    def visit_Arg(self, node):
        self.args += 1

    def leave_Comma(self, original, updated):  # removal of a sentinel child (Arg.comma)
        return cst.RemoveFromParent() if self.args else updated

    def leave_Arg(self, original, updated):  # removal from a sequence
        self.args -= 1
        if original.keyword is not None and original.keyword.value in ("timeout", "key", "default"):
            return cst.RemoveFromParent()
        return updated

    def visit_Param(self, node):
        self.params += 1

    def leave_Param(self, original, updated):
        self.params -= 1
        return updated

    def leave_Annotation(self, original, updated):  # removal of an optional child
        return cst.RemoveFromParent() if self.params else updated

    def leave_Expr(self, original, updated):  # flattening
        if isinstance(original.value, cst.Call):
            return cst.FlattenSentinel([updated, updated.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
        return updated

    def leave_Return(self, original, updated):  # removal of a sentinel child
        return updated.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_same_order_and_result_as_libcst(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    ours, theirs = Rewriter(), Rewriter()
    ours_result = transform(module, ours)
    theirs_result = module.visit(theirs)
    assert ours.seen == theirs.seen
    assert ours_result.code == theirs_result.code
    if "def " in module.code:
        assert ours_result.code != module.code  # the rewriter changed something


def test_unchanged_nodes_are_not_rebuilt():
    module = cst.parse_module("def f(a, b):\n    return g(a)\n\nvalue = 10\n")  # ``value`` is kept
    result = transform(module, Transformer())
    assert result is module
    changed = transform(module, Rewriter())
    assert changed.body[0] is not module.body[0]  # ``a`` and ``b`` were renamed
    assert changed.body[1] is module.body[1]  # nothing in ``value = 10`` was
    assert changed.code == module.visit(Rewriter()).code


def test_inert_types_are_skipped_and_the_result_stays_the_same():
    module = cst.parse_module((ROOT / "fixtures/demo_project/weather/api.py").read_text())
    inert = frozenset({cst.SimpleWhitespace, cst.Newline, cst.Dot, cst.LeftParen, cst.RightParen})  # no handler for these
    skipping = Rewriter()
    assert transform(module, skipping, inert).code == module.visit(Rewriter()).code
    assert not any(kind in ("SimpleWhitespace", "Dot") for _, kind in skipping.seen)


class Recorder(Visitor):
    """Records every call; skips the insides of lambdas and counts names (order-dependent)."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_visit(self, node):
        self.seen.append(("visit", type(node).__name__))
        return super().on_visit(node)

    def on_leave(self, original):
        self.seen.append(("leave", type(original).__name__))
        super().on_leave(original)

    def visit_Lambda(self, node):
        return False

    def visit_Name(self, node):
        self.seen.append(node.value)


@pytest.mark.parametrize("path", FILES[:12] + FILES[-4:], ids=lambda p: str(p.relative_to(p.parents[1])))
def test_read_only_visit_calls_what_libcst_calls(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    ours, theirs = Recorder(), Recorder()
    visit(module, ours)
    module.visit(theirs)
    assert ours.seen == theirs.seen


def test_without_libcst_sources_libcst_traverses(monkeypatch):
    import migrator.engine.visitors as visitors

    monkeypatch.setattr(visitors, "_READABLE", False)
    module = cst.parse_module((ROOT / "fixtures/demo_project/weather/api.py").read_text())
    ours, theirs = Rewriter(), Rewriter()
    assert transform(module, ours).code == module.visit(theirs).code
    assert ours.seen == theirs.seen
    recorded, expected = Recorder(), Recorder()
    visit(module, recorded)
    module.visit(expected)
    assert recorded.seen == expected.seen and len(recorded.seen) > 100
