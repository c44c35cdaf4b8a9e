"""How a unit's session (or a response from it) is used, one place at a time.

Each use the codemods migrate is recorded as the unit's (its line is watched for errors); each use
the tool cannot follow is a blocker, with the reason the ``session-kept`` finding gives.
"""

from __future__ import annotations

import ast

from codemods._client_containers import MISSING
from codemods._request_args import VERBS

_SESSION_METHODS = frozenset({
    *VERBS, "send", "merge_environment_settings", "get_adapter", "close", "mount", "prepare_request",
    "rebuild_auth", "rebuild_proxies", "rebuild_method", "resolve_redirects", "should_strip_auth",
    "get_redirect_target", "__enter__", "__exit__",
})
# ``s.headers`` used like this keeps the names as they were set; anything else copies them out,
# lowercased by httpx (``{**s.headers, "User-Agent": x}`` then sends two User-Agent headers)
_HEADER_LOOKUPS = frozenset({"update", "get", "pop", "setdefault", "__setitem__", "__getitem__", "__contains__", "__delitem__"})
_PICKLING = frozenset({"__getstate__", "__setstate__", "__reduce__", "__reduce_ex__", "__copy__", "__deepcopy__"})
_COPIERS = frozenset({"copy.copy", "copy.deepcopy", "pickle.dumps", "pickle.dump"})
_TYPE_CHECKS = frozenset({"isinstance", "issubclass", "type"})
_FINE_PARENTS = (ast.Compare, ast.If, ast.While, ast.Assert, ast.UnaryOp, ast.Expr, ast.FormattedValue, ast.Delete)
_HOW = {
    ast.List: "stored in a list", ast.Tuple: "stored in a tuple", ast.Set: "stored in a set",
    ast.Dict: "stored in a dict", ast.Starred: "unpacked with *", ast.Yield: "yielded",
    ast.YieldFrom: "yielded", ast.Subscript: "subscripted", ast.Lambda: "returned by a lambda",
    ast.Await: "awaited", ast.AugAssign: "changed with an augmented assignment",
}


# settings an httpx client takes only in its constructor (``client_configuration`` moves them there
# from the statements right after the session is made, when their values are literals)
_SETTINGS = frozenset({"verify", "cert", "proxies", "trust_env", "adapters"})
_CLIENT_REFUSES = frozenset({"verify", "proxies", "cert", "hooks"})


def _setting_value_readable(name: str, assign) -> bool:
    """Can ``s.<name> = <value>`` move into the constructor (see client_configuration)?"""
    if not isinstance(assign, ast.Assign):
        return False
    value = assign.value
    if name == "verify":
        return isinstance(value, ast.Constant) and isinstance(value.value, (bool, str))
    if name == "cert":
        parts = value.elts if isinstance(value, ast.Tuple) else [value]
        return len(parts) in (1, 2) and all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts)
    if name == "proxies":
        return isinstance(value, ast.Dict)
    return name == "trust_env"


def _updated(attr: ast.Attribute, parent, index) -> bool:
    """``s.proxies.update({...})``, which client_configuration moves into the constructor."""
    call = index.parent.get(id(parent))
    return isinstance(parent, ast.Attribute) and parent.attr == "update" and isinstance(call, ast.Call) and call.func is parent


