"""What the codemods share while one file is migrated: :class:`Context`.

The import table, the scope stack that says when a name is shadowed, the objects known to be
sessions/clients or responses, the findings and where they are, and the modules the rewritten
code needs imported. The engine (``migrator.engine.engine``) fills it while it walks the tree; codemods
only read and write it, never parse or walk the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from migrator.engine.findings import Code, Finding
from migrator.engine.names import ImportTable, LocalBindings, all_import_names as _all_import_names, canonical, dotted
from migrator.engine.options import Options
from migrator.engine.positions import Unit, positions, positions_in_units
from migrator.engine.visitors import subclasses

_STATEMENTS = subclasses(cst.BaseStatement)  # a line of simple statements, or a compound one


class Scope:
    __slots__ = ("kind", "node", "_local", "_imports", "objects")

    def __init__(self, kind: str, node: cst.CSTNode | None, imports: dict[str, str] | None = None):
        self.kind = kind  # "module" | "function" | "class"
        self.node = node
        self._local: set[str] | None = None if kind in ("function", "class") else set()
        self._imports = imports if imports is not None else {}
        # name (or "self.attr" on a class scope) -> ObjectInfo
        self.objects: dict[str, ObjectInfo] = {}

    def _load(self) -> None:
        if self._local is None:
            self._local, self._imports = LocalBindings.of(self.node)

    @property
    def local(self) -> set[str]:
        self._load()
        return self._local  # type: ignore[return-value]

    @property
    def imports(self) -> dict[str, str]:
        self._load()
        return self._imports


@dataclass
class ObjectInfo:
    """What the engine knows about a name bound to a migrated requests object."""

    kind: str  # "client" (was a Session) or "response"
    node: cst.CSTNode  # the original node that created it
    follows_redirects: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PendingFinding:
    code: Code
    node: cst.CSTNode
    message: str
    hint: str
    codemod: str
    leftover: bool = False


def _within(inner, outer) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        inner.end.line, inner.end.column) <= (outer.end.line, outer.end.column)


class Context:
    def __init__(self, module: cst.Module, path: str, options: Options, httpx_alias: str | None, source: str | None = None):
        self.module = module
        self.source = source
        self.path = path
        self.options = options
        self.table = ImportTable()
        self.table.scan_module(module)
        # every name any tracked import in the file binds (None: unknown, resolve them all)
        self.import_names: set[str] | None = _all_import_names(source) if source is not None else None
        self.scopes: list[Scope] = [Scope("module", module, self.table.bindings)]
        self.parents: list[cst.CSTNode] = []
        self.pending: list[PendingFinding] = []
        self.refs: list[tuple[cst.CSTNode, cst.CSTNode, str]] = []
        self.required_imports: set[str] = set()
        self.helpers: set[str] = set()  # the ``_requests_*`` functions the module must define (codemods._helpers)
        self.httpx_alias = httpx_alias or "httpx"
        self.current_codemod = ""
        # ids of nodes (updated tree) that codemods built, with what they are
        self.made: dict[int, tuple[cst.CSTNode, str]] = {}
        # import-bound names that surviving (unmigrated) code still uses, and what they name
        self.surviving_heads: set[str] = set()
        self.surviving_quals: set[str] = set()
        # id(httpx exception class put in place of requests ones) -> (it, the requests spellings)
        self.exception_swaps: dict[int, tuple[cst.CSTNode, list[cst.BaseExpression]]] = {}
        # id(httpx.BasicAuth(...) call) -> (it, the requests call it replaced)
        self.auth_swaps: dict[int, tuple[cst.CSTNode, cst.BaseExpression]] = {}
        # the swapped classes were paired with requests' (requests code stays: in the file or package)
        self.exceptions_paired = False
        # ids of the top-level statements (as read) holding one of those swaps
        self.swap_tops: set[int] = set()
        # ids of the requests names (output tree) that survived
        self.surviving_ids: set[int] = set()
        # import-bound names the file's code used at all (migrated or not)
        self.referenced_heads: set[str] = set()
        # every name (or self.<attr> attr) ever bound to a tracked object, for a cheap first test
        self.object_names: set[str] = set()
        self.suppressed_statements = 0
        # ids of statements no codemod can act on: not descended into
        self.skip: set[int] = set()
        self._once: set[str] = set()
        # ids of original statements a codemod has taken charge of (others leave them alone)
        self.claimed: set[int] = set()
        # id(original node) -> the unit it was seen in (for placing findings cheaply)
        self.units: dict[int, tuple[Unit, ...]] = {}
        # ids of the top-level statements that hold a ref, and what each top-level statement
        # became: the survivors walk looks only there
        self.ref_tops: set[int] = set()
        self.top_updated: dict[int, cst.CSTNode] = {}
        # a requests.Session subclass of this file stays one: a parameter annotated requests.Response
        # or requests.Session may then hold requests' objects, so annotations type nothing
        self.session_class_kept = False
        # classes of this file that become httpx.Client subclasses -> whether they define __init__
        self.client_factories: dict[str, bool] = {}
        # names bound anywhere other than by module-level imports (None: unknown)
        self.rebound: set[str] | None = None
        from codemods._mocked_tests import MockedTests  # (the codemods package imports this module)
        from codemods._units import UnitPlan

        # the file's sessions and what was decided for each (codemods._units); the pipeline sets it
        self.unit_plan: UnitPlan = UnitPlan.empty()
        # id(original node) -> why it stays as it is, decided by an earlier run over the same tree
        # (the pipeline shares one dict between runs); and what this run found must stay
        self.kept_nodes: dict[int, str] = {}
        self.keep_next: dict[int, str] = {}
        # the file's tests whose mocks stay as they are (codemods._mocked_tests); the pipeline sets it
        self.mocked_tests: MockedTests = MockedTests(None)

    # ---- names -------------------------------------------------------------
    def resolve_name(self, name: str) -> str | None:
        if self.rebound is not None and name not in self.rebound:
            return self.scopes[0].imports.get(name)  # no scope can shadow it
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue  # class bodies are not visible from their methods
            if scope.kind == "module":
                return scope.imports.get(name)
            if (name in scope.imports or name in scope.local) and not self._in_body(scope.node):
                continue  # a def's parameters, annotations and decorators are evaluated around it
            if name in scope.imports:
                return scope.imports[name]
            if name in scope.local:
                return None
        return None

    def _in_body(self, node: cst.CSTNode | None) -> bool:
        """Is the node being visited in ``node``'s body (not in its parameter list, annotations,
        decorators or bases)?"""
        body = getattr(node, "body", None)
        parents = self.parents
        for i in range(len(parents) - 1, -1, -1):
            if parents[i] is node:
                return body is None or i + 1 < len(parents) and parents[i + 1] is body
        return True

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """Qualified requests/urllib3 name of a Name/Attribute chain, or None."""
        head_node = node
        while isinstance(head_node, cst.Attribute):
            head_node = head_node.value
        if not isinstance(head_node, cst.Name) or (self.import_names is not None and head_node.value not in self.import_names):
            return None  # the common case: no import anywhere in the file binds this name
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        qual = self.resolve_name(head)
        if qual is None:
            return None
        return canonical(f"{qual}.{rest}") if rest else qual

    # ---- objects: clients and responses --------------------------------------
    def bind_object(self, target: cst.BaseExpression, info: ObjectInfo | None) -> None:
        """Record (or with None forget) what a name or ``self.attr`` now holds."""
        key, scope = self._object_slot(target)
        if scope is None:
            return
        self.object_names.add(key.rpartition(".")[2])  # type: ignore[union-attr]
        if info is None:
            scope.objects.pop(key, None)
        else:
            scope.objects[key] = info

    def object_info(self, node: cst.BaseExpression) -> ObjectInfo | None:
        if isinstance(node, cst.Name):
            if node.value not in self.object_names:
                return None  # the common case, answered without computing any scope
            innermost = self.scopes[-1]
            for scope in reversed(self.scopes):
                if scope.kind == "class" and scope is not innermost:
                    continue
                if node.value in scope.objects:
                    return scope.objects[node.value]
                if scope.kind == "function" and node.value in scope.local:
                    return None
            return None
        key, scope = self._object_slot(node)
        if scope is not None and key is not None and isinstance(node, cst.Attribute):
            return scope.objects.get(key)
        return None

    def _object_slot(self, target: cst.BaseExpression) -> tuple[str | None, Scope | None]:
        if isinstance(target, cst.Name):
            return target.value, self.scopes[-1]
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
        ):
            cls = self.enclosing_class()
            if cls is not None:
                return "self." + target.attr.value, cls
        return None, None

    def enclosing_class(self) -> Scope | None:
        for scope in reversed(self.scopes):
            if scope.kind == "class":
                return scope
        return None

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def in_claimed(self) -> bool:
        """Is the node being visited inside a statement some codemod has claimed?"""
        return bool(self.claimed) and any(id(p) in self.claimed for p in self.parents)

    def parent(self, depth: int = 1) -> cst.CSTNode | None:
        """The node ``depth`` levels above the one being visited/left."""
        index = -1 - depth
        return self.parents[index] if len(self.parents) >= depth + 1 else None

    # ---- building httpx code -----------------------------------------------
    def httpx(self, *attrs: str) -> cst.Attribute:
        """``httpx.<attrs>`` under the name the file imports httpx as."""
        self.required_imports.add("httpx")
        node: cst.BaseExpression = cst.Name(self.httpx_alias)
        for attr in attrs:
            node = cst.Attribute(value=node, attr=cst.Name(attr))
        return node  # type: ignore[return-value]

    def stdlib(self, module: str, *attrs: str) -> cst.BaseExpression:
        self.required_imports.add(module)
        node: cst.BaseExpression = cst.Name(module)
        for attr in attrs:
            node = cst.Attribute(value=node, attr=cst.Name(attr))
        return node

    def mark(self, node: cst.CSTNode, what: str) -> cst.CSTNode:
        """Remember that a codemod built ``node`` (e.g. a migrated request call)."""
        self.made[id(node)] = (node, what)
        return node

    def made_as(self, node: cst.CSTNode) -> str | None:
        entry = self.made.get(id(node))
        return entry[1] if entry is not None and entry[0] is node else None

    # ---- findings ----------------------------------------------------------
    def report(self, code: Code, node: cst.CSTNode, message: str, hint: str = "", leftover: bool = False) -> None:
        """A finding at an *original* node (the one from the file as read).

        ``leftover``: a requests use that survived; dropped when it lies inside a node
        another codemod already reported as an error.
        """
        self.pending.append(PendingFinding(code, node, message, hint or code.fix, self.current_codemod, leftover))
        if id(node) not in self.units:
            self.units[id(node)] = self.current_unit()

    def current_unit(self) -> tuple[Unit, ...]:
        """Where a finding here is placed from (migrator.engine.positions): the innermost statement
        being visited, then the outermost function (else the top-level statement), each with
        the indentation of the blocks around it."""
        parents = self.parents
        indents: list[str] = []
        innermost: Unit | None = None
        outer: Unit | None = None
        for i in range(1, len(parents)):
            node = parents[i]
            kind = type(node)
            if kind is cst.IndentedBlock:
                indents.append(node.indent if node.indent is not None else self.module.default_indent)  # type: ignore[attr-defined]
            elif kind in _STATEMENTS:  # (an ``elif`` generates as ``if ...``: still a slice of the source)
                innermost = (node, tuple(indents))
                if outer is None and kind is cst.FunctionDef:
                    outer = innermost
        if outer is None and len(parents) > 1:
            outer = (parents[1], ())
        units = tuple(u for u in (innermost, outer) if u is not None)
        return units[1:] if len(units) == 2 and units[0][0] is units[1][0] else units

    def report_once(self, code: Code, node: cst.CSTNode, message: str) -> None:
        """A finding about the whole file, at the first place it applies."""
        if code.code not in self._once:
            self._once.add(code.code)
            self.report(code, node, message)

    def forget_once(self, code: Code) -> None:
        self._once.discard(code.code)

    def resolve_findings(self) -> list[Finding]:
        if not self.pending:
            return []
        if self.source is not None:
            ranges = positions_in_units(self.module, self.source, [(p.node, self.units.get(id(p.node), ())) for p in self.pending])
        else:
            ranges = positions(self.module, [p.node for p in self.pending])
        # A leftover-use finding inside a node that a codemod already reported as an error
        # (a call left unmigrated, an unsupported attribute) would say the same thing twice.
        claimed = [ranges[id(p.node)] for p in self.pending if p.code.severity == "error" and not p.leftover and id(p.node) in ranges]
        out = []
        for p in self.pending:
            pos = ranges.get(id(p.node))
            if p.leftover and pos is not None and any(_within(pos, c) for c in claimed):
                continue
            line, col = (pos.start.line, pos.start.column + 1) if pos else (1, 1)
            out.append(
                Finding(p.code.code, p.code.severity, self.path, line, col, p.message, p.hint, p.codemod)
            )
        return sorted(out, key=Finding.sort_key)
