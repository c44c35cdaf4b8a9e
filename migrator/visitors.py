"""LibCST's visitor bases without the per-field hooks.

For every field of every node, LibCST calls ``on_visit_attribute`` and
``on_leave_attribute``, which format a method name and look it up
(``visit_Call_func``...). No visitor here defines such a method, and the two calls
cost about a tenth of a migration; these bases make them no-ops.
"""

from __future__ import annotations

import dataclasses

import libcst as cst


class Visitor(cst.CSTVisitor):
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


class Transformer(cst.CSTTransformer):
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def subclasses(*bases: type) -> frozenset[type]:
    """Every class derived from ``bases``, at any depth (for exact-type look-ups: isinstance on
    LibCST's ABCs is slow)."""
    out: set[type] = set()
    todo = list(bases)
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                todo.append(sub)
    return frozenset(out)


_NODE_TYPES = subclasses(cst.CSTNode)


def walk(root: cst.CSTNode, prune: frozenset[type] | set[type] = frozenset()):
    """Every node under ``root`` (root included), without rebuilding any: LibCST's own
    visitors reconstruct each node they pass. Nodes whose type is in ``prune`` are yielded
    but not entered. Order: not lexical."""
    nodes = _NODE_TYPES
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)
        if kind in prune:
            continue
        names = _CHILD_FIELDS.get(kind)
        if names is None:
            names = _CHILD_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(node))
        for name in names:
            value = getattr(node, name)
            if type(value) in nodes:
                stack.append(value)
            elif type(value) is list or type(value) is tuple:
                stack.extend(v for v in value if type(v) in nodes)
