"""One file through the migration: read, filter, parse once, rewrite, fix imports, verify, format.

Pure with respect to the file system except for reading: what to do with the
result (write, diff, check) is the CLI's business.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import sys
import time

import libcst as cst

import codemods
from codemods import auth, catch_all, exceptions
from migrator import findings as F
from migrator.codegen import generate
from migrator.context import Context
from migrator.dependencies import features, features_of_bytes
from migrator.engine import Engine, unsuppressed
from migrator.findings import Finding
from migrator.formatting import format_touched
from migrator.imports import NESTED_IMPORT_RE, existing_module_alias, fix_imports
from migrator.lint import imports_httpx, lint_module
from migrator.names import ast_walk, bindings, imports_requests
from migrator.relevance import skippable
from migrator.options import Options
from migrator.sourcefile import SourceText, decode
from migrator.visitors import transform, walk



@dataclasses.dataclass
class SourceResult:
    code: str
    findings: list[Finding]
    original: str
    suppressed: int = 0  # statements and findings silenced by ``# requests2httpx: ignore``

    @property
    def changed(self) -> bool:
        return self.original != self.code


@dataclasses.dataclass
class FileResult:
    path: str
    original: bytes
    new: bytes | None  # None: unchanged
    findings: list[Finding]
    skipped: bool = False  # never imported requests: one read, nothing more
    suppressed: int = 0
    kind: str = "code"  # or "dependencies" (requirements, pyproject.toml, setup.cfg, setup.py)
    old_text: str = ""  # decoded texts, for the diff, when the file changes
    new_text: str = ""
    # what the final text means for the package's dependencies (migrator.dependencies.features)
    features: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.original


def _finding(code: F.Code, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(code.code, code.severity, path, line, column, message, code.fix, "engine")


def migrate_source(text: str, path: str, options: Options, timings: dict[str, float] | None = None) -> SourceResult:
    """Migrate one module's source; never raises for bad input or a failing codemod.

    ``timings``: seconds per step are added to it (bench/phases.py).
    """
    lap = _Laps(timings)
    try:
        module = cst.parse_module(text)
        lap("parse")
    except cst.ParserSyntaxError as exc:
        return SourceResult(text, [_finding(F.PARSE_ERROR, path, f"cannot parse: {exc.message}", exc.raw_line, exc.raw_column + 1)], text)
    try:
        before = ast.parse(text, path)
    except (SyntaxError, ValueError) as exc:
        # LibCST reads it, CPython does not: syntax newer than the running Python. Its compiler
        # is the judge of every output (below), so the file is left as it is.
        version = ".".join(map(str, sys.version_info[:2]))
        where = getattr(exc, "lineno", None) or 1
        message = f"Python {version}, which runs the tool, cannot compile this file ({getattr(exc, 'msg', exc)}, line {where}): run the tool under the Python the code targets"
        return SourceResult(text, [_finding(F.PARSE_ERROR, path, message, where)], text)
    try:
        ctx = Context(module, path, options, existing_module_alias(module, "httpx"), source=text)
        ctx.rebound, bound_before = bindings(before)
        if options.skip_unrelated:
            # requests_mock: the pytest fixture's name, bound by no import
            ctx.skip = skippable(module, before, (ctx.import_names or set()) | {"requests_mock"} if ctx.import_names is not None else None, text)
        engine = Engine(ctx, [cls() for cls in codemods.selected(options.select, options.ignore)])
        lap("analysis (ast, names, relevance)")
        final = transform(module, engine, engine.inert)
        lap("traversal (all codemods)")
        add = {m for m in ctx.required_imports if not _imports_module(module, m, ctx.httpx_alias)}
        drop = ctx.referenced_heads - ctx.surviving_heads
        nested = NESTED_IMPORT_RE.search(text) is not None
        code, generated = generate(fix_imports(final, drop, add, nested))
        # Imports are fixed first so the output is generated once in the common case: the
        # survivors check reads only non-import lines, which fixing imports leaves alone.
        if catch_all.survivors(ctx, final, code):
            final, changed = _where_requests_stays(ctx, final, add)
            if changed or ctx.referenced_heads - ctx.surviving_heads != drop:
                code, _ = generate(fix_imports(final, ctx.referenced_heads - ctx.surviving_heads, add, nested), generated)
        lap("imports, codegen, survivors")
        found = ctx.resolve_findings()
        lap("finding positions")
        if "httpx" in text and imports_httpx(text.encode("utf-8", "replace")):
            # httpx code already in the file (a partly migrated one): its residuals, on the same tree
            found = _merged(found, lint_module(module, path))
            lap("lint of the httpx code")
        found, silenced = unsuppressed(found, text)
        suppressed = ctx.suppressed_statements + silenced
        tree = None
        if code != text:
            # CPython's parser and compiler are the judges (what LibCST can read, it wrote)
            tree = ast.parse(code, path)
            compile(tree, path, "exec")
            lost = lost_bindings(bound_before, tree)
            if lost:  # a codemod removed a definition something still uses: never ship that
                raise RuntimeError(f"the migration would leave {', '.join(sorted(lost))} undefined")
        lap("verification (ast, compile)")
    except Exception as exc:  # a codemod bug must not stop the run nor reach the disk
        return SourceResult(text, [_finding(F.INTERNAL_ERROR, path, f"{type(exc).__name__}: {exc}")], text)
    if code != text and options.format:
        formatted = format_touched(text, code, module.default_indent, tree=tree)
        if formatted is None:
            found.append(_finding(F.FORMAT_SKIPPED, path, "touched lines left unformatted"))
        else:
            code = formatted
        lap("black")
    return SourceResult(code, found, text, suppressed)


def _where_requests_stays(ctx: Context, final: cst.Module, add: set[str]) -> tuple[cst.Module, bool]:
    """``final`` where requests code stays in the file: it raises requests' exceptions (a swapped
    class catches those too) and takes requests' auth classes (kept there). Only the top-level
    statements holding a swap are looked at. Updates the names whose imports stay, and ``add``;
    True when ``final`` changed."""
    if not ctx.swap_tops or not any(q.startswith("requests.") for q in ctx.surviving_quals):
        return final, False
    tops = {id(ctx.top_updated.get(t)) for t in ctx.swap_tops}
    only: set[int] | None = {i for i, stmt in enumerate(final.body) if id(stmt) in tops}
    if len(only) != len(ctx.swap_tops):  # a module-level rewrite moved one: look everywhere
        only = None
    changed = False
    if ctx.exception_swaps:
        final, heads = exceptions.keep_requests_exceptions(final, ctx.exception_swaps, only)
        ctx.surviving_heads |= heads
        changed = True
    if ctx.auth_swaps:
        final, heads = auth.keep_requests_auth(final, ctx.auth_swaps, ctx.surviving_ids, only)
        if heads:
            ctx.surviving_heads |= heads
            changed = True
            if "httpx" in add and not any(type(n) is cst.Name and n.value == ctx.httpx_alias for n in walk(final)):
                add.discard("httpx")  # httpx was there for those auth classes only
    return final, changed


class _Laps:
    """Adds the time since the last lap to ``timings[step]`` (nothing when timings is None)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[step] = self.timings.get(step, 0.0) + now - self.last
            self.last = now


