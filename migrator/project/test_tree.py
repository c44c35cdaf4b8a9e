"""Small questions about a test module's LibCST tree, for :mod:`migrator.project.patch_follow`."""

from __future__ import annotations

import ast
import builtins

import libcst as cst

from migrator.engine.names import dotted


def patcher(call: cst.Call, imported: dict[str, str]) -> str:
    """The dotted name of what ``call`` calls, an alias resolved (``p`` of ``from unittest.mock
    import patch as p`` -> ``unittest.mock.patch``)."""
    name = dotted(call.func) or ""
    head, _, rest = name.partition(".")
    full = imported.get(head)
    return f"{full}.{rest}" if full and rest else full or name


def injects(node: cst.BaseExpression, imported: dict[str, str]) -> bool:
    """A patch decorator that hands the test a mock (not one given ``new``, by keyword, position or
    a ``**{...}`` literal)."""
    if not isinstance(node, cst.Call):
        return False
    name = patcher(node, imported)
    given = 1 if name.endswith("patch") else 2 if name.endswith("patch.object") else None
    if given is None:
        return False
    spread = [e for a in node.args if a.star == "**" and isinstance(a.value, cst.Dict) for e in a.value.elements]
    keys = {a.keyword.value for a in node.args if a.keyword} | {e.key.evaluated_value for e in spread
                                                                 if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)}
    return len([a for a in node.args if a.keyword is None and not a.star]) <= given and "new" not in keys


def returns(function: cst.FunctionDef) -> list[cst.BaseExpression]:
    """What ``function`` returns, if every return statement returns a value."""
    found: list[cst.Return] = []

    class Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

    function.visit(Returns())
    return [r.value for r in found] if found and all(r.value is not None for r in found) else []


def builtin_exception(node: cst.BaseExpression) -> bool:
    """``ValueError`` or ``ValueError("boom")``: a built-in exception."""
    if isinstance(node, cst.Call):
        node = node.func
    found = getattr(builtins, node.value, None) if isinstance(node, cst.Name) else None
    return isinstance(found, type) and issubclass(found, BaseException)


def strings(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            value = string.evaluated_value
            found.append(value if isinstance(value, str) else "")

        def visit_Param(self, param: cst.Param) -> None:
            found.append(param.name.value)

    node.visit(Strings())
    return found


def defs(node: cst.CSTNode) -> list[cst.FunctionDef]:
    found: list[cst.FunctionDef] = []

    class Defs(cst.CSTVisitor):
        def visit_FunctionDef(self, function: cst.FunctionDef) -> None:
            if function is not node:
                found.append(function)

    node.visit(Defs())
    return found


def key(subscript: cst.Subscript) -> int | None:
    """``x[0]`` -> 0: a subscript by one int literal, else None."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    value = subscript.slice[0].slice.value
    try:
        return int(value.value, 0) if isinstance(value, cst.Integer) else None
    except ValueError:  # 00
        return None


def bool_literal(node: cst.BaseExpression) -> bool | None:
    return {"True": True, "False": False}.get(node.value) if isinstance(node, cst.Name) else None


def calls(body: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    body.visit(Calls())
    return found


def names(body: cst.CSTNode, name: str) -> list[cst.Name]:
    """The uses of ``name`` under ``body``."""
    return [n for n in used_names(body) if n.value == name]


def names_in(node: cst.CSTNode) -> set[str]:
    """The names ``node`` uses."""
    return {n.value for n in used_names(node)}


def used_names(node: cst.CSTNode) -> list[cst.Name]:
    """Names used under ``node``: not attributes' own names (``x.get`` is no use of ``get``),
    keywords' names or parameters."""
    found: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

        def visit_Param(self, param: cst.Param) -> bool:
            return False

        def visit_Import(self, statement: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, statement: cst.ImportFrom) -> bool:
            return False

    node.visit(Names())
    return found


def assigns(body: cst.CSTNode, name: str) -> list[cst.Assign]:
    found: list[cst.Assign] = []

    class Assigns(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                found.append(node)

    body.visit(Assigns())
    return found


def imported_modules(tree: ast.Module) -> dict[str, str]:
    """Local name -> the module it is (``from pkg import api`` -> ``api``: ``pkg.api``), for a
    parsed file."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            out.update({a.asname: a.name for a in node.names if a.asname})
            out.update({a.name: a.name for a in node.names if not a.asname and "." not in a.name})
    return out
