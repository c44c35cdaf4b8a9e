"""Units: a ``requests.Session`` and everything it flows into, decided before anything is rewritten.

A unit is migrated whole or kept whole on requests. It is found in the file's ``ast`` tree
before the codemods run: from each ``requests.Session()`` (or an instance of a Session subclass of
the file, or a parameter annotated ``requests.Session``), the value is followed through the names
and ``self`` attributes it is bound to, the private functions it is passed to or returned from,
the calls made through it and the responses they return. Every use is either one the codemods
migrate (a request call, a setting, ``close()``…) or a *blocker*: a use the tool cannot follow
(a bound method stored in a table, the session handed to code elsewhere, a value that may come
from a caller, ``{**s.headers}``…). A unit with a blocker stays on requests, whole, with one
``session-kept`` error listing each blocking line. The codemods then only migrate the sessions of
the units that are not kept; after they ran, an error they reported on a line of a migrated unit
keeps that unit too, and the file is migrated again (``UnitPlan.keep_for``).

The engine asks by *slot*, what a session is bound to: ``("name", scope path, name)``,
``("attr", class family, attr)`` for ``self.attr`` in a class (and its subclasses in the file) and
``("return", function path)``. Slots both trees can name, so no node needs matching across them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from codemods._unit_index import EXPR_SCOPE, FileIndex, Scope
from codemods._unit_params import params_variable
from codemods._unit_uses import UseJudge
from migrator.engine.findings import Finding
from migrator.engine.names import canonical

SESSION_FACTORIES = frozenset({"requests.Session", "requests.session"})
Slot = tuple


@dataclass
class Unit:
    roots: list[ast.AST] = field(default_factory=list)  # Session() calls, annotated parameters
    slots: set[Slot] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)  # lines of statements using it
    blockers: list[tuple[int, str]] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)  # Session subclasses of the file it instantiates
    kept: bool = False
    closed: bool = False  # ``close()`` is called, or it is used as a context manager, somewhere
    # kept only because its class stays a requests.Session: the class's own finding says why
    class_kept: bool = False
    merged: "Unit | None" = None
    # its ``params``/``hooks`` are used somewhere: a call's own params or hooks then join the
    # client's, which httpx does differently (see ``_request_args``)
    attributes: set[str] = field(default_factory=set)
    # ``s.params = ...`` statements, and whether ``params`` is used in any other way
    params_sets: list[ast.Assign] = field(default_factory=list)
    params_other: bool = False
    # where requests' Session.params are kept instead (``s_params``), when they can be (see
    # ``codemods._unit_params``); None: the client keeps them, reported
    params_variable: str | None = None

    def find(self) -> "Unit":
        unit = self
        while unit.merged is not None:
            unit = unit.merged
        return unit

    def on_line(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.spans)


class UnitPlan:
    """The units of one file and what was decided for each."""

    def __init__(self, units: list[Unit], families: dict[tuple[str, ...], tuple[str, ...]]):
        self.units = units
        self.families = families
        self._by_slot = {slot: unit for unit in units for slot in unit.slots}
        for unit in units:
            unit.kept = unit.kept or bool(unit.blockers) or unit.class_kept

    @classmethod
    def empty(cls) -> "UnitPlan":
        return cls([], {})

    # --- what the engine asks ---------------------------------------------------------
    def kept(self, slot: Slot | None) -> bool:
        """Must the session bound to ``slot`` stay on requests? (None: bound to nothing the tool
        can name, so it stays; a slot the plan never saw stays too.)"""
        unit = self._by_slot.get(slot) if slot is not None else None
        return unit is None or unit.kept

    def family(self, class_path: tuple[str, ...]) -> tuple[str, ...]:
        return self.families.get(class_path, class_path)

    def closed(self, slot: Slot | None) -> bool:
        unit = self._by_slot.get(slot) if slot is not None else None
        return unit is not None and unit.closed

    def uses_attribute(self, slot: Slot | None, name: str) -> bool:
        """Is ``session.<name>`` used anywhere in the unit bound to ``slot``? (True when unknown.)"""
        unit = self._by_slot.get(slot) if slot is not None else None
        return unit is None or name in unit.find().attributes

    def params_variable(self, slot: Slot | None) -> str | None:
        """The name the migrated session's params are kept under (``Unit.params_variable``)."""
        unit = self._by_slot.get(slot) if slot is not None else None
        return None if unit is None or unit.find().kept else unit.find().params_variable

    def response_param(self, path: tuple[str, ...], name: str) -> bool:
        """Does this parameter hold only responses of a migrated unit (from calls in this file)?"""
        unit = self._by_slot.get(("r-name", path, name))
        return unit is not None and not unit.kept

    def migrated_slots(self, tag: str) -> list[Slot]:
        return [slot for slot, unit in self._by_slot.items() if slot[0] == tag and not unit.kept]

    def names(self) -> set[str]:
        """Every name and attribute a unit is bound to (statements using them are relevant)."""
        return {slot[-1] for slot in self._by_slot if slot[0] in ("name", "attr")}

    @property
    def any_kept(self) -> bool:
        return any(u.kept for u in self.units)

    @property
    def kept_classes(self) -> set[str]:
        return {name for u in self.units if u.kept for name in u.classes}

    # --- after a run ----------------------------------------------------------------------
    def keep_for(self, findings) -> bool:
        """Keep every migrated unit with an error finding on one of its lines; True if any was."""
        changed = False
        for unit in self.units:
            if unit.kept:
                continue
            for f in findings:
                if f.severity == "error" and unit.on_line(f.line):
                    unit.blockers.append((f.line, f"{f.message} [{f.code}]"))
                    unit.kept = changed = True
        return changed

    def decline(self, roots: frozenset[tuple[int, int]]) -> None:
        """Keep on requests the units made at these (line, column) positions (``migrate -i``'s no)."""
        for unit in self.units:
            root = unit_root(unit)
            if (root.lineno, root.col_offset) in roots and not unit.kept:
                unit.blockers.append((root.lineno, "its migration was declined at migrate -i's prompt"))
                unit.kept = True

    def described(self) -> tuple["UnitInfo", ...]:
        """What a person is asked about: each unit, by where its session is made."""
        out = []
        for unit in self.units:
            root = unit_root(unit)
            names = sorted(".".join(("self" if slot[0] == "attr" else "", slot[-1])).lstrip(".") for slot in unit.slots
                           if slot[0] in ("name", "attr"))
            what = "the session parameter" if isinstance(root, ast.arg) else "the requests.Session"
            label = f"{what} {names[0] if names else ''} made at line {root.lineno}".replace("  ", " ")
            out.append(UnitInfo(f"{root.lineno}:{root.col_offset}", root.lineno, tuple(sorted(set(unit.spans))), unit.kept, label))
        return tuple(sorted(out, key=lambda u: tuple(map(int, u.id.split(":")))))

    def kept_units(self) -> list[Unit]:
        return [u for u in self.units if u.kept]

    def reported_units(self) -> list[Unit]:
        """Kept units that get a finding of their own (not those whose class's finding covers them)."""
        return [u for u in self.units if u.kept and u.blockers]


