"""Name resolution from the imports a file makes, without LibCST's scope metadata.

LibCST parses at ~16k lines/s but its qualified-name metadata runs at ~2.4k
lines/s, so the engine resolves names itself: every ``import``/``from ... import``
of requests or urllib3 binds a local name to a qualified name, and an
attribute chain whose head is such a name resolves to that qualified name plus
the attributes.  Scopes only say whether a function *shadows* one of those
names (a parameter or local called ``requests`` is never touched).
"""

from __future__ import annotations

import ast
import functools
import re

import libcst as cst
from migrator.engine.visitors import walk

TRACKED_ROOTS = ("requests", "urllib3", "responses", "requests_mock")

# Public aliases that requests re-exports: every spelling maps to one canonical name,
# so codemods match a single name whatever the import said.
_PREFIX_ALIASES = (
    ("requests.packages.urllib3.", "urllib3."),
    ("requests.api.", "requests."),
    ("requests.sessions.session", "requests.session"),
    ("requests.sessions.Session", "requests.Session"),
    ("requests.models.", "requests."),
    ("requests.status_codes.codes", "requests.codes"),
    ("urllib3.util.retry.Retry", "urllib3.Retry"),
    ("urllib3.util.Retry", "urllib3.Retry"),
    ("requests_mock.mock.", "requests_mock.Mocker."),  # ``mock = Mocker`` in requests_mock
    ("requests_mock.mocker.", "requests_mock."),
)
_EXCEPTION_NAMES = frozenset(
    """RequestException HTTPError ConnectionError ProxyError SSLError Timeout ConnectTimeout
    ReadTimeout URLRequired TooManyRedirects MissingSchema InvalidSchema InvalidURL InvalidHeader
    InvalidProxyURL ChunkedEncodingError ContentDecodingError StreamConsumedError RetryError
    UnrewindableBodyError JSONDecodeError InvalidJSONError""".split()
)

# An import statement of a tracked module, from its keyword on.
_IMPORT_STMT = (
    r"(?:from[ \t]+(?:requests|urllib3|responses|requests_mock)\b"
    r"|import[ \t]+[^#\n]*\b(?:requests|urllib3|responses|requests_mock)\b)"
)
# The start of a line, where an import statement can stand: the first line may begin with
# a UTF-8 byte order mark (the bytes are matched before decoding).
LINE_START = rb"^(?:\xef\xbb\xbf)?[ \t]*"
# An import statement after a colon or semicolon: ``try: import requests``, ``x = 1; import requests``.
_INLINE = r"[:;][ \t]*"

# Cheap pre-filter: a file that never imports requests or urllib3 costs one read.
IMPORT_RE = re.compile(
    rb"(?:" + LINE_START + rb"|" + _INLINE.encode() + rb")" + _IMPORT_STMT.encode()
    # requests-mock's pytest fixture is used without any import
    + rb"|\bdef[ \t]+\w+\([^)]*\brequests_mock\b",
    re.M,
)


def imports_requests(data: bytes) -> bool:
    """Does the file import requests (or urllib3, responses, requests_mock)? The words are
    looked for first: a plain substring search is many times faster than the expression,
    and most files of a monorepo contain none of them."""
    return (b"requests" in data or b"urllib3" in data or b"responses" in data) and IMPORT_RE.search(data) is not None


def canonical(qualname: str) -> str:
    for old, new in _PREFIX_ALIASES:
        if qualname == old.rstrip(".") or qualname.startswith(old):
            qualname = new.rstrip(".") + qualname[len(old.rstrip(".")) :]
    if qualname.startswith("requests."):
        head, _, rest = qualname[len("requests.") :].partition(".")
        # requests.exceptions.X is also requests.X: one spelling, the exceptions module's.
        if head in _EXCEPTION_NAMES and not rest:
            return "requests.exceptions." + head
    return qualname


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def head_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _module_name(node: cst.BaseExpression) -> str:
    return dotted(node) or ""


def _is_tracked(module: str) -> bool:
    return module.split(".")[0] in TRACKED_ROOTS


def import_bindings(stmt: cst.Import | cst.ImportFrom) -> dict[str, str]:
    """Local name -> qualified name bound by one import statement (tracked modules only)."""
    out: dict[str, str] = {}
    if isinstance(stmt, cst.Import):
        for alias in stmt.names:
            module = _module_name(alias.name)
            if not _is_tracked(module):
                continue
            if alias.asname is not None:
                out[alias.asname.name.value] = canonical(module)
            else:
                # ``import requests.adapters`` binds ``requests``.
                root = module.split(".")[0]
                out[root] = root
        return out
    if stmt.relative or stmt.module is None:
        return out
    module = _module_name(stmt.module)
    if not _is_tracked(module) or isinstance(stmt.names, cst.ImportStar):
        return out
    for alias in stmt.names:
        name = _module_name(alias.name)
        local = alias.asname.name.value if alias.asname is not None else name
        out[local] = canonical(f"{module}.{name}")
    return out


