"""Which registrations of a test may answer the same request, and so be served differently.

responses and requests-mock choose among registrations that match one request by their order
(responses: the first, which is then used up while another remains; requests-mock: the newest),
while respx tries its routes oldest first and merges routes of equal patterns. Registrations of
one route written the same way are handled where they are made (served in turn, or the newest
kept). Two different registrations that may match one request cannot be ordered exactly: the
second is :class:`NotTranslated`.

May match one request: the same method, and URLs that are the same once constants are folded
(module-level string constants, ``+``), queries and match patterns aside; any URL
(``requests_mock.ANY``) or a regular expression overlaps every URL of its method. Two URLs the
tool cannot fold are taken to differ when they are spelled differently (tests build each URL
from its own path), the one assumption this makes; so a passthru prefix the tool cannot fold
(``responses.add_passthru(server)``) covers the URLs built from it (``server + "/hello"``) and no
literal URL.
"""

from __future__ import annotations

import libcst as cst

from codemods._mock_spec import MockSpec, NotTranslated
from codemods.base import literal_text
from migrator.engine.names import dotted

_ANY = object()  # a URL matching every URL: requests_mock.ANY, or a regular expression


class RouteTable:
    def __init__(self) -> None:
        self.constants: dict[str, str] | None = None  # module-level str constants (found when needed)
        self.routes: dict[int, list[tuple[str, object, object]]] = {}  # id(function) -> (method, url, route key)

    def add(self, ctx, spec: MockSpec, key: object, in_turn: bool) -> None:
        """Record a registration of the function being read; NotTranslated if an earlier one of
        another route may answer the same requests. ``in_turn``: the library serves several
        registrations of one route in turn (responses), so one made in a loop is several."""
        url = self._url(ctx, spec.url)
        if in_turn and isinstance(url, tuple) and url[0] == "url" and any(isinstance(p, (cst.For, cst.While)) for p in _inside(ctx)):
            raise NotTranslated("registered in a loop: responses serves each registration in turn, respx keeps one")
        seen = self.routes.setdefault(id(ctx.scopes[-1].node), [])
        for method, other, other_key in seen:
            same_method = method == spec.method or {method, spec.method} & {"*", "?"}  # any, or not known
            if same_method and other_key != key and _overlap(url, other):
                raise NotTranslated("another registration of this method may answer the same requests, "
                                    "and the mock libraries choose between them in different orders")
        seen.append((spec.method, url, key))

    def add_prefix(self, ctx, node: cst.BaseExpression) -> None:
        """Record a URL prefix requests pass through to the network (responses' add_passthru): any
        method; a later registration under it would be passed through by respx."""
        folded = self._fold(ctx, node)
        url = ("prefix", folded) if folded is not None else ("prefix-text", ctx.module.code_for_node(node))
        self.routes.setdefault(id(ctx.scopes[-1].node), []).append(("*", url, object()))

    def _url(self, ctx, node: cst.BaseExpression | None) -> object:
        if node is None or isinstance(node, cst.Call) and (dotted(node.func) or "").endswith("compile"):
            return _ANY  # any URL, or re.compile(...)
        folded = self._fold(ctx, node)
        if folded is None:
            return ("text", ctx.module.code_for_node(node))
        return ("url", folded.partition("?")[0].partition("#")[0])

    def _fold(self, ctx, node: cst.BaseExpression) -> str | None:
        text = literal_text(node)
        if text is not None:
            return text
        if isinstance(node, cst.Name):
            return self._constants(ctx).get(node.value)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self._fold(ctx, node.left), self._fold(ctx, node.right)
            return left + right if left is not None and right is not None else None
        return None

    def _constants(self, ctx) -> dict[str, str]:
        if self.constants is None:
            assigned: dict[str, list] = {}
            for stmt in ctx.module.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Assign):
                            for target in small.targets:
                                if isinstance(target.target, cst.Name):
                                    assigned.setdefault(target.target.value, []).append(small.value)
            self.constants = {name: literal_text(values[0]) for name, values in assigned.items()  # type: ignore[misc]
                              if len(values) == 1 and literal_text(values[0]) is not None}
        return self.constants


def _inside(ctx) -> list[cst.CSTNode]:
    """The nodes between the function (or module) being read and the node being left."""
    scope = ctx.scopes[-1].node
    parents = ctx.parents
    at = max((i for i, p in enumerate(parents) if p is scope), default=-1)
    return parents[at + 1 :]


def _overlap(a: object, b: object) -> bool:
    if a is _ANY or b is _ANY:
        return True
    for one, other in ((a, b), (b, a)):
        if isinstance(one, tuple) and one[0] == "prefix":  # a passthru prefix: a URL under it, or one not read
            return not (isinstance(other, tuple) and other[0] in ("url", "prefix")) or other[1].startswith(one[1])
        if isinstance(one, tuple) and one[0] == "prefix-text":  # a prefix built at run time: URLs built from it
            return isinstance(other, tuple) and other[0] in ("text", "prefix-text") and other[1].startswith(one[1])
    return a == b