def _names(tree: ast.AST) -> tuple[set[str], set[str], bool]:
    """(names loaded, names bound anywhere, whether a star import hides bindings)."""
    loaded, bound, star = set(), set(), False
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
    return loaded, bound, star


def lost_bindings(bound_before: set[str] | None, after: ast.AST) -> set[str]:
    """Names the output (its tree) uses, that the input bound (``names.bindings``) and the
    output no longer does."""
    loaded, bound_after, star = _names(after)
    if star or bound_before is None:
        return set()
    return (loaded - bound_after - set(dir(builtins))) & bound_before


def _merged(found: list[Finding], linted: list[Finding]) -> list[Finding]:
    """The migration's findings and the lint's, a lint finding at a line and code the migration
    reports already left out."""
    seen = {(f.line, f.code) for f in found}
    return sorted(found + [f for f in linted if (f.line, f.code) not in seen], key=Finding.sort_key)


def _imports_module(module: cst.Module, name: str, httpx_alias: str) -> bool:
    if name == "httpx":
        return existing_module_alias(module, "httpx") is not None
    return existing_module_alias(module, name) == name


def migrate_file(path: str, options: Options, display_path: str | None = None) -> FileResult:
    with open(path, "rb") as fh:
        data = fh.read()
    return migrate_bytes(data, display_path or path, options)


def migrate_bytes(data: bytes, shown: str, options: Options) -> FileResult:
    result = _migrate_bytes(data, shown, options)
    result.features = features(result.new_text) if result.changed else features_of_bytes(data)
    return result


def _migrate_bytes(data: bytes, shown: str, options: Options) -> FileResult:
    if not imports_requests(data):
        if imports_httpx(data):  # httpx code already: its pitfalls and residuals are reported too
            return _lint_only(data, shown)
        return FileResult(shown, data, None, [], skipped=True)
    try:
        source: SourceText = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileResult(shown, data, None, [_finding(F.PARSE_ERROR, shown, f"cannot decode: {exc}")])
    result = migrate_source(source.text, shown, options)
    if result.code == source.text:
        return FileResult(shown, data, None, result.findings, suppressed=result.suppressed)
    try:
        new = source.encode(result.code)
    except UnicodeEncodeError as exc:
        return FileResult(shown, data, None, [_finding(F.INTERNAL_ERROR, shown, f"cannot re-encode: {exc}")])
    return FileResult(shown, data, new, result.findings, old_text=source.text, new_text=result.code, suppressed=result.suppressed)


def _lint_only(data: bytes, shown: str) -> FileResult:
    try:
        text = decode(data).text
        module = cst.parse_module(text)
    except (SyntaxError, UnicodeDecodeError, LookupError, cst.ParserSyntaxError):
        return FileResult(shown, data, None, [], skipped=True)
    try:
        found, silenced = unsuppressed(lint_module(module, shown), text)
    except Exception as exc:  # a lint bug must not stop the run
        found, silenced = [_finding(F.INTERNAL_ERROR, shown, f"lint: {type(exc).__name__}: {exc}")], 0
    return FileResult(shown, data, None, found, skipped=True, suppressed=silenced)