class ImportTable:
    """The tracked names a module binds through imports, with where they came from."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}

    def add_statement(self, stmt: cst.Import | cst.ImportFrom) -> dict[str, str]:
        found = import_bindings(stmt)
        self.bindings.update(found)
        return found

    def scan_module(self, module: cst.Module) -> None:
        """Top-level imports, including those under ``try``/``if`` at module level."""
        for stmt in _walk_top_level(module.body):
            self.add_statement(stmt)


def _walk_top_level(body):
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield small
        elif isinstance(stmt, (cst.Try, cst.If)):
            blocks = [stmt.body]
            if isinstance(stmt, cst.Try):
                blocks += [h.body for h in stmt.handlers]
                blocks += [b.body for b in (stmt.orelse, stmt.finalbody) if b is not None]
            elif stmt.orelse is not None:
                blocks.append(stmt.orelse.body)
            for block in blocks:
                if isinstance(block, cst.IndentedBlock):
                    yield from _walk_top_level(block.body)
                else:  # ``try: import requests``: the body on the header's line
                    yield from (s for s in block.body if isinstance(s, (cst.Import, cst.ImportFrom)))


_NESTED_SCOPES = frozenset((cst.FunctionDef, cst.ClassDef, cst.Lambda))


class LocalBindings:
    """Names a function (or class body, lambda, comprehension) binds in its own scope.

    Nested functions and classes are not entered: their own names are bound here,
    what they bind inside is theirs. (Order does not matter: a walk that rebuilds no node,
    with a handler per node type, instead of a LibCST visitor.)
    """

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.imports: dict[str, str] = {}
        self.declared_global: set[str] = set()

    @classmethod
    def of(cls, node: cst.CSTNode) -> tuple[set[str], dict[str, str]]:
        """(names bound locally, the tracked ones among them bound by imports)."""
        v = cls()
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            v._params(node.params)
            root = node.body
        elif isinstance(node, cst.ClassDef):
            root = node.body
        else:  # comprehension
            root = node
        handlers = _local_handlers()
        for sub in walk(root, _NESTED_SCOPES):
            handler = handlers.get(type(sub))
            if handler is not None:
                handler(v, sub)
        return v.names - v.declared_global, v.imports

    def _params(self, params: cst.Parameters) -> None:
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.names.add(p.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.names.add(star.name.value)

    def _target(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.names.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for el in node.elements:
                self._target(el.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)  # and not entered (see of)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is None:
                self.names.add(_module_name(alias.name).split(".")[0])
        self.imports.update(import_bindings(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if alias.asname is None:
                    self.names.add(_module_name(alias.name))
        self.imports.update(import_bindings(node))

    def visit_Global(self, node: cst.Global) -> None:
        self.declared_global.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.declared_global.update(n.name.value for n in node.names)


@functools.lru_cache(maxsize=None)
def _local_handlers() -> dict[type, object]:
    """Node type -> LocalBindings' handler for it."""
    return {getattr(cst, a[6:]): getattr(LocalBindings, a) for a in dir(LocalBindings) if a.startswith("visit_")}


_IMPORT_LINE = re.compile(r"^[ \t]*" + _IMPORT_STMT + r"[^\n]*", re.M)
_INLINE_IMPORT = re.compile(_INLINE + _IMPORT_STMT)


def all_import_names(source: str) -> set[str] | None:
    """Names bound anywhere in the file by imports of requests/urllib3, read from the text.

    None when an import cannot be read on its own line (parenthesised over several lines, or
    continued with a backslash, or after a colon or semicolon): then every name must be resolved
    the slow way."""
    if _INLINE_IMPORT.search(source):
        return None
    names: set[str] = set()
    for match in _IMPORT_LINE.finditer(source):
        line = match.group(0).strip()
        if line.endswith(("(", "\\")) or ";" in line:
            return None
        bound = _line_bindings(line)
        if bound is None:
            return None
        names.update(bound)
    return names


@functools.lru_cache(maxsize=4096)
def _line_bindings(line: str) -> frozenset[str] | None:
    """The names one import line binds (cached: the same lines recur across a monorepo)."""
    try:
        stmt = cst.parse_statement(line)
    except cst.ParserSyntaxError:
        return None
    return frozenset(
        name for small in getattr(stmt, "body", ()) if isinstance(small, (cst.Import, cst.ImportFrom))
        for name in import_bindings(small)
    )


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def ast_children(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, at twice its speed (no generators)."""
    out: list[ast.AST] = []
    for field in node._fields:
        value = getattr(node, field, None)
        if value.__class__ is list:
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def ast_walk(root: ast.AST):
    """Every node under ``root`` (root included), like ``ast.walk`` but not in its order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(ast_children(node))


def rebound_names(tree: ast.Module) -> set[str]:
    """Every name the file binds other than by a module-level import (from ``ast``).

    A name outside this set can only mean its module-level import wherever it appears, so
    it is resolved without looking at any function's local bindings."""
    return bindings(tree)[0]


def bindings(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(:func:`rebound_names`, every name the file binds at all), in one walk."""
    out: set[str] = set()
    top_imports: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, nested = stack.pop()
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                out.add(node.id)
        elif isinstance(node, ast.alias):
            # an import inside a function or class rebinds; a module-level one is the binding
            ((out if nested else top_imports)).add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            out.update(node.names)
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                out.add(node.name)
        else:
            name = getattr(node, "name", None)  # def, class, match captures, type parameters
            if isinstance(name, str):
                out.add(name)
            rest = getattr(node, "rest", None)  # ``case {**rest}``
            if isinstance(rest, str):
                out.add(rest)
            names = getattr(node, "names", None)
            if isinstance(names, list) and names and isinstance(names[0], str):
                out.update(names)
        inner = nested or isinstance(node, _SCOPES)
        stack.extend((child, inner) for child in ast_children(node))
    return out, out | top_imports
