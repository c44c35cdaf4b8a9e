"""Names bound to mocks (``with requests_mock.Mocker() as m``, ``rsps``, the ``requests_mock`` fixture),
each in the scope that binds it.

A name is a mock only where it means the binding the mock was given: ``m`` of a ``with Mocker() as m``
in one test is not the ``m`` a ``@mock.patch`` decorator passes to another test, whose ``m.get`` is a
MagicMock's. A pytest fixture of the file yielding a mock hands it to the tests asking for it
(:func:`mock_fixtures`); a mock handed to another function is not followed there (:func:`handed_on`).
"""

from __future__ import annotations

import libcst as cst

from codemods._units import binding_index
from codemods.catch_all import LOOKS_ONLY
from migrator.engine.names import dotted
from migrator.engine.visitors import walk


def binding_node(ctx, name: str):
    """The node of the scope whose binding of ``name`` is seen where the engine is."""
    return ctx.scopes[binding_index(ctx.scopes, name)].node


class ScopedNames:
    def __init__(self) -> None:
        self._bound: dict[str, int] = {}  # name -> id of the scope node binding it as a mock

    def add(self, ctx, name: str) -> None:
        self._bound[name] = id(binding_node(ctx, name))

    def forget(self, ctx, name: str) -> None:
        """``name`` is bound anew here: it is a mock again only if made one."""
        if name in self._bound and self._bound[name] == id(binding_node(ctx, name)):
            del self._bound[name]

    def has(self, ctx, name: str) -> bool:
        return name in self._bound and self._bound[name] == id(binding_node(ctx, name))

    def here(self, ctx) -> set[str]:
        """The names that are mocks where the engine is."""
        return {n for n in self._bound if self.has(ctx, n)} if self._bound else set()


def mock_fixtures(ctx, module: cst.Module) -> dict[str, str]:
    """The module's pytest fixtures that yield (or return) the mock of their ``with
    responses.RequestsMock() as rsps:`` / ``with requests_mock.Mocker() as m:``: tests asking for
    one hold that mock under the fixture's name."""
    out: dict[str, str] = {}
    for stmt in module.body:
        if not (isinstance(stmt, cst.FunctionDef) and any("fixture" in (dotted(d.decorator) or dotted(getattr(d.decorator, "func", None)) or "")
                                                        for d in stmt.decorators)):
            continue
        nodes = list(walk(stmt.body))
        made: dict[str, str] = {}
        for node in nodes:
            if isinstance(node, cst.WithItem) and isinstance(node.item, cst.Call) and node.asname is not None and isinstance(node.asname.name, cst.Name):
                qual = ctx.resolve(node.item.func)
                if qual in ("responses.RequestsMock", "requests_mock.Mocker", "requests_mock.mock"):
                    made[node.asname.name.value] = "requests_mock.Mocker" if qual.startswith("requests_mock") else qual
        for node in nodes:
            if isinstance(node, (cst.Yield, cst.Return)) and isinstance(node.value, cst.Name) and node.value.value in made:
                out[stmt.name.value] = made[node.value.value]
    return out


_LOOKS_ONLY = LOOKS_ONLY | {"len", "bool"}  # (a mock's calls and truth read alike)


def handed_on(ctx, name: cst.Name) -> bool:
    """Is ``name`` (a mock) an argument of a call that may use it as a mock (not ``len(m.calls)``-like
    builtins, nor ``session.mount(prefix, adapter)``, which client_configuration follows)?"""
    parent, grand = ctx.parent(), ctx.parent(2)
    if not (isinstance(parent, cst.Arg) and parent.value is name and isinstance(grand, cst.Call)):
        return False
    func = grand.func
    return not (isinstance(func, cst.Name) and func.value in _LOOKS_ONLY or isinstance(func, cst.Attribute) and func.attr.value == "mount")