@dataclass(frozen=True)
class UnitInfo:
    """A unit as ``migrate -i`` and the report name it: ``id`` is ``line:column`` of its session's
    making (a ``requests.Session()`` call or an annotated parameter) in the file as read."""

    id: str
    line: int
    spans: tuple[tuple[int, int], ...]
    kept: bool
    label: str

    def on_line(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.spans)


def unit_root(unit: Unit) -> ast.AST:
    """Where the unit's session is made (a ``Session()`` call first)."""
    return min(unit.roots, key=lambda n: (isinstance(n, ast.arg), n.lineno, n.col_offset))


def plan_units(tree: ast.Module, imports: dict[str, str], class_problems: dict | None = None) -> UnitPlan:
    """Find the file's units and decide, for each, whether it can be migrated whole.

    ``class_problems``: the file's Session subclasses -> (class, why it stays a requests.Session or
    None), as ``session_subclass`` decides it: instances of one that stays are kept."""
    index = FileIndex(tree)
    problems = {name: why for name, (_, why) in (class_problems or {}).items() if why}
    return _Follower(index, imports, problems).plan()


class _Follower:
    def __init__(self, index: FileIndex, imports: dict[str, str], class_problems: dict[str, str]):
        self.index = index
        self.imports = imports
        self.class_problems = class_problems
        self.families = _families(index)
        self.session_classes = {
            path[-1] for path, cls in index.classes.items()
            if len(path) == 1 and any(self.qual(b) == "requests.Session" for b in cls.bases)
        }
        self.units: list[Unit] = []
        self.slot_owner: dict[Slot, Unit] = {}
        self.todo: list[tuple[Slot, Unit]] = []
        self.seen_values: set[tuple[int, str]] = set()
        self.judge = UseJudge(self)

    # --- names -------------------------------------------------------------------------
    def qual(self, node: ast.AST) -> str | None:
        """The canonical requests name an expression spells, from the module's imports."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        scope = self.index.scope_of.get(id(node))
        if scope is not None and scope.binding_scope(node.id) is not self.index.module:
            return None  # a local shadows the import
        head = self.imports.get(node.id)
        if head is None:
            return None
        return canonical(".".join([head, *reversed(parts)]))

    def family(self, cls: Scope) -> tuple[str, ...]:
        return self.families.get(cls.path, cls.path)

    def slot_of_target(self, target: ast.AST) -> Slot | None:
        """The slot an assignment target names: a name (in its binding scope) or ``self.attr``."""
        if isinstance(target, ast.Name):
            scope = self.index.scope_of[id(target)].binding_scope(target.id)
            return ("name", scope.path, target.id)
        if isinstance(target, ast.Attribute):
            cls = self.index.self_class(target)
            if cls is not None:
                return ("attr", self.family(cls), target.attr)
        return None

    # --- the plan --------------------------------------------------------------------------
    def plan(self) -> UnitPlan:
        for call in self.index.calls:
            if self._is_creation(call):
                unit = Unit(roots=[call])
                if isinstance(call.func, ast.Name) and call.func.id in self.session_classes:
                    unit.classes.add(call.func.id)
                    unit.class_kept = call.func.id in self.class_problems
                self.units.append(unit)
                self.flow(call, unit, "session")
        for path, (node, scope) in self.index.functions.items():
            args = node.args  # type: ignore[attr-defined]
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.annotation is not None and self.qual(arg.annotation) == "requests.Session":
                    unit = Unit(roots=[arg])
                    self.units.append(unit)
                    self.add_slot(("name", path, arg.arg), unit)
        while self.todo:
            slot, unit = self.todo.pop()
            self.judge.slot(slot, unit.find())
        units = [u for u in self.units if u.merged is None]
        for unit in units:
            for root in unit.roots:
                self.add_span(root, unit)
            unit.params_variable = params_variable(self.index, unit)
        flat = {path: fam for path, fam in self.families.items()}
        return UnitPlan(units, flat)

    def _is_creation(self, call: ast.Call) -> bool:
        if isinstance(call.func, ast.Name) and call.func.id in self.session_classes:
            scope = self.index.scope_of[id(call)]
            return scope.binding_scope(call.func.id) is self.index.module
        return not call.args and not call.keywords and self.qual(call.func) in SESSION_FACTORIES

    # --- building units --------------------------------------------------------------------
    def add_slot(self, slot: Slot, unit: Unit) -> None:
        unit = unit.find()
        owner = self.slot_owner.get(slot)
        if owner is not None:
            self.merge(owner.find(), unit)
            return
        self.slot_owner[slot] = unit
        unit.slots.add(slot)
        self.todo.append((slot, unit))

    def merge(self, a: Unit, b: Unit) -> None:
        if a is b:
            return
        b.merged = a
        a.roots += b.roots
        a.slots |= b.slots
        a.spans += b.spans
        a.blockers += b.blockers
        a.classes |= b.classes
        a.class_kept = a.class_kept or b.class_kept
        a.closed = a.closed or b.closed
        a.attributes |= b.attributes
        a.params_sets += b.params_sets
        a.params_other = a.params_other or b.params_other
        for slot in b.slots:
            self.slot_owner[slot] = a

    def block(self, unit: Unit, node: ast.AST, reason: str) -> None:
        unit.find().blockers.append((getattr(node, "lineno", 0), reason))

    def add_span(self, node: ast.AST, unit: Unit) -> None:
        """The lines of the statement holding ``node`` (a compound one's header only) are the unit's:
        an error the codemods report there keeps it."""
        stmt = self.index.statement(node)
        if stmt is None:
            return
        end = stmt.end_lineno or stmt.lineno
        body = getattr(stmt, "body", None)
        if isinstance(body, list) and body:
            end = max(stmt.lineno, body[0].lineno - 1)
        unit.find().spans.append((stmt.lineno, end))

    def flow(self, value: ast.AST, unit: Unit, kind: str) -> None:
        """``value`` evaluates to the unit's session (or, with kind "response", a response from
        it): follow it to where it goes."""
        key = (id(value), kind)
        if key in self.seen_values:
            return
        self.seen_values.add(key)
        self.judge.value(value, unit.find(), kind)


def _families(index: FileIndex) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each class of the file -> the path of the first class of its inheritance family in the file
    (``self.session`` in a subclass is the base class's attribute)."""
    by_name: dict[str, tuple[str, ...]] = {}
    for path in index.classes:
        by_name.setdefault(path[-1], path)
    root: dict[tuple[str, ...], tuple[str, ...]] = {p: p for p in index.classes}

    def find(p):
        while root[p] != p:
            p = root[p]
        return p

    for path, cls in index.classes.items():
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in by_name and by_name[base.id] != path:
                a, b = find(path), find(by_name[base.id])
                if a != b:
                    root[max(a, b)] = min(a, b)
    return {p: find(p) for p in index.classes}


