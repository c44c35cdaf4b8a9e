"""LibCST's visitor bases without the per-field hooks.

For every field of every node, LibCST calls ``on_visit_attribute`` and
``on_leave_attribute``, which format a method name and look it up
(``visit_Call_func``...). No visitor here defines such a method, and the two calls
cost about a tenth of a migration; these bases make them no-ops. ``walk`` and
``transform`` go further: they pass a tree without rebuilding the nodes nothing changed in.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

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
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if type(node) not in prune:
            stack.extend(children(node))


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes directly under ``node`` (not in lexical order)."""
    kind = type(node)
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        # only the fields LibCST visits (not ``Name.value``, a string...), where it can tell
        plan = _plan(kind) if _READABLE else None
        names = _CHILD_FIELDS[kind] = tuple(f for f, _ in plan) if plan is not None else tuple(f.name for f in dataclasses.fields(node))
    nodes = _NODE_TYPES
    out = []
    for name in names:
        value = getattr(node, name)
        if type(value) in nodes:
            out.append(value)
        elif type(value) is list or type(value) is tuple:
            out.extend(v for v in value if type(v) in nodes)
    return out


# LibCST visits a node's children in the order its ``_visit_and_replace_children`` names them
# (source order, not the dataclass's field order): read that order from the method itself.
_VISIT_CALL = re.compile(r'visit_(required|optional|sentinel|sequence|iterable|body_sequence|body_iterable)\(\s*self,\s*"(\w+)"')
_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _sources_readable() -> bool:
    try:
        return bool(_VISIT_CALL.search(inspect.getsource(cst.Call._visit_and_replace_children)))
    except (OSError, TypeError):  # LibCST installed without its sources: use its own traversal
        return False


def _plan(kind: type) -> tuple[tuple[str, str], ...]:
    """(field, how LibCST visits it: required, optional, sentinel, sequence, iterable,
    body_sequence...) for each child field, in LibCST's visiting order."""
    plan = _PLANS.get(kind)
    if plan is None:
        fields: dict[str, str] = {}
        for how, name in _VISIT_CALL.findall(inspect.getsource(kind._visit_and_replace_children)):  # type: ignore[attr-defined]
            fields.setdefault(name, how)  # ``names``: one node or a sequence (ImportFrom)
        plan = _PLANS[kind] = tuple(fields.items())
    return plan


_READABLE = _sources_readable()


def transform(root: cst.CSTNode, visitor: Any, inert: frozenset[type] | set[type] = frozenset()) -> Any:
    """``root.visit(visitor)`` for a transformer, with LibCST's semantics (visiting order,
    removal and flattening, empty statements dropped from bodies), except that a node none
    of whose children changed is not rebuilt: ``updated`` is then the original node itself.
    LibCST rebuilds every node it passes, which was most of a traversal's cost. Nodes whose
    type is in ``inert`` are neither visited nor entered (the visitor would do nothing there)."""
    if not _READABLE:
        return root.visit(visitor)
    on_visit, on_leave = visitor.on_visit, visitor.on_leave
    removal, flatten, sentinel = cst.RemovalSentinel, cst.FlattenSentinel, cst.MaybeSentinel

    def go(node: cst.CSTNode) -> Any:
        updated = node
        if on_visit(node):
            changes = None
            for field, how in _plan(type(node)):
                value = getattr(node, field)
                if type(value) is tuple or type(value) is list:
                    body = how.startswith("body")
                    new: Any = value
                    out = []
                    for child in value:
                        if type(child) in inert:
                            out.append(child)
                            continue
                        result = go(child)
                        if result is not child:
                            new = None
                        if type(result) is flatten:
                            out.extend(c for c in result if not (body and not child._is_removable() and c._is_removable()))
                        elif type(result) is not removal and not (body and not child._is_removable() and result._is_removable()):
                            out.append(result)
                    if new is None:
                        new = tuple(out)
                elif value is None or value is sentinel.DEFAULT or type(value) in inert:
                    continue
                else:
                    new = go(value)
                    if type(new) is removal:
                        if how == "required":
                            raise TypeError(f"{type(node).__name__}.{field} cannot be removed")
                        new = sentinel.DEFAULT if how == "sentinel" else None
                    elif type(new) is flatten:
                        raise TypeError(f"{type(node).__name__}.{field} cannot be replaced with a sequence")
                if new is not value:
                    if changes is None:
                        changes = {}
                    changes[field] = new
            if changes:
                updated = node.with_changes(**changes)
        return on_leave(node, updated)

    return go(root)


def visit(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``root.visit(visitor)`` for a read-only visitor (same calls, in the same order), without
    the node reconstruction LibCST's own traversal does even for visitors."""
    if not _READABLE:
        root.visit(visitor)
        return
    on_visit, on_leave = visitor.on_visit, visitor.on_leave
    default = cst.MaybeSentinel.DEFAULT

    def go(node: cst.CSTNode) -> None:
        if on_visit(node):
            for field, _how in _plan(type(node)):
                value = getattr(node, field)
                if type(value) is tuple or type(value) is list:
                    for child in value:
                        go(child)
                elif value is not None and value is not default:
                    go(value)
        on_leave(node)

    go(root)


def transform_statements(module: cst.Module, visitor: Any, only: set[int] | None = None) -> cst.Module:
    """``transform(module, visitor)``, looking only in the top-level statements whose positions
    in the body are in ``only`` (every one when None)."""
    if only is None:
        return transform(module, visitor)
    body = [transform(stmt, visitor) if i in only else stmt for i, stmt in enumerate(module.body)]
    if all(a is b for a, b in zip(body, module.body)):
        return module
    return module.with_changes(body=body)