def _code(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - a description only
        return "this expression"
    return text if len(text) <= 60 else text[:57] + "..."


def _public(path: tuple[str, ...], index) -> bool:
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


class UseJudge:
    def __init__(self, follower):
        self.f = follower
        self.index = follower.index

    # --- slots: every place a name, attribute or function result is used ---------------------
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
                    self.f.block(unit, call, f"{_code(call)} copies an object holding the session: an httpx.Client cannot be copied")

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
                    self.f.block(unit, parent, f"{_code(parent)} reaches the session from outside its class")
        for occ in self.index.attributes.get(attr, ()):
            if isinstance(occ.value, ast.Name) and occ.value.id in holders and self.index.self_class(occ) is None:
                self.f.block(unit, occ, f"{_code(occ)} reaches the session from outside its class")

    def _return_slot(self, slot, unit, kind: str) -> None:
        path = slot[1]
        node, _ = self.index.functions[path]
        prop = _decorated_property(node)
        if kind == "session" and not prop and _public(path, self.index):
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
        if kind == "session" and _public(path, self.index):
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
                self.f.block(unit, site, f"{_code(site)} passes arguments with * or **: the tool cannot tell what {name} gets")

    def _stored(self, target: ast.AST, unit) -> None:
        """Something is assigned to a slot of the unit: it must be the unit too (or None)."""
        parent = self.index.parent.get(id(target))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is not None:
            if isinstance(parent, ast.Assign) and target not in parent.targets:
                self.f.block(unit, target, f"{_code(target)} is unpacked from {_code(parent.value)}")
                return
            self.inflow(parent.value, unit, "session")
        elif isinstance(parent, ast.withitem):
            self.inflow(parent.context_expr, unit, "session")
        elif not isinstance(parent, (ast.AnnAssign, ast.Delete)):
            self.f.block(unit, target, f"{_code(target)} is bound by {type(parent).__name__.lower()}, which the tool does not follow")

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
        self.f.block(unit, value, f"it may also hold {_code(value)}, which the tool cannot follow")

    # --- values: where the session (or a response) goes from here --------------------------
    def value(self, node: ast.AST, unit, kind: str) -> None:
        parent = self.index.parent.get(id(node))
        while True:  # conditional expressions: the other operands end up in the same place
            if isinstance(parent, ast.IfExp) and node is not parent.test:
                self.inflow(parent.orelse if node is parent.body else parent.body, unit, kind)
            elif isinstance(parent, ast.BoolOp):
                if not _is_value(parent, self.index):
                    self.f.add_span(node, unit)
                    return  # ``if s and ...``: only tested, and a Session and a Client are both true
                for other in parent.values:
                    if other is not node:
                        self.inflow(other, unit, kind)
            elif isinstance(parent, ast.NamedExpr) and node is parent.value:
                self._bind(parent.target, unit, kind)
            else:
                break
            node, parent = parent, self.index.parent.get(id(parent))
        self.f.add_span(node, unit)
        if kind == "session":
            self._session_use(node, parent, unit)
        else:
            self._response_use(node, parent, unit)

    def _bind(self, target: ast.AST, unit, kind: str) -> bool:
        slot = self.f.slot_of_target(target)
        if slot is None:
            return False
        if kind == "response":
            slot = ("r-" + slot[0],) + slot[1:]
            if slot[0] == "r-attr":
                return True  # responses kept on self are not followed (the catch-all reviews them)
        self.f.add_slot(slot, unit)
        return True

    def _session_use(self, node, parent, unit) -> None:
        f = self.f
        if isinstance(parent, ast.Attribute):
            self._attribute(parent, unit)
        elif isinstance(parent, ast.Call) and parent.func is node:
            f.block(unit, node, f"{_code(node)}(...) calls the session itself")
        elif isinstance(parent, ast.Call):
            self._passed(node, parent, None, unit)
        elif isinstance(parent, ast.keyword):
            self._passed(node, self.index.parent[id(parent)], parent.arg, unit)
        elif isinstance(parent, ast.Return):
            self._returned(parent, unit, "session")
        elif isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                if not self._bind(target, unit, "session"):
                    f.block(unit, target, f"it is stored in {_code(target)}, whose uses the tool does not follow")
        elif isinstance(parent, ast.withitem):
            unit.closed = True
            if parent.optional_vars is not None and not self._bind(parent.optional_vars, unit, "session"):
                f.block(unit, parent.optional_vars, "the with statement binds it to something the tool does not follow")
        elif isinstance(parent, _FINE_PARENTS) or isinstance(parent, ast.IfExp) and parent.test is node:
            return
        else:
            how = _HOW.get(type(parent), "used in a way the tool does not follow")
            f.block(unit, node, f"{_code(node)} is {how} here, where its uses are not followed")

    def _attribute(self, attr: ast.Attribute, unit) -> None:
        f, name = self.f, attr.attr
        parent = self.index.parent.get(id(attr))
        called = isinstance(parent, ast.Call) and parent.func is attr
        if name in _SESSION_METHODS:
            unit.closed = unit.closed or name == "close" and called
            if not called:
                f.block(unit, attr, f"{_code(attr)} is taken as a bound method: calls made through it are not followed")
            elif name in VERBS or name == "send":
                self._request_arguments(parent, unit)
                f.flow(parent, unit, "response")
            return
        if name in _SETTINGS and isinstance(attr.ctx, ast.Load) and not (name == "proxies" and _updated(attr, parent, self.index)):
            f.block(unit, attr, f"{_code(attr)} reads a setting an httpx client takes only in its constructor")
        elif name in _SETTINGS and isinstance(attr.ctx, ast.Store) and not _setting_value_readable(name, self.index.parent.get(id(attr))):
            f.block(unit, attr, f"{_code(attr)} is set to a value the tool cannot move into the client's constructor")
        if name == "headers" and isinstance(attr.ctx, ast.Load) and not self._header_lookup(attr, parent):
            f.block(unit, attr, f"{_code(parent)} copies the headers out: httpx gives their names lowercased")
        elif name == "auth" and isinstance(attr.ctx, ast.Load):
            f.block(unit, attr, f"{_code(attr)} reads the auth setting back: an httpx client gives an httpx.Auth object")

    def _request_arguments(self, call: ast.Call, unit) -> None:
        """What no client method takes (the same refusals as ``_request_args``, seen first here so the
        file need not be migrated twice to learn them; any it misses, the codemods still report)."""
        for keyword in call.keywords:
            if keyword.arg is None:
                self.f.block(unit, call, f"{_code(call.func)}(..., **{_code(keyword.value)}): the arguments may hold ones an httpx client does not take")
                return
            if keyword.arg in _CLIENT_REFUSES or keyword.arg == "stream" and not isinstance(keyword.value, ast.Constant):
                self.f.block(unit, call, f"{_code(call.func)}(..., {keyword.arg}=...): an httpx client's methods take no such argument")
                return
        if any(isinstance(a, ast.Starred) for a in call.args):
            self.f.block(unit, call, f"{_code(call.func)}(*...): the arguments may hold ones an httpx client does not take")

    def _header_lookup(self, attr: ast.Attribute, parent) -> bool:
        if isinstance(parent, ast.Subscript) and parent.value is attr:
            return True
        if isinstance(parent, ast.Attribute):  # (methods httpx lacks: session_to_client reports them)
            return parent.attr in _HEADER_LOOKUPS or parent.attr in MISSING["headers"]
        return isinstance(parent, ast.Compare)  # "X-Key" in s.headers

    def _passed(self, node, call: ast.Call, keyword: str | None, unit) -> None:
        f = self.f
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name in _TYPE_CHECKS:
            f.block(unit, call, f"{_code(call)} checks its type: an httpx.Client is no requests.Session")
            return
        callee = self._callee(call)
        if callee is None:
            f.block(unit, call, f"it is handed to {_code(call.func)}(), which the tool cannot follow")
            return
        path, offset = callee
        params = self.index.parameters(path)
        if keyword is None:
            position = call.args.index(node) + offset
            param = params[position] if position < len(params) else None
        else:
            param = keyword if keyword in params + self._kwonly(path) else None
        if param is None:
            f.block(unit, call, f"it reaches {'.'.join(path)}() through * or ** parameters, which the tool does not follow")
            return
        f.add_slot(("name", path, param), unit)

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

    def _returned(self, ret: ast.Return, unit, kind: str) -> None:
        node = self.index.parent.get(id(ret))
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            node = self.index.parent.get(id(node))
        path = self.index.def_path.get(id(node)) if node is not None else None
        if path is None:
            if kind == "session":
                self.f.block(unit, ret, "it is returned where the tool cannot follow it")
            return
        self.f.add_slot(("return" if kind == "session" else "r-return", path), unit)

    def _response_use(self, node, parent, unit) -> None:
        """Responses are followed to name the lines they are used on; they block nothing here
        (what the codemods cannot migrate on them, they report, and that keeps the unit)."""
        if isinstance(parent, ast.Return):
            self._returned(parent, unit, "response")
        elif isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            for target in parent.targets if isinstance(parent, ast.Assign) else [parent.target]:
                self._bind(target, unit, "response")
        elif isinstance(parent, ast.withitem) and parent.optional_vars is not None:
            self._bind(parent.optional_vars, unit, "response")
        elif isinstance(parent, (ast.Call, ast.keyword)):
            call = parent if isinstance(parent, ast.Call) else self.index.parent[id(parent)]
            if call.func is node:
                return
            callee = self._callee(call)
            if callee is None or _public(callee[0], self.index):
                return
            params = self.index.parameters(callee[0])
            if isinstance(parent, ast.keyword):
                param = parent.arg
            else:
                position = call.args.index(node) + callee[1] if node in call.args else len(params)
                param = params[position] if position < len(params) else None
            if param is not None:
                self.f.add_slot(("r-name", callee[0], param), unit)


def _is_value(boolop: ast.BoolOp, index) -> bool:
    """Is the result of ``a or b`` used as a value (not only tested)?"""
    parent = index.parent.get(id(boolop))
    return not isinstance(parent, (ast.If, ast.While, ast.Assert, ast.UnaryOp, ast.IfExp, ast.BoolOp))