def unit_findings(plan: UnitPlan, path: str, text: str, code, codemod: str) -> list[Finding]:
    """One ``code`` (``session-kept``) error per unit kept on requests, where its session is made."""
    out = []
    lines = text.splitlines()
    for unit in plan.reported_units():
        root = unit_root(unit)
        line = lines[root.lineno - 1] if root.lineno <= len(lines) else ""
        column = len(line.encode("utf-8")[: root.col_offset].decode("utf-8", "replace")) + 1
        reasons = "; ".join(f"line {n}: {why}" for n, why in sorted(set(unit.blockers)))
        what = "this parameter's session" if isinstance(root, ast.arg) else "this requests.Session"
        message = f"{what} stays on requests with every use of it, because {reasons}"
        out.append(Finding(code.code, code.severity, path, root.lineno, column, message, code.fix, codemod))
    return out


# --- the engine's side: naming, in LibCST's tree, the slot a session is bound to -------------
def scope_path(scopes) -> tuple[str, ...]:
    """The path of the innermost of ``scopes`` (the engine's ``ctx.scopes``, module first)."""
    return tuple(
        s.node.name.value if isinstance(s.node, (cst.FunctionDef, cst.ClassDef)) else EXPR_SCOPE
        for s in scopes[1:]
    )


def binding_index(scopes, name: str) -> int:
    """Which of ``scopes`` (the engine's, module first) binds ``name`` where the engine is: 0 for the
    module (class bodies are not seen from their methods)."""
    innermost = len(scopes) - 1
    for i in range(innermost, 0, -1):
        scope = scopes[i]
        if scope.kind == "class" and i != innermost:
            continue
        if name in scope.local:
            return i
    return 0


