"""Can a requests response hook run unchanged on an httpx response?

requests calls ``hook(response, **kwargs)`` and uses a non-None return value as the new response.
An httpx client's event hook is called as ``hook(response)`` before the body is read, and what it
returns is ignored; ``_helpers.HOOKS`` (a call's own ``hooks=``) calls ``hook(response)`` after.
A hook is kept when none of that can matter, and when it reads nothing of the response that httpx
lacks or gives differently.
"""

from __future__ import annotations

import libcst as cst

from codemods._client_options import NotExact
from codemods._responses import RESPONSE_DIFFERS, RESPONSE_MISSING
from migrator.engine.visitors import Visitor, visit

# reading these needs the body, which httpx has not read when it calls a hook
_BODY_READERS = frozenset({"content", "text", "json", "iter_content", "iter_lines", "raw", "apparent_encoding"})


# what httpx's Response lacks or gives differently (``r.request`` is judged by its attribute below)
_DIFFERS = RESPONSE_MISSING | (set(RESPONSE_DIFFERS) - {"request"})


class _HookBody(Visitor):
    def __init__(self, param: str, kwargs: str | None, body_read: bool):
        self.param = param
        self.kwargs = kwargs
        self.body_read = body_read
        self.problem: str | None = None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        inner = node.value
        if (isinstance(inner, cst.Attribute) and inner.attr.value == "request" and isinstance(inner.value, cst.Name)
                and inner.value.value == self.param and node.attr.value not in ("method", "headers")):
            self.problem = f"it reads {self.param}.request.{node.attr.value}, which an httpx.Request gives differently or lacks"
        if isinstance(node.value, cst.Name) and node.value.value == self.param:
            attr = node.attr.value
            if attr == "history" and self.body_read:  # requests runs a hook before it sets history
                self.problem = f"it reads {self.param}.history, which requests had not set yet when it ran the hook"
            elif attr in _DIFFERS:
                self.problem = f"it reads {self.param}.{attr}, which httpx's response lacks or gives differently"
            elif attr in _BODY_READERS and not self.body_read:
                self.problem = f"it reads {self.param}.{attr}, and httpx has not read the body yet"
            elif attr == "raise_for_status":
                self.problem = "it calls raise_for_status(), which raises on every redirect in httpx"

    def visit_Raise(self, node: cst.Raise) -> None:
        if self.body_read:  # (called after the call: requests would have stopped before the redirects)
            self.problem = "it may raise, and the call has followed every redirect by the time it runs"

    def visit_Assert(self, node: cst.Assert) -> None:
        self.visit_Raise(node)  # type: ignore[arg-type]

    def visit_Name(self, node: cst.Name) -> None:
        if self.kwargs is not None and node.value == self.kwargs:
            self.problem = f"it reads **{self.kwargs}, requests' send arguments, which httpx does not pass"

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and not (isinstance(node.value, cst.Name) and node.value.value == "None"):
            self.problem = "it returns a value, which requests used as the response and httpx ignores"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


def _kwargs(params: cst.Parameters) -> str | None:
    star = params.star_kwarg
    return star.name.value if star is not None else None


def _one_arg_callable(params: cst.Parameters) -> str:
    """The response parameter's name, when the function can be called with one argument."""
    positional = [*params.posonly_params, *params.params]
    if not positional or params.kwonly_params and any(p.default is None for p in params.kwonly_params):
        raise NotExact("the hook cannot be called with the response alone")
    if positional[1:] or params.kwonly_params:  # requests fills them from its send arguments by name
        raise NotExact("the hook takes more than the response and **kwargs (requests passes its send arguments by name)")
    if params.star_kwarg is None:  # requests' own call of it raises TypeError, httpx's would not
        raise NotExact("the hook takes no **kwargs, and requests calls it with its send arguments (timeout=, verify=, ...)")
    return positional[0].name.value


def check_hook(module: cst.Module, hook: cst.BaseExpression, *, body_read: bool = False) -> None:
    """Raise NotExact unless ``hook`` is a function of this module (or a lambda) that fits httpx.
    ``body_read``: it is called after the body is read (by ``_helpers.HOOKS``), not as an event hook."""
    if isinstance(hook, cst.Lambda):
        param = _one_arg_callable(hook.params)
        body = _HookBody(param, _kwargs(hook.params), body_read)
        visit(hook.body, body)
        if body.problem is None and not _returns_none(hook.body):
            body.problem = "the lambda's value would be used by requests as the response"
        if body.problem:
            raise NotExact(f"the hook cannot run on an httpx response as it ran on requests': {body.problem}")
        return
    if not isinstance(hook, cst.Name):
        raise NotExact("the hook is not a function defined in this file")
    defs = [s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == hook.value]
    if len(defs) != 1 or _bound_otherwise(module, hook.value):
        raise NotExact(f"{hook.value} is not one function defined at the top of this file and bound nowhere else")
    func = defs[0]
    param = _one_arg_callable(func.params)
    body = _HookBody(param, _kwargs(func.params), body_read)
    visit(func.body, body)
    if body.problem:
        raise NotExact(f"{hook.value} cannot run on an httpx response as it ran on requests': {body.problem}")


def _returns_none(expr: cst.BaseExpression) -> bool:
    """A lambda body whose value is None: print(...), a call of a method that returns None, ..."""
    if isinstance(expr, cst.Name):
        return expr.value == "None"
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "print"


def hooks_from(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The response hooks in ``{"response": f}`` / ``{"response": [f, g]}`` / ``[f]`` / ``f``."""
    if isinstance(value, cst.Dict):
        hooks: list[cst.BaseExpression] = []
        for el in value.elements:
            if not isinstance(el, cst.DictElement) or not isinstance(el.key, cst.SimpleString) or el.key.evaluated_value != "response":
                raise NotExact("only 'response' hooks exist in requests; this dict has other keys")
            hooks += hooks_from(el.value)
        return hooks
    if isinstance(value, (cst.List, cst.Tuple)):
        return [el.value for el in value.elements]
    return [value]


def _bound_otherwise(module: cst.Module, name: str) -> bool:
    """Is ``name`` also assigned or imported at the top of the module (a later binding wins)?"""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
                    [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else [])
                if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    return True
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar) and any(
                        (a.asname.name.value if a.asname else a.name.value if isinstance(a.name, cst.Name) else None) == name
                        for a in small.names):
                    return True
        elif isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return True
    return False
