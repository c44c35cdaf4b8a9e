"""Import fix-up after the codemods ran: add what new code uses, drop what nothing uses.

Works on CST nodes (no string surgery), in the spirit of LibCST's
``AddImportsVisitor``/``RemoveImportsVisitor`` but without their scope metadata:
the engine already knows which imported names the rewritten code still uses.
"""

from __future__ import annotations

import re
import sys
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

import libcst as cst

from migrator.engine.findings import ignores_all
from migrator.engine.names import dotted, import_bindings
from migrator.engine.visitors import Transformer, transform


def existing_module_alias(module: cst.Module, name: str) -> str | None:
    """The name under which a top-level ``import <name> [as x]`` binds the module (also one in
    a top-level ``try`` body, where an optional import stands: see :func:`fix_imports`)."""
    for stmt in _top_level_lines(module.body):
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if dotted(alias.name) == name:
                        return alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
    return None


def _top_level_lines(body: Sequence[cst.BaseStatement]) -> Iterator[cst.SimpleStatementLine | cst.SimpleStatementSuite]:
    """The top-level simple statement lines, and those of top-level ``try`` bodies."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield stmt
        elif isinstance(stmt, cst.Try) and isinstance(stmt.body, cst.IndentedBlock):
            yield from (s for s in stmt.body.body if isinstance(s, cst.SimpleStatementLine))
        elif isinstance(stmt, cst.Try):
            yield stmt.body  # ``try: import requests``


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
        """The line without the dropped aliases; None when nothing is left of it. A line marked
        ``# requests2httpx: ignore`` stays as it is: its imports are kept on purpose."""
        if type(line) is cst.SimpleStatementLine and ignores_all(line.trailing_whitespace.comment):
            return line
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
    Where requests is imported only under a ``try`` that catches ImportError (an optional
    dependency), the new third-party imports go in that ``try`` instead, and the handlers that
    set requests' names to None set theirs to None too: an unguarded ``import httpx`` would
    raise where requests was optional.
    ``nested=False``: the file has no import below the top level (NESTED_IMPORT_RE), so
    compound statements are not searched (the search rebuilds every statement in them).
    """
    remover = _Remover(drop)
    add = sorted(set(add))
    guarded = [m for m in add if m not in sys.stdlib_module_names]  # httpx, respx, httpx_retries
    guard = _requests_guard(module.body) if nested and guarded else None
    if guard is None:
        guarded = []

    def compound(stmt: cst.BaseStatement) -> cst.BaseStatement:
        if stmt is guard:
            return _into_guard(guard, remover, guarded)
        return transform(stmt, remover) if drop and nested else stmt  # type: ignore[return-value]

    body = _with_imports(module.body, remover, [m for m in add if m not in guarded], compound)
    return module.with_changes(body=body)


def _with_imports(
    stmts: Sequence[cst.BaseStatement], remover: _Remover, add: list[str], compound: Callable[[cst.BaseStatement], cst.BaseStatement]
) -> list[cst.BaseStatement]:
    """``stmts`` without the dropped imports, with ``import X`` lines for ``add`` (see fix_imports)."""
    body: list[cst.BaseStatement] = []
    anchor: int | None = None
    anchor_leading: Sequence[cst.EmptyLine] = ()
    for stmt in stmts:
        if not isinstance(stmt, cst.SimpleStatementLine):
            body.append(compound(stmt))
            continue
        new = remover.strip_line(stmt) if remover.drop else stmt
        if new is not None:
            body.append(new)
        if anchor is None and imports_tracked(stmt):
            anchor = len(body)
            if new is None:
                anchor_leading = stmt.leading_lines
    if add:
        lines = [cst.SimpleStatementLine([cst.Import([cst.ImportAlias(_module_name(m))])]) for m in add]
        lines[0] = lines[0].with_changes(leading_lines=anchor_leading)
        index = anchor if anchor is not None else _after_last_import(body)
        body[index:index] = lines
    return body


def _module_name(module: str) -> cst.Name | cst.Attribute:
    """``urllib.parse`` as the name an import statement takes."""
    head, *rest = module.split(".")
    node: cst.Name | cst.Attribute = cst.Name(head)
    for part in rest:
        node = cst.Attribute(node, cst.Name(part))
    return node


def _after_last_import(body: list[cst.BaseStatement]) -> int:
    index = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                index = i + 1
            elif i == 0 and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                index = 1  # after the module docstring
    return index


# ``except`` clauses that catch a failed import
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    return any(isinstance(k, cst.Name) and k.value in _IMPORT_ERRORS for k in kinds)


def _imports_requests(line: cst.SimpleStatementLine | cst.SimpleStatementSuite) -> bool:
    return any(
        q.split(".")[0] == "requests"
        for s in line.body if isinstance(s, (cst.Import, cst.ImportFrom)) for q in import_bindings(s).values()
    )


def _requests_guard(body: Sequence[cst.BaseStatement]) -> cst.Try | None:
    """The first top-level ``try: import requests / except ImportError: ...``, when no top-level
    import of requests stands outside such a guard (then requests is no optional dependency)."""
    guard = None
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            if _imports_requests(stmt):
                return None
        elif (
            guard is None and isinstance(stmt, cst.Try) and any(_catches_import_error(h) for h in stmt.handlers)
            and any(_imports_requests(line) for line in _top_level_lines([stmt]))
        ):
            guard = stmt
    return guard


def _into_guard(guard: cst.Try, remover: _Remover, add: list[str]) -> cst.Try:
    """The guard with ``add`` imported in its ``try`` body, and set to None where requests' names are."""
    inner = lambda stmt: transform(stmt, remover) if remover.drop else stmt  # noqa: E731
    bound = {name for line in _top_level_lines([guard]) for s in line.body
             if isinstance(s, (cst.Import, cst.ImportFrom)) for name in import_bindings(s)}
    block = guard.body
    if isinstance(block, cst.SimpleStatementSuite):  # ``try: import requests``: made a block to hold more
        block = cst.IndentedBlock([cst.SimpleStatementLine(block.body, trailing_whitespace=block.trailing_whitespace)])
    body = _with_imports(block.body, remover, add, inner)
    handlers = [
        _mirror(inner(h), bound, remover.drop, add) if _catches_import_error(h) else inner(h)  # type: ignore[arg-type]
        for h in guard.handlers
    ]
    rest = {k: inner(v) for k, v in (("orelse", guard.orelse), ("finalbody", guard.finalbody)) if v is not None}
    return guard.with_changes(body=block.with_changes(body=body), handlers=handlers, **rest)


