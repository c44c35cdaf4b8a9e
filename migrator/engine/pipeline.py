"""One file through the migration: read, filter, parse once, rewrite, fix imports, verify, format.

Pure with respect to the file system except for reading: what to do with the
result (write, diff, check) is the CLI's business.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import time

import libcst as cst

import codemods
from codemods import auth, catch_all, exceptions
from codemods._mocked_tests import TEST_MOCKS_KEPT, WHOLE_FILE, MockedTests
from codemods._helpers import helpers_at, with_helpers
from codemods._units import UnitPlan, plan_units, unit_findings
from codemods.mock_libraries import mocks_enabled
from codemods.session_subclass import class_problems
from codemods.session_to_client import KEPT, SessionToClient
from migrator.engine import findings as F
from migrator.engine.codegen import generate
from migrator.engine.context import Context
from migrator.project.dependencies import HTTPX_SENDS, features, features_of_bytes
from migrator.engine.engine import Engine
from migrator.engine.findings import Finding, unsuppressed
from migrator.engine.formatting import format_for_project
from migrator.engine import httpx2
from migrator.engine.imports import (
    NESTED_IMPORT_RE, PresenceChecks, existing_module_alias, fix_imports, guard_mirrors_httpx, requests_only_imported,
)
from migrator.lint.rules import imports_httpx, lint_module
from migrator.engine.names import bindings, imports_requests
from migrator.engine.options import Options
from migrator.engine.output_names import exported, lost_bindings, names_of, star_import, unused_imports
from migrator.engine.relevance import skippable
from migrator.engine.sourcefile import SourceText, decode
from migrator.engine.visitors import transform, walk

# A file can hold a session only if one of these words is in it; others skip the units' analysis.
_MAY_HOLD_SESSIONS = re.compile(r"[Ss]ession")
_MOCKS = re.compile(r"responses|requests_mock")
# requests names through which code sends requests: code still using one after the migration
# keeps its tests' mocks on requests' mock libraries (migrator/project/test_reach.py)
_SENDERS = frozenset({"requests.Session", "requests.session", "requests.request", *(f"requests.{v}" for v in ("get", "post", "put", "patch", "delete", "head", "options"))})
# Runs of the codemods over one file: the first, and one more for each unit an error keeps
# (several at once in practice); a bound, not a goal.
_MAX_RUNS = 8



@dataclasses.dataclass
class SourceResult:
    code: str
    findings: list[Finding]
    original: str
    suppressed: int = 0  # statements and findings silenced by ``# requests2httpx: ignore``
    sends: bool = True  # the output still sends requests through requests (a session, requests.get...)
    sessions: tuple[int, int] = (0, 0)  # units (codemods._units) migrated, kept on requests
    narrowed: bool = False  # except clauses now catch httpx's errors alone (requests' left none here)
    units: tuple = ()  # codemods._units.UnitInfo: each session unit, migrated or kept

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
    # what the final text means for the package's dependencies (migrator.project.dependencies.features)
    features: frozenset[str] = frozenset()
    sends: bool = False  # it still sends requests through requests (SourceResult.sends)
    sessions: tuple[int, int] = (0, 0)  # SourceResult.sessions
    narrowed: bool = False  # SourceResult.narrowed
    moved: bool = False  # the migration made code here send requests through httpx
    units: tuple = ()  # SourceResult.units

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.original


def _finding(code: F.Code, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(code.code, code.severity, path, line, column, message, code.fix, "engine")


def migrate_source(text: str, path: str, options: Options, timings: dict[str, float] | None = None,
                   declined: frozenset[tuple[int, int]] = frozenset()) -> SourceResult:
    """Migrate one module's source; never raises for bad input or a failing codemod.

    ``timings``: seconds per step are added to it (bench/phases.py). ``declined``: the units (by the
    line and column where their session is made) kept on requests because a person said no.
    """
    if options.source == "httpx":  # code already on httpx moves to httpx2: that step alone
        return httpx2.move_source(text, path, options)
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
    star = star_import(before, text)
    if star is not None:
        message = f"'from {star.module} import *' hides which {star.module} names this module uses: nothing in the file was migrated"
        return SourceResult(text, [_finding(F.STAR_IMPORT, path, message, star.lineno, star.col_offset + 1)], text)
    refusal = httpx2.refused(options, before, path, "requests")
    if refusal is not None:
        return SourceResult(text, unsuppressed([refusal], text)[0], text)
    try:
        rebound, bound_before = bindings(before)
        alias = existing_module_alias(module, "httpx")
        ctx = Context(module, path, options, alias, source=text)
        plan = UnitPlan.empty()
        if _MAY_HOLD_SESSIONS.search(text):
            plan = plan_units(before, ctx.scopes[0].imports, class_problems(ctx, module))
            plan.decline(declined)
        skip: set[int] = set()
        if options.skip_unrelated and ctx.import_names is not None:
            # requests_mock: the pytest fixture's name, bound by no import
            skip = skippable(module, before, ctx.import_names | {"requests_mock"} | plan.names(), text)
        lap("analysis (ast, names, units, relevance)")
        tests = MockedTests(before if _MOCKS.search(text) and mocks_enabled(options, path) else None)
        kept_nodes: dict[int, str] = {}
        for run in range(_MAX_RUNS):  # again only when an error fell on a unit it migrated
            if run:
                ctx = Context(module, path, options, alias, source=text)
            ctx.unit_plan, ctx.mocked_tests, ctx.kept_nodes, ctx.rebound, ctx.skip = plan, tests, kept_nodes, rebound, skip
            ctx.session_class_kept = plan.any_kept  # requests objects stay here: annotations type nothing
            run_ = _run_codemods(ctx, module, before, text, lap)
            code, found, suppressed = run_.code, run_.found, run_.suppressed
            more = {k: why for k, why in ctx.keep_next.items() if k not in kept_nodes}
            kept_nodes.update(more)
            more_units = plan.keep_for(found)
            if not tests.keep_for(found) and not more_units and not more:
                break
        else:  # the last run's output may hold a unit the plan has since kept: never ship that
            raise RuntimeError(f"what stays on requests was still changing after {_MAX_RUNS} runs")
        if "httpx" in text and imports_httpx(text.encode("utf-8", "replace")):
            # httpx code already in the file (a partly migrated one): its residuals, on the same tree
            linted, silenced = unsuppressed(lint_module(module, path), text)
            found, suppressed = _merged(found, linted), suppressed + silenced
            lap("lint of the httpx code")
        if tests.kept:
            found = [f for f in found if not (f.code == "requests-unmigrated" and tests.covers(f.line))]
            found = sorted(found + tests.findings(path, TEST_MOCKS_KEPT), key=Finding.sort_key)
            if WHOLE_FILE in tests.kept:  # mocks shared by the file's tests stay: so does all of it
                code = text
        if plan.any_kept:
            # a kept unit's lines stay requests code: its one finding says why, line by line
            kept = plan.kept_units()
            found = [f for f in found if not (f.code == "requests-unmigrated" and any(u.on_line(f.line) for u in kept))]
            units, silenced = unsuppressed(unit_findings(plan, path, text, KEPT, SessionToClient.name), text)
            suppressed += silenced
            found = sorted(found + units, key=Finding.sort_key)
        tree = None
        if code != text:
            final, fixed = run_.final, run_.fixed
            if guard_mirrors_httpx(fixed) and requests_only_imported(before):
                # ``if requests is None`` beside httpx in one optional-import guard: the same check, on httpx
                final, fixed = transform(final, PresenceChecks()), transform(fixed, PresenceChecks())
                code, _ = generate(fixed, run_.generated)
            # CPython's parser and compiler are the judges (what LibCST can read, it wrote)
            tree = ast.parse(code, path)
            names = names_of(tree)
            missed = unused_imports(names, before) - run_.exported
            if missed:  # the references missed an import's last use (see output_names)
                fixed = fix_imports(final, run_.unused() | missed, run_.add)
                code, _ = generate(fixed, run_.generated)
                tree = ast.parse(code, path)
            lost = lost_bindings(bound_before, names)
            if lost:  # a codemod removed a definition something still uses: never ship that
                raise RuntimeError(f"the migration would leave {', '.join(sorted(lost))} undefined")
            if options.target == "httpx2":  # the httpx code, checked above, moves to httpx2: once, at the end
                code, _ = generate(httpx2.finished(options, fixed, text, run_.generated, path), run_.generated)
                tree = ast.parse(code, path)
            compile(tree, path, "exec")
        lap("verification (ast, compile)")
    except httpx2.NotMovable as exc:
        return SourceResult(text, unsuppressed([httpx2.not_moved(path, f"the file stays on requests: {exc}")], text)[0], text)
    except Exception as exc:  # a codemod bug must not stop the run nor reach the disk
        return SourceResult(text, [_finding(F.INTERNAL_ERROR, path, f"{type(exc).__name__}: {exc}")], text)
    if options.target == "httpx2":  # (on a later run too, where the file no longer changes)
        moved, silenced = httpx2.target_findings(before, path, text, "requests") if code != text else httpx2.lasting_findings(text, path, before)
        found, suppressed = sorted(httpx2.spoken(found, options) + moved, key=Finding.sort_key), suppressed + silenced
    if code != text and options.format:
        formatted = format_for_project(text, code, module.default_indent, path, tree=tree)
        if formatted is None:
            found.append(_finding(F.FORMAT_SKIPPED, path, "touched lines left unformatted"))
        else:
            code = formatted
        lap("black")
    sends = any(q in _SENDERS or q.startswith("requests.Session.") for q in ctx.surviving_quals)
    kept_units = len(plan.kept_units())
    narrowed = bool(ctx.exception_swaps) and not ctx.exceptions_paired
    return SourceResult(code, found, text, suppressed, sends, (len(plan.units) - kept_units, kept_units), narrowed, plan.described())


@dataclasses.dataclass
class _Run:
    """One traversal of every codemod over a module, and what the import fix-up made of it."""

    ctx: Context
    final: cst.Module
    add: set[str]
    exported: set[str]  # names __all__ lists: their imports stay
    code: str = ""
    fixed: cst.Module | None = None  # the tree ``code`` was generated from
    generated: object = None
    found: list[Finding] = dataclasses.field(default_factory=list)
    suppressed: int = 0

    def unused(self) -> set[str]:
        """Imported names the rewritten code no longer uses: their imports go."""
        return self.ctx.referenced_heads - self.ctx.surviving_heads - self.exported


def _run_codemods(ctx: Context, module: cst.Module, before: ast.Module, text: str, lap: "_Laps") -> _Run:
    options = ctx.options
    engine = Engine(ctx, [cls() for cls in codemods.selected(options.select, options.ignore)])
    final = transform(module, engine, engine.inert)
    if ctx.helpers:
        final = final.with_changes(body=with_helpers(final.body, ctx.helpers, helpers_at(final.body, ctx.httpx_alias), ctx.httpx_alias, options.target))
    lap("traversal (all codemods)")
    add = {m for m in ctx.required_imports if not _imports_module(module, m, ctx.httpx_alias)}
    run = _Run(ctx, final, add, exported(before) if "__all__" in text else set())
    drop = run.unused()
    nested = NESTED_IMPORT_RE.search(text) is not None
    run.fixed = fix_imports(final, drop, add, nested)
    run.code, run.generated = generate(run.fixed)
    # Imports are fixed first so the output is generated once in the common case: the
    # survivors check reads only non-import lines, which fixing imports leaves alone.
    if catch_all.survivors(ctx, final, run.code) or ctx.options.requests_stays and ctx.exception_swaps:
        run.final, changed = _where_requests_stays(ctx, final, add)
        if changed or run.unused() != drop:
            run.fixed = fix_imports(run.final, run.unused(), add, nested)
            run.code, _ = generate(run.fixed, run.generated)
    lap("imports, codegen, survivors")
    found = ctx.resolve_findings()
    lap("finding positions")
    run.found, silenced = unsuppressed(found, text)
    run.suppressed = ctx.suppressed_statements + silenced
    return run


def _where_requests_stays(ctx: Context, final: cst.Module, add: set[str]) -> tuple[cst.Module, bool]:
    """``final`` where requests code stays in the file: it raises requests' exceptions (a swapped
    class catches those too) and takes requests' auth classes (kept there). Only the top-level
    statements holding a swap are looked at. Updates the names whose imports stay, and ``add``;
    True when ``final`` changed."""
    if not ctx.swap_tops or not (ctx.options.requests_stays or any(q.startswith("requests.") for q in ctx.surviving_quals)):
        return final, False
    tops = {id(ctx.top_updated.get(t)) for t in ctx.swap_tops}
    only: set[int] | None = {i for i, stmt in enumerate(final.body) if id(stmt) in tops}
    if len(only) != len(ctx.swap_tops):  # a module-level rewrite moved one: look everywhere
        only = None
    changed = False
    if ctx.exception_swaps:
        final, heads = exceptions.keep_requests_exceptions(final, ctx.exception_swaps, only)
        ctx.surviving_heads |= heads
        ctx.exceptions_paired = changed = True
    if ctx.auth_swaps:
        final, heads = auth.keep_requests_auth(final, ctx.auth_swaps, ctx.surviving_ids, only)
        if heads:
            ctx.surviving_heads |= heads
            changed = True
            if "httpx" in add and not any(type(n) is cst.Name and n.value == ctx.httpx_alias for n in walk(final)):
                add.discard("httpx")  # httpx was there for those auth classes only
    return final, changed


# ``import *``, also continued over a line (a quick test of the text before the tree is searched)


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
    if result.changed:  # did the migration itself make code send through httpx? (not httpx code already there)
        result.moved = len(HTTPX_SENDS.findall(result.new_text)) > len(HTTPX_SENDS.findall(result.old_text))
    return result


def _migrate_bytes(data: bytes, shown: str, options: Options) -> FileResult:
    if options.source == "httpx":
        if not httpx2.imports_httpx(data):
            # (on httpx2 already, a later run: what its move left to check; not lint, which the move does not run)
            return _lint_only(data, shown, lint=False) if imports_httpx(data) else FileResult(shown, data, None, [], skipped=True)
    elif not imports_requests(data):
        if imports_httpx(data):  # httpx code already: its pitfalls and residuals are reported too
            return _lint_only(data, shown)
        return FileResult(shown, data, None, [], skipped=True)
    try:
        source: SourceText = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileResult(shown, data, None, [_finding(F.PARSE_ERROR, shown, f"cannot decode: {exc}")], sends=True)
    result = migrate_source(source.text, shown, options)
    if result.code == source.text:
        return FileResult(shown, data, None, result.findings, suppressed=result.suppressed, sends=result.sends, sessions=result.sessions, narrowed=result.narrowed, units=result.units)
    try:
        new = source.encode(result.code)
    except UnicodeEncodeError as exc:
        return FileResult(shown, data, None, [_finding(F.INTERNAL_ERROR, shown, f"cannot re-encode: {exc}")])
    return FileResult(shown, data, new, result.findings, old_text=source.text, new_text=result.code, suppressed=result.suppressed, sends=result.sends, sessions=result.sessions, narrowed=result.narrowed, units=result.units)


def _lint_only(data: bytes, shown: str, lint: bool = True) -> FileResult:
    try:
        text = decode(data).text
        module = cst.parse_module(text)
    except (SyntaxError, UnicodeDecodeError, LookupError, cst.ParserSyntaxError):
        return FileResult(shown, data, None, [], skipped=True)
    try:
        found, silenced = unsuppressed(lint_module(module, shown), text) if lint else ([], 0)
        lasting, more = httpx2.lasting_findings(text, shown)  # code on httpx2 already: what its move left to check
        found, silenced = sorted(found + lasting, key=Finding.sort_key), silenced + more
    except Exception as exc:  # a lint bug must not stop the run
        found, silenced = [_finding(F.INTERNAL_ERROR, shown, f"lint: {type(exc).__name__}: {exc}")], 0
    return FileResult(shown, data, None, found, skipped=True, suppressed=silenced)
