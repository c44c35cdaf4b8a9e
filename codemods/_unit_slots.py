"""Where a unit's session is bound and what is stored there: its names, ``self`` attributes,
functions returning it and parameters taking it (``codemods._units``).

Every use found is judged by :class:`codemods._unit_uses.UseJudge`; every value stored where the
session is must be that session too (or None), else it is a blocker: a session from a caller, the
requests module standing in for it.
"""

from __future__ import annotations

import ast

_PICKLING = frozenset({"__getstate__", "__setstate__", "__reduce__", "__reduce_ex__", "__copy__", "__deepcopy__"})
_COPIERS = frozenset({"copy.copy", "copy.deepcopy", "pickle.dumps", "pickle.dump"})


def code_of(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - a description only
        return "this expression"
    return text if len(text) <= 60 else text[:57] + "..."


def is_public(path: tuple[str, ...], index) -> bool:
    """Can code outside the file reach this def? (not ``_private``, not nested in a def or in a
    private class)."""
    for i, name in enumerate(path):
        owner = path[: i + 1]
        if owner in index.functions and i < len(path) - 1:
            return False  # nested in a function
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            return False
    return True


def _decorated_property(node: ast.AST) -> bool:
    for d in getattr(node, "decorator_list", ()):
        name = d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", None)
        if name in ("property", "cached_property"):
            return True
    return False



class SlotJudge:
    def __init__(self, follower):
        self.f = follower
        self.index = follower.index

    def slot(self, slot, unit) -> None:
        tag = slot[0]
        kind = "response" if tag.startswith("r-") else "session"
        if tag.endswith("name"):
            self._name_slot(slot, unit, kind)
        elif tag == "attr":
            self._attr_slot(slot, unit)
        elif tag.endswith("return"):
            self._return_slot(slot, unit, kind)

    def _name_slot(self, slot, unit, kind: str) -> None:
        _, path, name = slot
        index = self.index
        if path in index.functions and name in index.parameters(path) + self._kwonly(path):
            self._parameter(path, name, unit, kind)
        if path in index.classes and kind == "session":
            self.f.block(unit, index.classes[path], f"a class attribute ({name}) shared by every instance is not followed")
        for occ in index.names.get(name, ()):
            if index.scope_of[id(occ)].binding_scope(name).path != path:
                continue
            if isinstance(occ.ctx, ast.Load):
                self.f.flow(occ, unit, kind)
            elif isinstance(occ.ctx, ast.Store) and kind == "session":
                self._stored(occ, unit)

    def _kwonly(self, path) -> list[str]:
        return [a.arg for a in self.index.functions[path][0].args.kwonlyargs]

    def _attr_slot(self, slot, unit) -> None:
        _, family, attr = slot
        index = self.index
        members = [p for p, fam in self.f.families.items() if fam == family] or [family]
        for path in members:
            methods = {p[-1]: n for p, (n, _) in index.functions.items() if p[:-1] == path}
            if _PICKLING & set(methods):
                name = sorted(_PICKLING & set(methods))[0]
                self.f.block(unit, methods[name], f"{path[-1]} defines {name}: an httpx.Client cannot be pickled or copied")
        for occ in index.attributes.get(attr, ()):
            cls = index.self_class(occ)
            if cls is None:
                continue
            if self.f.family(cls) != family:
                continue
            if isinstance(occ.ctx, ast.Load):
                self.f.flow(occ, unit, "session")
            elif isinstance(occ.ctx, ast.Store):
                self._stored(occ, unit)
        self._reached_from_outside(family, attr, members, unit)
        for call in index.calls:
            if self.f.qual(call.func) in _COPIERS and call.args and isinstance(call.args[0], ast.Name):
                scope = index.scope_of[id(call)].binding_scope(call.args[0].id)
                if scope.cls is not None and self.f.family(scope.cls) == family and scope.self_name == call.args[0].id:
                    self.f.block(unit, call, f"{code_of(call)} copies an object holding the session: an httpx.Client cannot be copied")

    def _reached_from_outside(self, family, attr: str, members, unit) -> None:
        """``api = Api(...); api.session.mount(...)``: the session is reached from outside its class."""
        names = {p[-1] for p in members if len(p) == 1}
        holders = set()
        for call in self.index.calls:
            if isinstance(call.func, ast.Name) and call.func.id in names:
                parent = self.index.parent.get(id(call))
                if isinstance(parent, ast.Assign):
                    holders |= {t.id for t in parent.targets if isinstance(t, ast.Name)}
                elif isinstance(parent, ast.Attribute) and parent.attr == attr:
                    self.f.block(unit, parent, f"{code_of(parent)} reaches the session from outside its class")
        for occ in self.index.attributes.get(attr, ()):
            if isinstance(occ.value, ast.Name) and occ.value.id in holders and self.index.self_class(occ) is None:
                self.f.block(unit, occ, f"{code_of(occ)} reaches the session from outside its class")

    def _return_slot(self, slot, unit, kind: str) -> None:
        path = slot[1]
        node, _ = self.index.functions[path]
        prop = _decorated_property(node)
        if kind == "session" and not prop and is_public(path, self.index):
            self.f.block(unit, node, f"{path[-1]}() hands the session to its callers, which may be outside this file")
        if kind == "session":
            for ret in self.index.returns.get(path, ()):
                if ret.value is not None:
                    self.inflow(ret.value, unit, kind)
        for site in self._call_sites(path, prop):
            self.f.flow(site, unit, kind)

    def _call_sites(self, path, accessed: bool = False) -> list[ast.AST]:
        """Calls of the def at ``path`` in the file (for a property, its reads)."""
        index, name = self.index, path[-1]
        out: list[ast.AST] = []
        owner = path[:-1]
        if owner in index.classes:
            family = self.f.families.get(owner, owner)
            for occ in index.attributes.get(name, ()):
                cls = index.self_class(occ)
                if cls is None or self.f.family(cls) != family:
                    continue
                parent = index.parent.get(id(occ))
                if accessed:
                    out.append(occ)
                elif isinstance(parent, ast.Call) and parent.func is occ:
                    out.append(parent)
            return out
        for occ in index.names.get(name, ()):
            if index.scope_of[id(occ)].binding_scope(name).path + (name,) != path:
                continue
            parent = index.parent.get(id(occ))
            if isinstance(parent, ast.Call) and parent.func is occ:
                out.append(parent)
        return out

    def _parameter(self, path, name: str, unit, kind: str) -> None:
        """A parameter holding the unit: every caller must pass the unit (or None)."""
        node, _ = self.index.functions[path]
        if kind == "session" and is_public(path, self.index):
            self.f.block(unit, node, f"{name} is a parameter of {'.'.join(path)}(), whose callers elsewhere can pass their own requests.Session")
            return
        params = self.index.parameters(path)
        is_method = path[:-1] in self.index.classes
        position = params.index(name) - is_method if name in params else None
        for site in self._call_sites(path):
            passed = next((k.value for k in site.keywords if k.arg == name), None)  # type: ignore[attr-defined]
            if passed is None and position is not None and position < len(site.args):  # type: ignore[attr-defined]
                passed = site.args[position]  # type: ignore[attr-defined]
            if passed is not None:
                self.inflow(passed, unit, kind)
            elif kind == "session" and (any(isinstance(a, ast.Starred) for a in site.args) or any(k.arg is None for k in site.keywords)):  # type: ignore[attr-defined]
                self.f.block(unit, site, f"{code_of(site)} passes arguments with * or **: the tool cannot tell what {name} gets")

    def _stored(self, target: ast.AST, unit) -> None:
        """Something is assigned to a slot of the unit: it must be the unit too (or None)."""
        parent = self.index.parent.get(id(target))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is not None:
            if isinstance(parent, ast.Assign) and target not in parent.targets:
                self.f.block(unit, target, f"{code_of(target)} is unpacked from {code_of(parent.value)}")
                return
            self.inflow(parent.value, unit, "session")
        elif isinstance(parent, ast.withitem):
            self.inflow(parent.context_expr, unit, "session")
        elif not isinstance(parent, (ast.AnnAssign, ast.Delete)):
            self.f.block(unit, target, f"{code_of(target)} is bound by {type(parent).__name__.lower()}, which the tool does not follow")

    def inflow(self, value: ast.AST, unit, kind: str) -> None:
        """``value`` is stored where the unit's session is: it must be that session too."""
        if kind != "session":
            return
        if isinstance(value, ast.Constant) and value.value is None:
            return
        if isinstance(value, ast.IfExp):
            self.inflow(value.body, unit, kind)
            self.inflow(value.orelse, unit, kind)
            return
        if isinstance(value, ast.BoolOp):
            for part in value.values:
                self.inflow(part, unit, kind)
            return
        if isinstance(value, ast.Call) and self.f._is_creation(value):
            self.f.flow(value, unit, kind)
            return
        if isinstance(value, (ast.Name, ast.Attribute)):
            if self.f.qual(value) == "requests":
                self.f.block(unit, value, "the requests module stands in for the session here")
                return
            slot = self.f.slot_of_target(value)
            if slot is not None:
                self.f.add_slot(slot, unit)
                return
        if isinstance(value, ast.Call):
            callee = self._callee(value)
            if callee is not None:
                self.f.add_slot(("return", callee[0]), unit)
                return
        self.f.block(unit, value, f"it may also hold {code_of(value)}, which the tool cannot follow")

    # --- values: where the session (or a response) goes from here --------------------------

    def _callee(self, call: ast.Call) -> tuple[tuple[str, ...], int] | None:
        """(path of the def of this file a call runs, 1 for a method's self) or None."""
        index, func = self.index, call.func
        if isinstance(func, ast.Name):
            scope = index.scope_of[id(func)].binding_scope(func.id)
            path = scope.path + (func.id,)
            if path in index.functions and path[:-1] not in index.classes:
                return path, 0
            if path in index.classes and path + ("__init__",) in index.functions:
                return path + ("__init__",), 1
            return None
        if isinstance(func, ast.Attribute):
            cls = index.self_class(func)
            if cls is None:
                return None
            family = self.f.family(cls)
            for path, fam in self.f.families.items():
                if fam == family and path + (func.attr,) in index.functions:
                    return path + (func.attr,), 1
        return None
