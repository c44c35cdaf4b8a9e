"""How a unit's session (or a response from it) is used, one place at a time.

Each use the codemods migrate is recorded as the unit's (its line is watched for errors); each use
the tool cannot follow is a blocker, with the reason the ``session-kept`` finding gives.
"""

from __future__ import annotations

import ast

from codemods._client_containers import MISSING
from codemods._request_args import VERBS
from codemods._unit_slots import SlotJudge, code_of, is_public

_SESSION_METHODS = frozenset({
    *VERBS, "send", "merge_environment_settings", "get_adapter", "close", "mount", "prepare_request",
    "rebuild_auth", "rebuild_proxies", "rebuild_method", "resolve_redirects", "should_strip_auth",
    "get_redirect_target", "__enter__", "__exit__",
})
# ``s.headers`` used like this keeps the names as they were set; anything else copies them out,
# lowercased by httpx (``{**s.headers, "User-Agent": x}`` then sends two User-Agent headers)
_HEADER_LOOKUPS = frozenset({"update", "get", "pop", "setdefault", "__setitem__", "__getitem__", "__contains__", "__delitem__"})
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
_CLIENT_REFUSES = frozenset({"verify", "proxies", "cert"})


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
    if name == "proxies":  # (a name: client_configuration follows it to the dict literal it is bound to)
        return isinstance(value, (ast.Dict, ast.Name))
    return name == "trust_env"


def _updated(attr: ast.Attribute, parent, index) -> bool:
    """``s.proxies.update({...})``, which client_configuration moves into the constructor."""
    call = index.parent.get(id(parent))
    return isinstance(parent, ast.Attribute) and parent.attr == "update" and isinstance(call, ast.Call) and call.func is parent



class UseJudge(SlotJudge):
    """Judges a unit's uses; where its values are bound is :class:`SlotJudge`'s part."""

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
            f.block(unit, node, f"{code_of(node)}(...) calls the session itself")
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
                    f.block(unit, target, f"it is stored in {code_of(target)}, whose uses the tool does not follow")
        elif isinstance(parent, ast.withitem):
            unit.closed = True
            if parent.optional_vars is not None and not self._bind(parent.optional_vars, unit, "session"):
                f.block(unit, parent.optional_vars, "the with statement binds it to something the tool does not follow")
        elif isinstance(parent, _FINE_PARENTS) or isinstance(parent, ast.IfExp) and parent.test is node:
            return
        else:
            how = _HOW.get(type(parent), "used in a way the tool does not follow")
            f.block(unit, node, f"{code_of(node)} is {how} here, where its uses are not followed")

    def _attribute(self, attr: ast.Attribute, unit) -> None:
        f, name = self.f, attr.attr
        parent = self.index.parent.get(id(attr))
        if name in ("params", "hooks", "send", "prepare_request"):
            unit.find().attributes.add(name)
        if name == "params" and isinstance(attr.ctx, ast.Store) and isinstance(parent, ast.Assign) and parent.targets == [attr]:
            unit.find().params_sets.append(parent)
        elif name == "params":
            unit.find().params_other = True
        called = isinstance(parent, ast.Call) and parent.func is attr
        if name in _SESSION_METHODS:
            unit.closed = unit.closed or name == "close" and called
            if not called:
                f.block(unit, attr, f"{code_of(attr)} is taken as a bound method: calls made through it are not followed")
            elif name in VERBS or name == "send":
                self._request_arguments(parent, unit)
                f.flow(parent, unit, "response")
            return
        if name in _SETTINGS and isinstance(attr.ctx, ast.Load) and not (name == "proxies" and _updated(attr, parent, self.index)):
            f.block(unit, attr, f"{code_of(attr)} reads a setting an httpx client takes only in its constructor")
        elif name in _SETTINGS and isinstance(attr.ctx, ast.Store) and not _setting_value_readable(name, self.index.parent.get(id(attr))):
            f.block(unit, attr, f"{code_of(attr)} is set to a value the tool cannot move into the client's constructor")
        if name == "headers" and isinstance(attr.ctx, ast.Load) and not self._header_lookup(attr, parent):
            f.block(unit, attr, f"{code_of(parent)} copies the headers out: httpx gives their names lowercased")
        elif name == "auth" and isinstance(attr.ctx, ast.Load):
            f.block(unit, attr, f"{code_of(attr)} reads the auth setting back: an httpx client gives an httpx.Auth object")

    def _request_arguments(self, call: ast.Call, unit) -> None:
        """What no client method takes (the same refusals as ``_request_args``, seen first here so the
        file need not be migrated twice to learn them; any it misses, the codemods still report)."""
        for keyword in call.keywords:
            if keyword.arg is None:
                self.f.block(unit, call, f"{code_of(call.func)}(..., **{code_of(keyword.value)}): the arguments may hold ones an httpx client does not take")
                return
            if keyword.arg in _CLIENT_REFUSES or keyword.arg == "stream" and not isinstance(keyword.value, ast.Constant):
                self.f.block(unit, call, f"{code_of(call.func)}(..., {keyword.arg}=...): an httpx client's methods take no such argument")
                return
        if any(isinstance(a, ast.Starred) for a in call.args):
            self.f.block(unit, call, f"{code_of(call.func)}(*...): the arguments may hold ones an httpx client does not take")

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
            f.block(unit, call, f"{code_of(call)} checks its type: an httpx.Client is no requests.Session")
            return
        callee = self._callee(call)
        if callee is None:
            f.block(unit, call, f"it is handed to {code_of(call.func)}(), which the tool cannot follow")
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
            if callee is None or is_public(callee[0], self.index):
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