def name_slot(ctx, name: str) -> Slot:
    """The slot of ``name`` where the engine is: in the scope that binds it."""
    return ("name", scope_path(ctx.scopes[: binding_index(ctx.scopes, name) + 1]), name)


def target_slot(ctx, target: cst.BaseExpression) -> Slot | None:
    """The slot a name or ``self.attr`` (an assignment target) names where the engine is."""
    if isinstance(target, cst.Name):
        return name_slot(ctx, target.value)
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        for i in range(len(ctx.scopes) - 1, 0, -1):
            if ctx.scopes[i].kind == "class":
                return ("attr", ctx.unit_plan.family(scope_path(ctx.scopes[: i + 1])), target.attr.value)
    return None


def creation_slot(ctx) -> Slot | None:
    """The slot the session made by the call being left goes to, or None when it goes nowhere
    the tool can name (its unit is then kept)."""
    parents = ctx.parents
    i = len(parents) - 1
    node = parents[i]
    while i > 0:
        parent = parents[i - 1]
        if isinstance(parent, cst.IfExp) and node is not parent.test or isinstance(parent, cst.BooleanOperation):
            node, i = parent, i - 1
            continue
        if isinstance(parent, cst.NamedExpr) and node is parent.value:
            return target_slot(ctx, parent.target)
        if isinstance(parent, cst.Assign):
            return target_slot(ctx, parent.targets[0].target)
        if isinstance(parent, cst.AnnAssign) and parent.value is node:
            return target_slot(ctx, parent.target)
        if isinstance(parent, cst.WithItem):
            return target_slot(ctx, parent.asname.name) if parent.asname is not None else None
        if isinstance(parent, cst.Return):
            function = ctx.scopes[-1]
            return ("return", scope_path(ctx.scopes)) if isinstance(function.node, cst.FunctionDef) else None
        return None
    return None
