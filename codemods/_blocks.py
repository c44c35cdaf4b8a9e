"""Statement-level helpers: the shape of simple assignments, and wrapping a name's life in ``with``.

A client or a streamed response whose whole life is a run of statements in one block, used only
through its attributes, can be given a ``with`` block around exactly those statements.
"""

from __future__ import annotations

import libcst as cst
from migrator.engine.visitors import Visitor, children, visit


def simple_assign(stmt: cst.CSTNode) -> tuple[cst.BaseExpression | None, cst.BaseExpression | None]:
    if (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Assign)
        and len(stmt.body[0].targets) == 1
    ):
        return stmt.body[0].targets[0].target, stmt.body[0].value
    return None, None


class _Uses:
    """How a name is used in a statement: only as ``name.attr`` (safe), or otherwise."""

    def __init__(self) -> None:
        self.attr_uses = 0
        self.other_uses = 0


_CLOSURES = frozenset((cst.FunctionDef, cst.Lambda, cst.ClassDef))  # they outlive the block


def _uses(stmt: cst.CSTNode, name: str) -> _Uses:
    uses = _Uses()
    todo: list[tuple[cst.CSTNode, bool]] = [(stmt, False)]  # (node, inside a closure)
    while todo:
        node, nested = todo.pop()
        kind = type(node)
        if kind is cst.Attribute:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is cst.Name and value.value == name:
                if nested:
                    uses.other_uses += 1
                else:
                    uses.attr_uses += 1
            else:
                todo.append((value, nested))  # not node.attr: ``x.s`` is no use of ``s``
        elif kind is cst.Name:
            if node.value == name:  # type: ignore[attr-defined]
                uses.other_uses += 1
        elif kind is cst.Call and _reads_first(node, name):
            # ``_requests_text(name)``: the tool's helpers only read the response, like name.attr
            uses.other_uses += 1 if nested else 0
            uses.attr_uses += 0 if nested else 1
            todo.extend((arg.value, nested) for arg in node.args[1:])  # type: ignore[attr-defined]
        else:
            nested = nested or kind in _CLOSURES
            todo.extend((child, nested) for child in children(node))
    return uses


def region_end(body: list, i: int, name: str) -> int | None:
    """The index of the last statement after ``body[i]`` that uses ``name``, when every use of
    ``name`` outside ``body[i]`` is ``name.attr`` in the statements that follow it; else None."""
    last = None
    for k, stmt in enumerate(body):
        if k == i:
            continue
        use = _uses(stmt, name)
        if not (use.attr_uses or use.other_uses):
            continue
        if k < i or use.other_uses:
            return None  # used before, rebound, or escaping: not a one-block life
        last = k
    return last


def wrap_in_with(body: list, i: int, name: str) -> list | None:
    """``body`` with ``body[i]`` (``name = <context manager>``) turned into a with block around
    the statements that use ``name``; a final ``name.close()`` is dropped. None when ``name``
    escapes or is used before (see ``region_end``)."""
    last = region_end(body, i, name)
    if last is None:
        return None
    region = body[i + 1 : last + 1]
    if is_close_call(region[-1], name) and len(region) > 1:
        region = region[:-1]
    line = body[i]
    assign = line.body[0]
    with_node = cst.With(
        items=[cst.WithItem(item=assign.value, asname=cst.AsName(name=cst.Name(name)))],
        body=cst.IndentedBlock(body=region, header=line.trailing_whitespace),
        leading_lines=line.leading_lines,
    )
    return body[:i] + [with_node] + body[last + 1 :]


def is_close_call(stmt: cst.CSTNode, name: str) -> bool:
    """``name.close()`` (or ``await name.aclose()``) alone on its line."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
        return False
    call = stmt.body[0].value
    if isinstance(call, cst.Await):
        call = call.expression
    return (
        isinstance(call, cst.Call)
        and not call.args
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value in ("close", "aclose")
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value == name
    )


class _AttributeUses(Visitor):
    """Checks every use of ``name``: only ``name.attr`` counts, and ``allowed(frames, attr)`` says
    whether it may stand where it does (``frames``: for each enclosing function or lambda inside
    the visited node, whether it is a coroutine)."""

    def __init__(self, name: str, allowed, skip: cst.CSTNode | None = None):
        self.name, self.allowed, self.skip, self.ok = name, allowed, skip, True
        self.frames: list[bool] = []

    def visit_SimpleStatementLine(self, node) -> bool:
        return node is not self.skip

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append(node.asynchronous is not None)

    def leave_FunctionDef(self, node) -> None:
        self.frames.pop()

    def visit_Lambda(self, node) -> None:
        self.frames.append(False)

    def leave_Lambda(self, node) -> None:
        self.frames.pop()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.ok &= self.allowed(self.frames, node.attr.value)
            return False
        visit(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.ok = False


def only_direct_attribute_uses(stmt: cst.CSTNode, name: str) -> bool:
    """``name`` appears in ``stmt`` only as ``name.attr``, outside nested functions (a with
    statement's own item aside: only its body is checked)."""
    visitor = _AttributeUses(name, lambda frames, attr: not frames)
    visit(stmt.body if isinstance(stmt, cst.With) else stmt, visitor)
    return visitor.ok


def only_used_in_coroutines(module: cst.Module, creation: cst.CSTNode, name: str) -> bool:
    """Every use of a module-level ``name`` (but its creation) is ``name.attr`` directly inside an
    ``async def``, and none is ``close()`` (which only a coroutine could await)."""
    visitor = _AttributeUses(name, lambda frames, attr: bool(frames) and frames[-1] and attr != "close", skip=creation)
    visit(module, visitor)
    return visitor.ok


def _reads_first(call: cst.Call, name: str) -> bool:
    """``_requests_*(name, ...)``: a helper the tool wrote (``codemods._helpers``) given ``name``."""
    from codemods._helpers import NAMES

    func, args = call.func, call.args
    return (type(func) is cst.Name and func.value in NAMES and bool(args) and type(args[0].value) is cst.Name
            and args[0].value.value == name)
