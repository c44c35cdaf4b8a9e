"""Can a unit's ``Session.params`` be kept beside its client, as ``s_params``?

requests merges a Session's params into every request's URL query; an httpx client's own params
replace that query. ``session_to_client`` can keep requests' meaning by holding the params in a
variable of their own (``s_params``, ``self._session_params``) and writing them into each call's
URL. That is exact only where every call sees the variable set, and nothing else sees the params:
this module decides where, from the file's ``ast``.
"""

from __future__ import annotations

import ast

from codemods._unit_index import FileIndex


def params_variable(index: FileIndex, unit) -> str | None:
    """The variable the unit's params are kept in, or None (the client keeps them, reported).

    Only for a session bound to one local name (in a function) or one private ``self`` attribute,
    given its params by one ``s.params = ...`` among the settings right after it is made, where
    nothing can send a request before (no call but the settings' own), used in no other way, and
    sending only through its verb methods (``prepare_request`` merges the params too). The
    variable's name must be free in the file; a class keeping it must take new attributes."""
    slots = [slot for slot in unit.slots if slot[0] in ("name", "attr", "return")]
    if len(unit.params_sets) != 1 or unit.params_other or {"send", "prepare_request"} & unit.attributes:
        return None
    if len(slots) != 1 or len(unit.roots) != 1:
        return None
    kind, where, name = slots[0]
    assign = unit.params_sets[0]
    session = assign.targets[0].value
    if kind == "name":
        if not (isinstance(session, ast.Name) and session.id == name) or not where or _declared_shared(index, name):
            return None  # (module level, global or nonlocal: other code may send through it)
    elif kind == "attr":
        if not (isinstance(session, ast.Attribute) and session.attr == name and isinstance(session.value, ast.Name)
                and session.value.id == "self" and name.startswith("_") and not name.startswith("__")):
            return None  # (a public attribute: code elsewhere may send through it)
        if _set_elsewhere(index, name) or any(_fixed_attributes(index.classes[path]) for path in index.classes if path[: len(where)] == where):
            return None
    else:
        return None
    variable = f"{name}_params"
    if _taken(index.tree, variable):
        return None
    made = index.statement(unit.roots[0])
    block = made.body if isinstance(made, ast.With) else next(
        (getattr(index.parent.get(id(made)), f) for f in ("body", "orelse", "finalbody")
         if made in getattr(index.parent.get(id(made)), f, ())), None)
    if block is None or assign not in block:
        return None
    between = block[block.index(made) + 1 if made in block else 0 : block.index(assign)]
    spelled = ast.unparse(session)
    if not all(_sets_up(st, spelled) for st in between) or _calls(assign.value):
        return None  # a request could be sent before the params are set
    return variable


def _sets_up(statement: ast.stmt, session: str) -> bool:
    """Is ``statement`` a setting of the session that sends nothing (``s.verify = False``,
    ``s.headers.update({...})``, ``s.mount("https://", HTTPAdapter(...))``)? Calls in its values
    could (``s.headers["X"] = s.get(...)``, ``self._login()``), except an adapter's own."""
    if isinstance(statement, ast.Assign):
        return all(ast.unparse(t).startswith(session + ".") for t in statement.targets) and not _calls(statement.value)
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return False
    owner = ast.unparse(call.func.value)
    if owner == session and call.func.attr == "mount":
        return True  # (HTTPAdapter(...) and Retry(...) send nothing)
    return owner.startswith(session + ".") and not any(_calls(a) for a in [*call.args, *(k.value for k in call.keywords)])


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _declared_shared(index: FileIndex, name: str) -> bool:
    return any(isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in ast.walk(index.tree))


def _set_elsewhere(index: FileIndex, attr: str) -> bool:
    """``obj._session = ...`` on something other than ``self`` (an object built with ``__new__``):
    that object would lack the params variable."""
    return any(isinstance(n, ast.Attribute) and n.attr == attr and isinstance(n.ctx, ast.Store)
               and not (isinstance(n.value, ast.Name) and n.value.id == "self") for n in ast.walk(index.tree))


def _fixed_attributes(cls: ast.ClassDef) -> bool:
    """``__slots__``, or a decorator (``@dataclass(slots=True)``, attrs): no attribute of its own."""
    return bool(cls.decorator_list) or any(
        isinstance(st, (ast.Assign, ast.AnnAssign)) and "__slots__" in ast.unparse(st).split("=")[0] for st in cls.body)


def _taken(tree: ast.Module, variable: str) -> bool:
    """Does the file use ``variable`` as any kind of name (a def, an import, an attribute...)?"""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == variable or isinstance(node, ast.Attribute) and node.attr == variable:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == variable:
            return True
        if isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == variable:
            return True
        if isinstance(node, ast.arg) and node.arg == variable or isinstance(node, ast.keyword) and node.arg == variable:
            return True
    return False
