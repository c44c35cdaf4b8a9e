"""What a module binds and loads, from its ``ast``: the output's checks against its input.

A name the input bound and the output loads but no longer binds means a codemod removed a
definition still in use (the output is never returned then); an import of requests the output
no longer uses goes; names ``__all__`` lists keep their imports; ``from requests import *`` hides
which names a module uses.
"""

from __future__ import annotations

import ast
import builtins
import re

from migrator.engine.names import TRACKED_ROOTS, ast_walk

_STAR_IMPORT_RE = re.compile(r"\bimport[\s\\]*\*")


def star_import(tree: ast.Module, text: str) -> ast.ImportFrom | None:
    """The first ``from requests import *`` (or from another tracked module) in the file."""
    if not _STAR_IMPORT_RE.search(text):
        return None
    stars = [
        node for node in ast_walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level and node.names[0].name == "*"
        and (node.module or "").split(".")[0] in TRACKED_ROOTS
    ]
    return min(stars, key=lambda node: (node.lineno, node.col_offset), default=None)


Names = tuple[set[str], set[str], bool, set[str]]


def names_of(tree: ast.AST) -> Names:
    """(names loaded, names bound anywhere, whether a star import hides bindings, names bound
    by imports of requests and the other tracked modules)."""
    loaded, bound, star, tracked = set(), set(), False, set()
    for node in ast_walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            star |= node.name == "*"
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Import):
            tracked.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] in TRACKED_ROOTS)
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in TRACKED_ROOTS:
            tracked.update(a.asname or a.name for a in node.names if a.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.MatchAs) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return loaded, bound, star, tracked


def lost_bindings(bound_before: set[str] | None, names: Names) -> set[str]:
    """Names the output uses (``names``: :func:`_names` of its tree), that the input bound
    (``names.bindings``) and the output no longer does."""
    loaded, bound_after, star, _ = names
    if star or bound_before is None:
        return set()
    return (loaded - bound_after - set(dir(builtins))) & bound_before


def unused_imports(names: Names, before: ast.Module) -> set[str]:
    """Names that imports of requests (or another tracked module) bind in the output (``names``:
    :func:`_names` of its tree), that nothing there loads while the input did: the engine follows
    each requests reference and drops an import once its last one is rewritten, and these it
    missed. An import the input did not use either stays: it may be a re-export, which
    ``from module import requests`` elsewhere needs."""
    loaded, _, _, tracked = names
    candidates = tracked - loaded
    return candidates & names_of(before)[0] if candidates else set()


def exported(tree: ast.Module) -> set[str]:
    """Names the module re-exports: the strings in its ``__all__ = [...]``, ``+= [...]`` and ``.extend([...])``."""
    out: set[str] = set()
    for stmt in tree.body:
        value = None
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets):
            value = stmt.value
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and isinstance(stmt.target, ast.Name) and stmt.target.id == "__all__":
            value = stmt.value
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
            if isinstance(stmt.value.func.value, ast.Name) and stmt.value.func.value.id == "__all__":
                value = stmt.value
        if value is not None:
            out.update(n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return out
