"""Line and column of a few nodes, without LibCST's ``PositionProvider`` over the whole module.

``PositionProvider`` builds a position object for every node and splits every token on
newlines; findings need the positions of a handful of nodes. This does one code generation
that records token indices (plain ints) and turns only the wanted ones into line/column.
The ranges are the same as ``PositionProvider``'s (tests/test_positions.py checks that on
every fixture): a node's syntactic range, a compound statement ending where its body ends.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange


class _IndexState(CodegenState):
    """Code generation that remembers, per node, the token indices it spans."""

    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.stack: list[int] = []
        self.spans: dict[int, tuple[int, int]] = {}
        self.line, self.column = 1, 0  # where the first token goes

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.stack.pop()
        # a syntactic position recorded inside the node's own codegen wins (as in LibCST)
        self.spans.setdefault(id(node), (start, len(self.tokens)))

    def pop_trailing_newline(self) -> None:
        pass  # LibCST's position state counts the module's last newline too (never written here)

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None, end_node: Optional[cst.CSTNode] = None
    ) -> Iterator[None]:
        start = len(self.tokens)
        try:
            yield
        finally:
            end = len(self.tokens)
            if start_node is not None:
                start = self.spans[id(start_node)][0]
            if end_node is not None:
                end = self.spans[id(end_node)][1]
            self.spans[id(node)] = (start, end)


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, CodeRange]:
    """``id(node)`` -> its range, for those of ``nodes`` that are in ``module``."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    state = _IndexState(module)
    module._codegen(state)
    return _ranges(state, wanted)


def _ranges(state: _IndexState, wanted: set[int]) -> dict[int, CodeRange]:
    marks = sorted({i for key in wanted if key in state.spans for i in state.spans[key]})
    where: dict[int, CodePosition] = {}
    line, column, index = state.line, state.column, 0
    tokens = state.tokens
    for mark in marks:
        # advance over tokens[index:mark], tracking the line and column reached
        chunk = "".join(tokens[index:mark])
        newlines = chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
        if newlines:
            line += newlines
            column = len(chunk) - max(chunk.rfind("\n"), chunk.rfind("\r")) - 1
        else:
            column += len(chunk)
        index = mark
        where[mark] = CodePosition(line, column)
    return {
        key: CodeRange(where[state.spans[key][0]], where[state.spans[key][1]])
        for key in wanted
        if key in state.spans
    }


Unit = tuple[cst.CSTNode, tuple[str, ...]]  # a statement, and the indentation of the blocks around it


def positions_in_units(module: cst.Module, source: str, wanted: list[tuple[cst.CSTNode, tuple[Unit, ...]]]) -> dict[int, CodeRange]:
    """Like :func:`positions`, generating only statements (units) the nodes lie in.

    A unit's code, generated with the indentation of the blocks around it, is a verbatim
    slice of the source; where that slice occurs exactly once, its place gives the line and
    column it starts at. Each node comes with its units, smallest first (its own statement,
    then the function around it): a unit that is not unique in the file, or turns out not to
    hold the node, passes it to the next; nodes left are placed by generating the whole module.
    """
    out: dict[int, CodeRange] = {}
    rest: list[cst.CSTNode] = []
    todo = list(wanted)
    while todo:
        by_unit: dict[int, tuple[Unit, list[tuple[cst.CSTNode, tuple[Unit, ...]]]]] = {}
        for node, units in todo:
            if units:
                by_unit.setdefault(id(units[0][0]), (units[0], []))[1].append((node, units[1:]))
            else:
                rest.append(node)
        todo = []
        for (statement, indents), members in by_unit.values():
            found = _in_unit(module, source, statement, indents, {id(n) for n, _ in members})
            out.update(found)
            todo += [(n, more) for n, more in members if id(n) not in found]
    if rest:
        out.update(positions(module, rest))
    return out


def _in_unit(module: cst.Module, source: str, statement: cst.CSTNode, indents: tuple[str, ...], ids: set[int]) -> dict[int, CodeRange]:
    """The ranges of the nodes ``ids`` in ``statement``, when its code occurs once in ``source``."""
    state = _IndexState(module)
    state.indent_tokens = list(indents)
    statement._codegen(state)
    code = "".join(state.tokens)
    at = source.find(code)
    if not code or at < 0 or source.find(code, at + 1) >= 0:
        return {}
    before = source[:at]
    newlines = before.count("\n") + before.count("\r") - before.count("\r\n")
    state.line = 1 + newlines
    state.column = len(before) - max(before.rfind("\n"), before.rfind("\r")) - 1
    return _ranges(state, {i for i in ids if i in state.spans})
