"""What decides how a file moves to httpx2 (:mod:`codemods.to_httpx2`), read from its ``ast``: whether it
can move whole, where it names certifi's bundle, which packages it imports are built on httpx."""

from __future__ import annotations

import ast
import functools
import os
import re

from packaging.requirements import InvalidRequirement, Requirement

_CA_NAMES = ("certifi", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def refusal(tree: ast.Module) -> tuple[int, str] | None:
    """(line, why) when the file cannot move to httpx2 whole, else None."""
    respx = aliased = None
    guards = _guard_assignments(tree)
    for node in ast.walk(tree):
        names: list[str] = []
        if id(node) in guards:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "httpx_retries" or alias.name.startswith("httpx_retries."):
                    return node.lineno, "it uses httpx-retries, whose RetryTransport takes httpx's transports only"
                if alias.name == "respx":
                    respx = node.lineno
                is_httpx = alias.name == "httpx" or alias.name.startswith("httpx.")
                if is_httpx and alias.asname:
                    aliased = node.lineno
                bound = alias.asname or alias.name.split(".")[0]
                if bound == "httpx" and not is_httpx or bound == "httpx2" and alias.name.split(".")[0] != "httpx2":
                    names.append(bound)  # (``import httpx2 as httpx``: the rename would break it)
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.module.split(".")[0] == "httpx_retries":
                return node.lineno, "it uses httpx-retries, whose RetryTransport takes httpx's transports only"
            names += [a.asname or a.name for a in node.names]
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names += node.names
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets) \
                and any(isinstance(e, ast.Constant) and e.value == "httpx" for e in getattr(node.value, "elts", ())):
            return node.lineno, "it re-exports the module httpx (__all__): its importers would find httpx2 under another name"
        taken = [n for n in names if n in ("httpx", "httpx2")]
        if taken:
            return getattr(node, "lineno", 1), f"the name {taken[0]!r} is bound here by something other than its import"
    if respx is not None and aliased is not None:
        return aliased, "httpx is imported under an alias in a file that uses respx, whose responses stay httpx's"
    return None


def _guard_assignments(tree: ast.Module) -> set[int]:
    """ids of the names ``httpx = None`` binds in the ``except ImportError:`` of a ``try`` that imports
    httpx (an optional dependency: the name is the module's, or None)."""
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try) or not any(
                isinstance(s, ast.Import) and any(a.name in ("httpx", "httpx2") and not a.asname for a in s.names) for s in node.body):
            continue
        for handler in node.handlers:
            caught = {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)} if handler.type is not None else set()
            if caught & {"ImportError", "ModuleNotFoundError"}:
                out |= {id(t) for s in handler.body if isinstance(s, ast.Assign) for t in s.targets
                        if isinstance(t, ast.Name) and t.id in ("httpx", "httpx2")}
    return out


def ca_mentions(tree: ast.Module) -> list[int]:
    """Lines where the code names certifi or requests' CA bundle variables."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "certifi":
            lines.add(node.lineno)
        elif isinstance(node, ast.alias) and node.name.split(".")[0] == "certifi":
            lines.add(node.lineno)
        elif isinstance(node, ast.Constant) and node.value in _CA_NAMES[1:]:
            lines.add(node.lineno)
    return sorted(lines)


def respx_request_checks(tree: ast.Module) -> list[int]:
    """Lines of ``isinstance(x, httpx.Request)`` (or httpx2's, once moved) in a file that uses respx,
    whose recorded requests are httpx's."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2:
            for n in ast.walk(node.args[1]):
                if isinstance(n, ast.Attribute) and n.attr == "Request" and isinstance(n.value, ast.Name) and n.value.id in ("httpx", "httpx2"):
                    lines.add(node.lineno)
    return sorted(lines)


def respx_side_effects_by_name(tree: ast.Module) -> list[int]:
    """Lines where a respx route's side effect is given by a name that is no function of the module
    (a variable, a parameter): if it holds an httpx2 exception class, respx cannot build it."""
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defined |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}  # (seen, built)
    lines = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "mock"
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("mock", "unittest", "respx"))):
            continue
        for keyword in node.keywords:
            if keyword.arg == "side_effect":
                items = keyword.value.elts if isinstance(keyword.value, (ast.List, ast.Tuple)) else [keyword.value]
                if any(isinstance(item, ast.Name) and item.id not in defined for item in items):
                    lines.add(keyword.value.lineno)
    return sorted(lines)


def httpx_packages(tree: ast.Module, path: str = "") -> list[tuple[int, str, str]]:
    """(line, module, distribution) for each import of a package built on httpx, not httpx2; not
    the project's own packages (a folder or module of that name beside the file or above it)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            dist = _built_on_httpx(module.split(".")[0])
            if dist is not None and not _own_package(module.split(".")[0], path):
                out.append((node.lineno, module, dist))
    return out


def _own_package(top: str, path: str) -> bool:
    return own_module(top, path)


def own_module(dotted: str, path: str) -> bool:
    """Is ``dotted`` (``pkg.httpx``) a module of the project's own, beside the file ``path`` or in
    a folder above it (or its ``src``)?"""
    return _own_module(dotted, os.path.dirname(os.path.abspath(path)) if path else "")


@functools.lru_cache(maxsize=4096)
def _own_module(dotted: str, folder: str) -> bool:
    relative = dotted.replace(".", os.sep)
    while folder:
        for base in (folder, os.path.join(folder, "src")):
            if os.path.isfile(os.path.join(base, relative, "__init__.py")) or os.path.isfile(os.path.join(base, relative + ".py")):
                return True
        parent = os.path.dirname(folder)
        folder = "" if parent == folder else parent
    return False


# packages whose httpx objects the move itself accounts for
_ACCOUNTED = frozenset({"httpx", "httpx2", "respx", "pytest_httpx", "pytest_httpx2", "httpcore", "httpcore2"})


@functools.lru_cache(maxsize=None)
def _built_on_httpx(top: str) -> str | None:
    if top in _ACCOUNTED:
        return None
    from importlib import metadata

    for dist in _distributions().get(top, ()):
        try:
            requires = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        names = set()
        for text in requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is None or "extra" not in str(requirement.marker):  # (an optional extra's: not built on it)
                names.add(re.sub(r"[-_.]+", "-", requirement.name).lower())
        if "httpx" in names and "httpx2" not in names:
            return dist
    return None


@functools.lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    from importlib import metadata

    return metadata.packages_distributions()


_IMPORTS_HTTPX = re.compile(rb"^[ \t]*(?:import[ \t]+[^#\n]*\b(?:httpx|respx|pytest_httpx)\b|from[ \t]+(?:httpx|respx|pytest_httpx)\b)"
                            rb"|\b(?:httpx_mock|respx_mock)\b"
                            rb"|[\"'][\w.]*(?<![\w])httpx\.[\w.]+[\"']", re.M)  # a patch target: "pkg.api.httpx.get"


def imports_httpx(data: bytes) -> bool:
    """Does the file use httpx itself (not httpx2), or its test libraries (respx, pytest-httpx, their
    fixtures: a conftest.py or a test may use them without importing httpx; a patch target naming
    httpx in a dotted path): what ``--from httpx`` moves."""
    return (b"httpx" in data or b"respx" in data) and _IMPORTS_HTTPX.search(data) is not None


def uses_respx(text: str) -> bool:
    return re.search(r"^\s*(?:import\s+respx\b|from\s+respx\b)", text, re.M) is not None
