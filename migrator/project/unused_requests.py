"""Imports of requests that nothing uses once the run is over: removed, so the package can drop it.

## What it does
Removes the imports of requests (``import requests``, ``from requests import Session``) that
nothing in their file uses once the run is over: an import the file did not use before either
(left behind by an earlier edit), which the engine keeps since, on its own, it cannot tell it from
a re-export. The package's dependency files then drop requests too, once no file imports it.

## Why
An unused import keeps the whole package depending on requests: the migration would be done, and
the dependency would stay for nothing. The runner sees every file of the run, so it can tell an
unused import from a re-export another file of the run relies on.

## When it reports instead of rewriting
The import stays when another file of the run imports the name from this module
(``from pkg.api import requests``), a test patches it there (``mock.patch("pkg.api.requests")``),
``__all__`` lists it, its line says ``# noqa``, or the file mentions the name anywhere else (a
string, a comment, a docstring). A package's ``__init__.py`` keeps it too, with an info finding
(``requests-import-unused``): its imports are the package's public names, and who imports them from
outside the run cannot be seen.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from migrator.engine.findings import Code, Finding
from migrator.engine.formatting import format_for_project
from migrator.engine.imports import fix_imports
from migrator.engine.output_names import exported
from migrator.engine.sourcefile import decode
from migrator.project.dependencies import features
from migrator.project.test_reach import module_key

UNUSED_KEPT = Code(
    "requests-import-unused",
    "info",
    "A package's __init__.py imports requests but does not use it",
    "Nothing in the run uses this import, but an ``__init__.py`` defines its package's public names: "
    "code outside the run may import it from there (``from pkg import Session``). It was left, and "
    "the package keeps its dependency on requests while it stays.",
    "If nothing outside imports it from the package, delete the import; then run the tool again to "
    "drop requests from the package's dependencies.",
)


def remove_unused(results, reach, patch_targets: set[str]) -> None:
    """Remove, in each file of ``results`` that still imports requests, the requests imports nothing
    uses (``reach``: which modules import which names; ``patch_targets``: the dotted targets tests
    patch, ``pkg.api.requests.get``)."""
    for result in results:
        if result is None or result.kind != "code" or "requests" not in result.features or not result.path.endswith(".py"):
            continue
        if result.sends:
            continue  # it still sends requests through requests: its import is used (no need to read it again)
        text = result.new_text if result.changed else _read(result.path)
        if text is None:
            continue
        names = unused_names(text)
        if not names:
            continue
        key = module_key(result.path)
        dotted = key.replace("/", ".")
        names = {n for n in names if not reach.imports_name(key, n)
                 and not any(t == f"{dotted}.{n}" or t.startswith(f"{dotted}.{n}.") for t in patch_targets)}
        if not names:
            continue
        if result.path.replace("\\", "/").endswith("__init__.py"):
            line = _line_of(text, min(names))
            result.findings.append(Finding(UNUSED_KEPT.code, UNUSED_KEPT.severity, result.path, line, 1,
                                           f"{', '.join(sorted(names))} is imported from requests and not used here; "
                                           "an __init__.py may re-export it, so it stays", UNUSED_KEPT.fix, "engine"))
            continue
        try:
            _rewrite(result, text, names)
        except Exception:  # a bug here must not stop the run: the import stays, as the engine left it
            continue


def unused_names(text: str) -> set[str]:
    """Names that top-level imports of requests bind and that the module mentions nowhere else."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    bound: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            bound.update({(a.asname or a.name.split(".")[0]): node for a in node.names if a.name.split(".")[0] == "requests"})
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "requests":
            bound.update({(a.asname or a.name): node for a in node.names if a.name != "*"})
    if not bound:
        return set()
    import_lines = {line for node in set(bound.values()) for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)}
    lines = text.splitlines()
    if any("noqa" in lines[number - 1] for number in import_lines):
        return set()  # kept on purpose (a re-export, an import for its side effects)
    rest = "\n".join(line for number, line in enumerate(lines, 1) if number not in import_lines)
    listed = exported(tree) if "__all__" in text else set()
    return {name for name in bound if name not in listed and not re.search(rf"\b{re.escape(name)}\b", rest)}


def _rewrite(result, text: str, names: set[str]) -> None:
    module = cst.parse_module(text)
    new_text = fix_imports(module, names, []).code
    if new_text == text:
        return
    if not new_text.strip():
        new_text = ""  # a module that only imported requests
    formatted = format_for_project(text, new_text, module.default_indent, result.path)
    new_text = formatted if formatted is not None else new_text
    source = decode(result.original) if result.original else None
    if not result.changed:
        data = open(result.path, "rb").read()
        source = decode(data)
        result.original, result.old_text = data, source.text
    result.new, result.new_text = source.encode(new_text), new_text  # type: ignore[union-attr]
    result.skipped = False
    result.features = features(new_text)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return decode(fh.read()).text
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _line_of(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*(import|from)\s+requests\b.*\b{re.escape(name)}\b", line) or re.match(rf"\s*import\s+{re.escape(name)}\b", line):
            return number
    return 1
