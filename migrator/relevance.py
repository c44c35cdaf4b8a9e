"""Which statements a file's codemods can possibly care about, found without LibCST.

A statement can only matter if it names something imported from requests (or urllib3,
responses, requests_mock), or a name bound by a statement that matters (a session, a response,
a function returning one, a class built on requests, ...): a fixpoint over names, computed with
``ast`` (C-fast). The engine does not descend into the other statements, which is where most of
a large file's lines are. Granularity: top-level statements, and the statements directly in the
body of each class or function that matters (nested functions too). Disabled (everything
visited) when the file's imports cannot all be read.
"""

from __future__ import annotations

import ast

import libcst as cst


def _bound_names(node: ast.AST) -> set[str]:
    """Names a statement makes visible to other statements: its own name (def/class), names it
    stores at its own level, names declared global, and attributes it stores (``self.session``)."""
    out: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.add(node.name)
    todo = list(ast.iter_child_nodes(node)) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) else [node]
    nested = False
    stack = [(n, isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))) for n in todo]
    while stack:
        sub, nested = stack.pop()
        if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
            out.add(sub.attr)
        elif isinstance(sub, ast.Global):
            out.update(sub.names)
        elif not nested:
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                out.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(sub.name)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                out.add(sub.name)
            elif isinstance(sub, ast.alias):
                out.add((sub.asname or sub.name).split(".")[0])
        inner = nested or isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
        stack.extend((child, inner) for child in ast.iter_child_nodes(sub))
    return out


def _identifiers(nodes: list[ast.stmt]) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                out.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                out.add(sub.attr)
            elif isinstance(sub, ast.alias):
                out.add(sub.name.split(".")[0])
                if sub.asname:
                    out.add(sub.asname)
            elif isinstance(sub, ast.ImportFrom) and sub.module:
                out.add(sub.module.split(".")[0])
    return out


def _params(args: ast.arguments) -> list[tuple[str, set[str]]]:
    """(name, identifiers in its annotation and default) of each parameter."""
    plain = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(plain) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(plain, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    pairs += [(a, None) for a in (args.vararg, args.kwarg) if a is not None]
    out = []
    for arg, default in pairs:
        parts = [n for n in (arg.annotation, default) if n is not None]
        out.append((arg.arg, _identifiers(parts)))  # type: ignore[arg-type]
    return out


def _pairs(cst_body, ast_body) -> list[tuple[cst.CSTNode, list[ast.stmt]]] | None:
    """LibCST statements with their ast statements (a line ``a = 1; b = 2`` is one and two)."""
    out, k = [], 0
    for stmt in cst_body:
        n = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        if k + n > len(ast_body):
            return None
        out.append((stmt, ast_body[k : k + n]))
        k += n
    return out if k == len(ast_body) else None


def skippable(module: cst.Module, tree: ast.Module | None, names: set[str] | None) -> set[int]:
    """ids of LibCST statements that no codemod can act on (empty set: visit everything).

    ``tree``: the same source parsed by ``ast`` (None when ``ast`` cannot read it).
    """
    if not names or tree is None:
        return set()
    units: list[tuple[cst.CSTNode, list[ast.stmt]]] = []
    top = _pairs(module.body, tree.body)
    if top is None:
        return set()
    units += top
    tokens = set(names)
    relevant: set[int] = set()
    used: dict[int, set[str]] = {}  # identifiers each unit mentions (names and attributes; not strings)
    # parameters of split functions, with the identifiers of their annotation and default:
    # one annotated ``requests.Response`` makes the name a response throughout the body
    params: list[tuple[str, set[str]]] = []
    changed = True
    while changed:
        changed = False
        for name, mentions in list(params):
            if name not in tokens and mentions & tokens:
                tokens.add(name)
                changed = True
        for stmt, nodes in list(units):
            if id(stmt) in relevant:
                continue
            if id(stmt) not in used:
                used[id(stmt)] = _identifiers(nodes)
            if not (used[id(stmt)] & tokens):
                continue
            relevant.add(id(stmt))
            changed = True
            for node in nodes:
                tokens |= _bound_names(node)
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)) and isinstance(stmt.body, cst.IndentedBlock):
                inner = _pairs(stmt.body.body, nodes[0].body)  # type: ignore[attr-defined]
                if inner is None:
                    return set()
                units += inner  # the class's or function's own statements are judged one by one
                if isinstance(nodes[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
                    params += _params(nodes[0].args)
                if isinstance(stmt, cst.ClassDef):  # class attributes configure what the class becomes
                    relevant.update(id(s) for s, n in inner if isinstance(s, cst.SimpleStatementLine))
    return {id(stmt) for stmt, _ in units if id(stmt) not in relevant}
