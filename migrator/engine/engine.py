"""One traversal of one tree runs every codemod, in order.

The engine walks the tree once and dispatches every node to the codemods' handlers, keeping
the shared :class:`~migrator.engine.context.Context` (scopes, parents, suppressions) up to date as it
goes. Codemods only see the Context; they never parse or walk the file again.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import libcst as cst

from codemods._units import scope_path
from migrator.engine.context import Context, Scope
from migrator.engine.findings import ignores_all
from migrator.engine.names import dotted, head_name
from migrator.engine.visitors import Transformer, subclasses

_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_SCOPE_TYPES = frozenset(_SCOPE_NODES)
_HEADER_TYPES = frozenset((cst.With, cst.For, cst.If, cst.While))


# Nodes that can hold no name, hence nothing any codemod acts on: whitespace, punctuation,
# operators and plain literals (most of a tree's nodes). The engine neither enters them nor
# records them as parents.
_INERT = frozenset(
    {cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.Newline, cst.EmptyLine, cst.TrailingWhitespace,
     cst.Comment, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
     cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.ImportStar,
     cst.Asynchronous, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.FormattedStringText,
     cst.Pass, cst.Break, cst.Continue}
    | subclasses(cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp)
)


Handler = Callable[..., Any]


class Engine(Transformer):
    """Dispatches every node to the codemods' handlers, in codemod order."""

    def __init__(self, ctx: Context, codemods: Sequence[Any]):
        super().__init__()
        self.ctx = ctx
        # node type -> [(codemod name, handler)], in codemod order
        self.visitors: dict[type, list[tuple[str, Handler]]] = {}
        self.leavers: dict[type, list[tuple[str, Handler]]] = {}
        for codemod in codemods:
            for attr in _handler_names(type(codemod)):
                table = self.visitors if attr.startswith("visit_") else self.leavers
                table.setdefault(getattr(cst, attr[6:]), []).append((codemod.name, getattr(codemod, attr)))
        # inert node types no codemod has a handler for
        self.inert = _INERT - set(self.visitors) - set(self.leavers)
        self._in_import = 0
        # ``# requests2httpx: ignore`` (no codes) on a statement: nothing in it is rewritten
        self._suppress = 0
        self._may_suppress = ctx.source is None or "requests2httpx" in ctx.source
        self._suppressed_nodes: set[int] = set()
        self._header_ends: set[int] = set()

    def _suppression_starts(self, node: cst.CSTNode) -> None:
        if type(node) is cst.SimpleStatementLine and ignores_all(node.trailing_whitespace.comment):  # type: ignore[attr-defined]
            self._suppress += 1
            self._suppressed_nodes.add(id(node))
            self.ctx.suppressed_statements += 1
        elif type(node) in _HEADER_TYPES and isinstance(node.body, cst.IndentedBlock):  # type: ignore[attr-defined]
            if ignores_all(node.body.header.comment):  # type: ignore[attr-defined]
                self._suppress += 1  # the header only: it ends where the body starts
                self._header_ends.add(id(node.body))  # type: ignore[attr-defined]
                self.ctx.suppressed_statements += 1
        elif id(node) in self._header_ends:
            self._suppress -= 1

    # Every node of every visited statement passes here: type tests are exact-type set
    # look-ups, not isinstance (LibCST's classes are ABCs, whose isinstance is slow).
    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        if kind in self.inert:
            return False
        ctx = self.ctx
        ctx.parents.append(node)
        if kind in _SCOPE_TYPES:
            ctx.scopes.append(Scope("function", node))
        elif kind is cst.ClassDef:
            ctx.scopes.append(Scope("class", node))
        if id(node) in ctx.skip:
            return False  # nothing any codemod acts on is in here (see migrator/engine/relevance.py)
        if self._may_suppress:
            self._suppression_starts(node)
        if kind is cst.FunctionDef and ctx.mocked_tests.kept and ctx.mocked_tests.kept_at(scope_path(ctx.scopes)):
            # a test whose mocks stay: nothing in it moves (codemods._mocked_tests)
            self._suppress += 1
            self._suppressed_nodes.add(id(node))
        if kind is cst.Import or kind is cst.ImportFrom:
            self._in_import += 1
        if not self._suppress:
            for name, handler in self.visitors.get(kind, ()):
                ctx.current_codemod = name
                handler(ctx, node)
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
        kind = type(original)
        if kind in self.inert:
            return updated
        ctx = self.ctx
        if id(original) in ctx.skip:
            if kind in _SCOPE_TYPES or kind is cst.ClassDef:
                ctx.scopes.pop()
            ctx.parents.pop()
            return updated
        if self._suppress:
            if (kind is cst.Name or kind is cst.Attribute) and not self._in_import and ctx.resolve(original):  # type: ignore[arg-type]
                ctx.surviving_heads.add(head_name(original))  # type: ignore[arg-type]  # keep its import
        else:
            for name, handler in self.leavers.get(kind, ()):
                ctx.current_codemod = name
                updated = handler(ctx, original, updated)
                if type(updated) is not kind:
                    break
            if (kind is cst.Name or kind is cst.Attribute) and not self._in_import:
                self._record_ref(original, updated)
        if self._suppressed_nodes and id(original) in self._suppressed_nodes:
            self._suppress -= 1
        if kind in _SCOPE_TYPES or kind is cst.ClassDef:
            ctx.scopes.pop()
        elif kind is cst.Import or kind is cst.ImportFrom:
            self._in_import -= 1
        if len(ctx.parents) == 2:  # a top-level statement: what it became (for the survivors walk)
            ctx.top_updated[id(original)] = updated
        ctx.parents.pop()
        return updated

    def _record_ref(self, original: cst.CSTNode, updated: cst.CSTNode) -> None:
        """Remember each maximal requests name in the code, to report what survives."""
        ctx = self.ctx
        head = original
        while type(head) is cst.Attribute:
            head = head.value  # type: ignore[attr-defined]
        if ctx.import_names is not None and (type(head) is not cst.Name or head.value not in ctx.import_names):  # type: ignore[attr-defined]
            return  # the common case: no import binds its head, so it is no requests name
        parent = ctx.parent()
        if isinstance(parent, cst.Attribute) and parent.value is original:
            return  # only the longest chain counts
        if isinstance(original, cst.Name) and not _is_load(parent, original):
            return
        if head_name(original) is None:  # type: ignore[arg-type]
            return
        qual = ctx.resolve(original)  # type: ignore[arg-type]
        if qual is None:
            return
        ctx.referenced_heads.add(head_name(original))  # type: ignore[arg-type]
        if isinstance(updated, (cst.Name, cst.Attribute)) and dotted(updated) == dotted(original):  # type: ignore[arg-type]
            ctx.refs.append((updated, original, qual))
            ctx.units[id(original)] = ctx.current_unit()  # it may be reported after the traversal
            ctx.ref_tops.add(id(ctx.parents[1]))


@functools.lru_cache(maxsize=None)
def _handler_names(cls: type) -> tuple[str, ...]:
    """A codemod class's ``visit_<Node>``/``leave_<Node>`` methods (looked up once per class)."""
    return tuple(a for a in dir(cls) if a.startswith(("visit_", "leave_")) and hasattr(cst, a[6:]))


def _is_load(parent: cst.CSTNode | None, name: cst.Name) -> bool:
    if isinstance(parent, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return parent.target is not name  # a store is no use of the library
    if isinstance(parent, cst.Attribute):
        return parent.attr is not name
    if isinstance(parent, cst.Arg):
        return parent.keyword is not name
    if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.AsName, cst.ImportAlias, cst.NameItem)):
        return False
    return True