def _none_binding(item: cst.CSTNode) -> str | None:
    """``X`` for a statement ``X = None`` (a line of that one statement, or a small statement)."""
    if isinstance(item, cst.SimpleStatementLine) and len(item.body) == 1:
        item = item.body[0]
    if (
        isinstance(item, cst.Assign) and len(item.targets) == 1 and isinstance(item.targets[0].target, cst.Name)
        and isinstance(item.value, cst.Name) and item.value.value == "None"
    ):
        return item.targets[0].target.value
    return None


def _mirror(handler: cst.ExceptHandler, bound: set[str], drop: set[str], add: list[str]) -> cst.ExceptHandler:
    """``handler`` with ``m = None`` for each module of ``add`` after the last ``X = None`` of a
    name X the guard imports (in its place when X's import was dropped, as nothing uses X then).
    A handler that sets none of them to None is left as it is: nothing bound them there."""
    block = handler.body
    suite = isinstance(block, cst.SimpleStatementSuite)  # ``except ImportError: requests = None``
    out: list = []
    at: int | None = None
    replaced = None
    for item in block.body:
        name = _none_binding(item)
        if name in bound and name in drop:
            replaced = replaced or item
        else:
            out.append(item)
        if name in bound:
            at = len(out)
    if at is None:
        return handler
    new = [cst.Assign([cst.AssignTarget(cst.Name(m))], cst.Name("None")) for m in add]
    if not suite:
        new = [cst.SimpleStatementLine([small]) for small in new]
        if replaced is not None:  # its comments stay with what replaces it
            new[0] = new[0].with_changes(leading_lines=replaced.leading_lines, trailing_whitespace=replaced.trailing_whitespace)
    out[at:at] = new
    if suite:
        out = [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for small in out]
    return handler.with_changes(body=block.with_changes(body=out))


# --- optional dependencies: ``if requests is None`` where httpx sits in the same guard ----------------
def guard_mirrors_httpx(module: cst.Module, library: str = "httpx") -> bool:
    """Does a top-level ``try`` import both requests and ``library`` (plainly), every ``except`` that
    catches a failed import setting both to None or neither? Then ``requests is None`` and
    ``httpx is None`` always say the same: either import failing sets both."""
    for stmt in module.body:
        if not isinstance(stmt, cst.Try):
            continue
        plain = {dotted(a.name) for line in _top_level_lines([stmt]) for s in line.body if isinstance(s, cst.Import)
                 for a in s.names if a.asname is None}
        if not {"requests", library} <= plain:
            continue
        for handler in stmt.handlers:
            if not _catches_import_error(handler):
                continue
            items = handler.body.body
            nones = {_none_binding(item) for item in items}
            if ("requests" in nones) != (library in nones):
                return False
        return True
    return False


class PresenceChecks(Transformer):
    """``requests is None``, ``requests is not None``, ``not requests`` and ``if requests:`` read
    ``httpx`` instead (see :func:`guard_mirrors_httpx`): the check no longer keeps requests imported."""

    def __init__(self, library: str = "httpx"):
        super().__init__()
        self.library = library

    def _named(self, node: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(node, cst.Name) and node.value == "requests":
            return node.with_changes(value=self.library)
        return node

    def leave_Comparison(self, original, updated):
        if len(updated.comparisons) == 1 and isinstance(updated.comparisons[0].operator, (cst.Is, cst.IsNot)) \
                and isinstance(updated.comparisons[0].comparator, cst.Name) and updated.comparisons[0].comparator.value == "None":
            return updated.with_changes(left=self._named(updated.left))
        return updated

    def leave_UnaryOperation(self, original, updated):
        return updated.with_changes(expression=self._named(updated.expression)) if isinstance(updated.operator, cst.Not) else updated

    def leave_If(self, original, updated):
        return updated.with_changes(test=self._named(updated.test))

    def leave_IfExp(self, original, updated):
        return updated.with_changes(test=self._named(updated.test))


def requests_only_imported(tree) -> bool:
    """Is the name ``requests`` bound nowhere in the file (an ``ast`` tree) but by its imports and
    the ``requests = None`` of an ``except`` clause? (A parameter or variable of that name would be
    another object: its ``is None`` check is not about the module.)"""
    import ast

    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler):
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant) and item.value.value is None:
                    allowed |= {id(t) for t in item.targets}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "requests" and not isinstance(node.ctx, ast.Load) and id(node) not in allowed:
            return False
        if isinstance(node, ast.arg) and node.arg == "requests":
            return False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == "requests":
            return False
        if isinstance(node, (ast.Global, ast.Nonlocal)) and "requests" in node.names:
            return False
    return True
