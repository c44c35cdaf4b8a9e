"""Where the move to httpx2 looks and what it inserts: the statements naming what it renames, dotted
names and strings on httpx2, and a module's import block."""

from __future__ import annotations

import re

import libcst as cst

from migrator.engine.names import dotted
from migrator.engine.visitors import Transformer, walk

# the calls whose first argument is a dotted path to patch or import
PATCHERS = frozenset({"patch", "setattr", "delattr", "multiple", "importorskip", "import_module", "find_spec"})
# a string naming httpx's objects: a dotted path (``"pkg.api.httpx.get"``) or a type (``"list[httpx.Client] | None"``)
TYPE_TEXT = re.compile(r"[\w.\[\],|]+")
# the loggers httpx and httpcore log to (httpx2's are "httpx2" and "httpcore2.*")
LOGGERS = re.compile(r"(httpx|httpcore)(\.\w+)*")


def uses_name(body: list, name: str) -> bool:
    """Is ``name`` used by a statement that is not an import?"""
    return any(type(n) is cst.Name and n.value == name for s in body
               if not (isinstance(s, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in s.body))
               for n in walk(s))


def imports_pytest(body: list) -> bool:
    return any(isinstance(s, cst.SimpleStatementLine) and any(
        isinstance(b, cst.Import) and any(dotted(a.name) == "pytest" and a.asname is None for a in b.names) for b in s.body)
        for s in body)


def after_imports(body: list) -> int:
    at = 0
    for i, s in enumerate(body):
        if isinstance(s, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in s.body):
            at = i + 1
    return at


def inserted(body: list, stmt: cst.BaseStatement) -> list:
    """``stmt`` after the last top-level import (the imports' block: isort order is the formatter's)."""
    at = after_imports(body)
    if at < len(body) and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
        return body[:at] + [stmt.with_changes(leading_lines=[cst.EmptyLine(), *stmt.leading_lines])] + body[at:]
    return body[:at] + [stmt] + body[at:]


def moved_path(path: str, own_module=None) -> str:
    """``pkg.api.httpx.get`` -> ``pkg.api.httpx2.get`` (not a project's own ``pkg/httpx.py``)."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "httpx" and (i == 0 or own_module is None or not own_module(".".join(parts[: i + 1]))):
            parts[i] = "httpx2"
    return ".".join(parts)


def with_text(node: cst.SimpleString, change) -> cst.SimpleString:
    """The string with its text changed by ``change`` (prefix and quotes kept)."""
    raw = node.value
    prefix = raw[: len(raw) - len(raw.lstrip("rRbBuU"))]
    quote = raw[len(prefix) : len(prefix) + 3] if raw[len(prefix) : len(prefix) + 3] in ('"""', "'''") else raw[len(prefix)]
    text = raw[len(prefix) + len(quote) : len(raw) - len(quote)]
    return node.with_changes(value=f"{prefix}{quote}{change(text)}{quote}")


class DropAlias(Transformer):
    """Drops ``import <name>`` (unaliased) where it stands beside other names, or alone."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def leave_Import(self, original, updated):
        names = [a for a in updated.names if not (dotted(a.name) == self.name and a.asname is None)]
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=names)


# names whose statements the move transforms (with the names ``from httpx import`` binds)
NAMES = frozenset({"httpx", "httpx_mock", "pytest_httpx", "respx", "respx_mock", "pytest", "mock", "patch", "monkeypatch", "mocker"})


class Scan:
    """One walk over the module: the top-level statements the move must transform (those naming
    httpx, its test libraries or a patcher, or holding a string that says httpx), respx's fixture,
    and aliases of ``patch``."""

    def __init__(self, module: cst.Module, names: frozenset[str] | set[str], may_name=None):
        self.touched: set[int] = set()
        self.fixture = False
        self.patchers: set[str] = set()
        for index, statement in enumerate(module.body):
            if may_name is not None and not may_name(statement):
                continue  # its code names none of them (every alias of patch included: "patch" is one)
            for node in walk(statement):
                kind = type(node)
                if kind is cst.Name:
                    if node.value in names or node.value in self.patchers:
                        self.touched.add(index)
                        self.fixture |= node.value == "respx_mock"
                elif kind is cst.SimpleString:
                    if "httpx" in node.value or "httpcore" in node.value:
                        self.touched.add(index)
                elif kind is cst.ImportFrom and node.module is not None and not isinstance(node.names, cst.ImportStar):
                    if dotted(node.module) in ("unittest.mock", "mock"):
                        self.patchers |= {a.asname.name.value for a in node.names  # type: ignore[union-attr]
                                          if a.asname is not None and dotted(a.name) == "patch"}
                        self.touched.add(index)
        if self.patchers:  # an alias used before its import was seen: look again for it
            self.touched |= {i for i, st in enumerate(module.body)
                             if any(type(n) is cst.Name and n.value in self.patchers for n in walk(st))}


def names_from_httpx(module: cst.Module, everywhere: bool = False) -> dict[str, str]:
    """Local name -> name in httpx, of the module's top-level ``from httpx import ...`` (``everywhere``:
    in functions too: a respx file's ``Response`` imported in a test stays httpx's as well)."""
    out = {}
    smalls = (n for n in walk(module) if isinstance(n, cst.ImportFrom)) if everywhere else (
        small for statement in module.body if isinstance(statement, cst.SimpleStatementLine) for small in statement.body)
    for small in smalls:
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None \
                and dotted(small.module) == "httpx" and not isinstance(small.names, cst.ImportStar):
            for alias in small.names:
                name = dotted(alias.name) or ""
                out[alias.asname.name.value if alias.asname else name] = name  # type: ignore[union-attr]
    return out


def renamed_module(node: cst.BaseExpression, old: str, new: str) -> cst.BaseExpression:
    if isinstance(node, cst.Name):
        return node.with_changes(value=new) if node.value == old else node
    if isinstance(node, cst.Attribute):
        return node.with_changes(value=renamed_module(node.value, old, new))
    return node
