"""Which statements a file's codemods can possibly care about, found without LibCST.

A statement can only matter if it names something imported from requests (or urllib3,
responses, requests_mock), or a name bound by a statement that matters (a session, a response,
a function returning one, a class built on requests, ...): a fixpoint over names, computed with
``ast`` (C-fast) and, for the words each statement mentions, a regular expression over its
lines. The engine does not descend into the other statements, which is where most of
a large file's lines are. Granularity: top-level statements, and the statements directly in the
body of each class or function that matters (nested functions too). Disabled (everything
visited) when the file's imports cannot all be read.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from migrator.engine.names import ast_children, ast_walk

_WORD = re.compile(r"\w+")

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _bound_names(node: ast.AST, memo: dict[int, frozenset[str]]) -> set[str]:
    """Names a statement makes visible to other statements: its own name (def/class), names it
    stores at its own level, names declared global, and attributes it stores (``self.session``)."""
    if isinstance(node, _DEFS):
        return {node.name} | _deep(node, memo)
    return _collect([node], memo, own_level=True)


def _deep(node: ast.AST, memo: dict[int, frozenset[str]]) -> frozenset[str]:
    """Attributes stored and names declared global anywhere inside a def, class or lambda
    (memoised: the fixpoint asks again for the functions of a class it splits)."""
    if id(node) not in memo:
        memo[id(node)] = frozenset(_collect(ast_children(node), memo, own_level=False))
    return memo[id(node)]


def _collect(todo: list[ast.AST], memo: dict[int, frozenset[str]], own_level: bool) -> set[str]:
    """Attributes stored and names declared global under ``todo`` (nested scopes through
    :func:`_deep`); with ``own_level``, also the names bound at the statement's own level."""
    out: set[str] = set()
    stack = list(todo)
    while stack:
        sub = stack.pop()
        if isinstance(sub, (*_DEFS, ast.Lambda)):
            if own_level and isinstance(sub, _DEFS):
                out.add(sub.name)
            out |= _deep(sub, memo)
            continue
        if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
            out.add(sub.attr)
        elif isinstance(sub, ast.Global):
            out.update(sub.names)
        elif own_level:
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                out.add(sub.id)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                out.add(sub.name)
            elif isinstance(sub, ast.alias):
                out.add((sub.asname or sub.name).split(".")[0])
        stack.extend(ast_children(sub))
    return out


def _identifiers(nodes: list[ast.AST], memo: dict[int, frozenset[str]] | None = None) -> set[str]:
    """Names and attribute names the nodes mention. With ``memo``, a function's or class's
    set is built from its statements' (memoised: the fixpoint judges those again, one by one)."""
    out: set[str] = set()
    if memo is not None:
        for node in nodes:
            if isinstance(node, _DEFS):
                if id(node) not in memo:
                    head = [n for field, value in ast.iter_fields(node) if field != "body" for n in (value if isinstance(value, list) else [value]) if isinstance(n, ast.AST)]
                    memo[id(node)] = frozenset(_identifiers(head).union(*(_identifiers([b], memo) for b in node.body)))
                out |= memo[id(node)]
            else:
                out |= _identifiers([node])
        return out
    for node in nodes:
        for sub in ast_walk(node):
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


class _Words:
    """Every word on a statement's lines: a superset of the identifiers it mentions (strings
    and comments add words, statements sharing a line add each other's), read by a regular
    expression instead of a walk of the tree. A superset only makes more statements matter."""

    def __init__(self, source: str):
        self.lines = source.splitlines(keepends=True)

    def __call__(self, nodes: list[ast.AST], memo: object = None) -> set[str]:
        first = min(min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", ())]) for n in nodes)  # type: ignore[attr-defined]
        last = max(n.end_lineno or n.lineno for n in nodes)  # type: ignore[attr-defined]
        return set(_WORD.findall("".join(self.lines[first - 1 : last])))


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


def skippable(module: cst.Module, tree: ast.Module | None, names: set[str] | None, source: str | None = None) -> set[int]:
    """ids of LibCST statements that no codemod can act on (empty set: visit everything).

    ``tree``: the same source parsed by ``ast`` (None when ``ast`` cannot read it);
    ``source``: its text, when given, is read for the words each statement mentions (unless
    it has non-ASCII identifiers, which ``ast`` normalises).
    """
    if not names or tree is None:
        return set()
    identifiers = _Words(source) if source is not None and source.isascii() else _identifiers
    units: list[tuple[cst.CSTNode, list[ast.stmt]]] = []
    top = _pairs(module.body, tree.body)
    if top is None:
        return set()
    units += top
    tokens = set(names)
    relevant: set[int] = set()
    used: dict[int, set[str]] = {}  # identifiers each unit mentions (names and attributes; not strings)
    memo: dict[int, frozenset[str]] = {}  # the same for every function and class, built bottom-up
    deep: dict[int, frozenset[str]] = {}  # see _deep
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
                used[id(stmt)] = identifiers(nodes, memo)
            if not (used[id(stmt)] & tokens):
                continue
            relevant.add(id(stmt))
            changed = True
            for node in nodes:
                tokens |= _bound_names(node, deep)
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)) and isinstance(stmt.body, cst.IndentedBlock):
                inner = _pairs(stmt.body.body, nodes[0].body)  # type: ignore[attr-defined]
                if inner is None:
                    return set()
                units += inner  # the class's or function's own statements are judged one by one
                if isinstance(nodes[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
                    params += _params(nodes[0].args)
                # a decorator that matters (requests_mock's Mocker) may hand the function, or each
                # method of the class, an argument: its parameters matter throughout the body
                if _identifiers(nodes[0].decorator_list) & tokens:  # type: ignore[attr-defined]
                    methods = [n for n in nodes[0].body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]  # type: ignore[attr-defined]
                    for function in methods if isinstance(stmt, cst.ClassDef) else nodes:
                        # (not self or cls: every statement of the class would matter)
                        tokens |= {name for name, _ in _params(function.args)} - {"self", "cls"}  # type: ignore[attr-defined]
                if isinstance(stmt, cst.ClassDef):  # class attributes configure what the class becomes
                    relevant.update(id(s) for s, n in inner if isinstance(s, cst.SimpleStatementLine))
    return {id(stmt) for stmt, _ in units if id(stmt) not in relevant}
