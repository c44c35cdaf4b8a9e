"""Import fix-up after the codemods ran: add what new code uses, drop what nothing uses.

Works on CST nodes (no string surgery), in the spirit of LibCST's
``AddImportsVisitor``/``RemoveImportsVisitor`` but without their scope metadata:
the engine already knows which imported names the rewritten code still uses.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence, TypeVar

import libcst as cst

from migrator.names import import_bindings
from migrator.visitors import Transformer, transform

def existing_module_alias(module: cst.Module, name: str) -> str | None:
    """The name under which a top-level ``import <name> [as x]`` binds the module."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if isinstance(alias.name, cst.Name) and alias.name.value == name:
                        return alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
    return None


_Line = TypeVar("_Line", cst.SimpleStatementLine, cst.SimpleStatementSuite)


class _Remover(Transformer):
    """Drops the tracked import aliases whose local names are in ``drop``."""

    def __init__(self, drop: set[str]):
        super().__init__()
        self.drop = drop

    def on_visit(self, node: cst.CSTNode) -> bool:
        # statements only: expressions hold no imports
        return not isinstance(node, cst.BaseExpression)

    def leave_IndentedBlock(self, original, updated):
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        stripped = self.strip_line(updated)
        return cst.RemoveFromParent() if stripped is None else stripped

    def leave_SimpleStatementSuite(self, original, updated):
        # a body on its header's line (``if TYPE_CHECKING: import requests.x``)
        stripped = self.strip_line(updated)
        return updated.with_changes(body=[cst.Pass()]) if stripped is None else stripped

    def strip_line(self, line: _Line) -> _Line | None:
        """The line without the dropped aliases; None when nothing is left of it."""
        new_body = [k for k in (self._keep(s) for s in line.body) if k is not None]
        if not new_body:
            return None
        if all(a is b for a, b in zip(new_body, line.body)) and len(new_body) == len(line.body):
            return line
        new_body[-1] = new_body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return line.with_changes(body=new_body)

    def _keep(self, small: cst.BaseSmallStatement) -> cst.BaseSmallStatement | None:
        if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
            return small
        bound = import_bindings(small)
        if not (set(bound) & self.drop):
            return small
        kept = [a for a in small.names if not (_local_name(a) in self.drop and _local_name(a) in bound)]
        if not kept:
            return None
        trailing = small.names[-1].comma
        if isinstance(small, cst.ImportFrom) and small.rpar is not None and isinstance(trailing, cst.Comma):
            kept[-1] = kept[-1].with_changes(comma=trailing)  # keep a trailing comma's layout
        else:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return small.with_changes(names=kept)


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value  # type: ignore[union-attr]
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value  # type: ignore[union-attr]


def imports_tracked(line: cst.SimpleStatementLine) -> bool:
    return any(isinstance(s, (cst.Import, cst.ImportFrom)) and import_bindings(s) for s in line.body)


# an import statement that may not be at the top level: indented, or after a colon
# (``if TYPE_CHECKING: import requests``); strings can match too, which only costs time
NESTED_IMPORT_RE = re.compile(r"^[ \t]+(?:import|from)[ \t]|:[ \t]*(?:import|from)[ \t]", re.M)


def fix_imports(module: cst.Module, drop: set[str], add: Iterable[str], nested: bool = True) -> cst.Module:
    """Remove tracked imports binding names in ``drop``; add ``import X`` for each of ``add``.

    New imports go where the first top-level requests import stood (in its place,
    with its comments, when it is gone entirely), else after the last top-level import.
    ``nested=False``: the file has no import below the top level (NESTED_IMPORT_RE), so
    compound statements are not searched (the search rebuilds every statement in them).
    """
    remover = _Remover(drop)
    body: list[cst.BaseStatement] = []
    anchor: int | None = None
    anchor_leading: Sequence[cst.EmptyLine] = ()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            body.append(transform(stmt, remover) if drop and nested else stmt)  # type: ignore[arg-type]
            continue
        new = remover.strip_line(stmt) if drop else stmt
        if new is not None:
            body.append(new)
        if anchor is None and imports_tracked(stmt):
            anchor = len(body)
            if new is None:
                anchor_leading = stmt.leading_lines
    add = sorted(set(add))
    if add:
        lines = [cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(m))])]) for m in add]
        lines[0] = lines[0].with_changes(leading_lines=anchor_leading)
        index = anchor if anchor is not None else _after_last_import(body)
        body[index:index] = lines
    return module.with_changes(body=body)


def _after_last_import(body: list[cst.BaseStatement]) -> int:
    index = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                index = i + 1
            elif i == 0 and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                index = 1  # after the module docstring
    return index
