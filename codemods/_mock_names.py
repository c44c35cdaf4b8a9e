"""Names bound to mocks (``with requests_mock.Mocker() as m``, ``rsps``, the ``requests_mock`` fixture),
each in the scope that binds it.

A name is a mock only where it means the binding the mock was given: ``m`` of a ``with Mocker() as m``
in one test is not the ``m`` a ``@mock.patch`` decorator passes to another test, whose ``m.get`` is a
MagicMock's.
"""

from __future__ import annotations

from codemods._units import binding_index


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
