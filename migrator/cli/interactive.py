"""``migrate -i``: approve the migration a question at a time, like ``git add -p``.

A question covers a **unit** (a session and every hunk it spans, with its findings: answering for it
applies or skips all of them) or a group of **independent changes** (a module function call, an
exception clause; grouped by the function or class they are in, ``s`` splits such a group into its
hunks). Import changes are never asked about: they follow from what is approved.

What is written is the engine's own output for the answers, not hunks put together: the file is
migrated again with the declined units kept on requests (each named by a ``session-kept`` error,
as any kept unit is), then the declined independent changes are left out and the imports made to
match (``requests`` kept while anything uses it, ``httpx`` imported where something does). The
result must compile; when a selection cannot be made consistent, the choice is the whole file or
none of it. Nothing is written for a file until its last question is answered.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, TextIO

import libcst as cst

from codemods._httpx2.tree import DropAlias
from migrator.engine import linediff
from migrator.engine.formatting import format_for_project
from migrator.engine.imports import fix_imports
from migrator.engine.names import import_bindings
from migrator.engine.pipeline import FileResult
from migrator.engine.visitors import Visitor, visit
from migrator.output.diff import colorize

HELP = """\
y - apply this change (a unit: every hunk of it)
n - do not apply it
a - apply this change and every later one in the file
d - do not apply this change nor any later one in the file
s - split a group of independent changes into its hunks (a unit migrates whole: it does not split)
q - quit; write what was approved so far, and nothing else
? - print help
"""


@dataclass
class Hunk:
    opcodes: list[tuple[str, int, int, int, int]]  # the group, with its context
    text: str  # as shown: a unified-diff hunk

    @property
    def changed_old_lines(self) -> tuple[int, int]:
        """The first and last old line its changes touch (an insertion: the line before it)."""
        changes = [op for op in self.opcodes if op[0] != "equal"]
        lo = changes[0][1] + 1 if changes[0][2] > changes[0][1] else max(changes[0][1], 1)
        hi = max(changes[-1][2], lo)
        return lo, hi


def hunks(old: str, new: str) -> list[Hunk]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = []
    for group in linediff.grouped(linediff.opcodes(a, b), 3):
        lines = linediff.hunk_lines(a, b, group)
        out.append(Hunk(group, "".join(line if line.endswith("\n") else line + "\n" for line in lines)))
    return out


def assemble(old: str, new: str, chosen: list[Hunk]) -> str:
    """``old`` with only the chosen hunks' changes applied."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    picked = {tuple(op) for h in chosen for op in h.opcodes if op[0] != "equal"}
    out: list[str] = []
    for op in linediff.opcodes(a, b):
        tag, a1, a2, b1, b2 = op
        out += b[b1:b2] if tuple(op) in picked else a[a1:a2]
    return "".join(out)


def make_consistent(old: str, new: str, partial: str) -> str | None:
    """The partial file with its imports fixed up, or None when it cannot be made to compile."""
    try:
        module = cst.parse_module(partial)
        original = cst.parse_module(old)
        full = cst.parse_module(new)
    except cst.ParserSyntaxError:
        return None
    used = _used_names(module)
    imported = _bound_names(module)
    add = {name for name in ("httpx", "httpx2") if name in used and name not in imported}
    # tracked (requests/urllib3) imports: restore those still needed, drop those the full migration dropped
    restore = [
        stmt for stmt in _tracked_import_lines(original)
        if any(name in used and name not in imported for name in _line_bindings(stmt))
    ]
    still_in_full = _bound_names(full)
    drop = {name for stmt in _tracked_import_lines(module) for name in _line_bindings(stmt)
            if name not in used and name not in still_in_full}
    module = fix_imports(module, drop, add)
    for name in ("httpx", "httpx2"):  # imported for changes that were declined: nothing uses it
        if name in imported and name not in used:
            module = module.visit(DropAlias(name))
    if restore:
        body = list(module.body)
        at = _first_import_index(body)
        while at < len(body) and _is_future_import(body[at]):  # ``from __future__`` stays first
            at += 1
        body[at:at] = [s.with_changes(leading_lines=()) for s in restore]
        module = module.with_changes(body=body)
    code = module.code
    try:
        compile(code, "<partial>", "exec")
    except SyntaxError:
        return None
    return code


class _Names(Visitor):
    def __init__(self) -> None:
        self.used: set[str] = set()
        self.in_import = 0

    def visit_Import(self, node) -> None:
        self.in_import += 1

    def leave_Import(self, node) -> None:
        self.in_import -= 1

    visit_ImportFrom = visit_Import
    leave_ImportFrom = leave_Import

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if not self.in_import:
            self.used.add(node.value)


def _used_names(module: cst.Module) -> set[str]:
    v = _Names()
    visit(module, v)
    return v.used


def _bound_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        names.add(alias.asname.name.value if alias.asname else cst.Module([]).code_for_node(alias.name).split(".")[0])  # type: ignore[union-attr]
                elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        names.add(alias.asname.name.value if alias.asname else cst.Module([]).code_for_node(alias.name))  # type: ignore[union-attr]
    return names


def _tracked_import_lines(module: cst.Module) -> list[cst.SimpleStatementLine]:
    return [
        s for s in module.body
        if isinstance(s, cst.SimpleStatementLine)
        and any(isinstance(x, (cst.Import, cst.ImportFrom)) and import_bindings(x) for x in s.body)
    ]


def _line_bindings(stmt: cst.SimpleStatementLine) -> set[str]:
    return {name for x in stmt.body if isinstance(x, (cst.Import, cst.ImportFrom)) for name in import_bindings(x)}


def _is_future_import(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(x, cst.ImportFrom) and isinstance(x.module, cst.Name) and x.module.value == "__future__" for x in stmt.body)


def _first_import_index(body) -> int:
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(x, (cst.Import, cst.ImportFrom)) for x in stmt.body):
            return i
    return 0


@dataclass
class Question:
    hunks: list[Hunk]
    unit: object | None = None  # codemods._units.UnitInfo
    lines: set[int] = field(default_factory=set)  # old lines it covers (for its findings)

    def prompt(self, path: str) -> str:
        count = f"{len(self.hunks)} hunk{'s' if len(self.hunks) != 1 else ''}"
        if self.unit is not None:
            return f"Migrate {self.unit.label} in {path} ({count}) [y,n,a,d,q,s,?]? "
        return f"Apply this change to {path} ({count}) [y,n,a,d,q,s,?]? "


def questions(result: FileResult, file_hunks: list[Hunk]) -> list[Question]:
    """The file's questions, in the order of their first hunk: one per migrated unit, one per
    function or class holding independent changes; hunks that only change imports are not asked."""
    units = [u for u in result.units if not u.kept]
    groups: dict[object, Question] = {}
    order: list[Question] = []
    enclosing = _top_level_spans(result.old_text)
    for hunk in file_hunks:
        if _imports_only(hunk, result.old_text, result.new_text):
            continue
        lo, hi = _code_lines(hunk, result.old_text)
        unit = next((u for u in units if any(u.on_line(n) for n in range(lo, max(hi, lo) + 1))), None)
        key: object = ("unit", unit.id) if unit is not None else ("in", next((span for span in enclosing if span[0] <= lo <= span[1]), lo))
        if key not in groups:
            groups[key] = Question([], unit)
            order.append(groups[key])
        groups[key].hunks.append(hunk)
        groups[key].lines |= set(range(lo, max(hi, lo) + 1))
    return order


def _code_lines(hunk: Hunk, old: str) -> tuple[int, int]:
    """The first and last old line a hunk changes other than an import (a hunk that joins the
    import block's change to the first code change is asked about with that code)."""
    a = old.splitlines()
    lines = [i + 1 for tag, i1, i2, _, _ in hunk.opcodes if tag != "equal" for i in range(i1, i2)
             if a[i].strip() and not a[i].lstrip().startswith(("import ", "from "))]
    return (min(lines), max(lines)) if lines else hunk.changed_old_lines


def _replaced_code_lines(hunk: Hunk, old: str) -> set[int]:
    """The old lines a hunk replaces or deletes, imports and blank lines aside."""
    a = old.splitlines()
    return {i + 1 for tag, i1, i2, _, _ in hunk.opcodes if tag in ("replace", "delete") for i in range(i1, i2)
            if a[i].strip() and not a[i].lstrip().startswith(("import ", "from "))}


def _top_level_spans(text: str) -> list[tuple[int, int]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [(node.lineno, node.end_lineno or node.lineno) for node in tree.body]


def _imports_only(hunk: Hunk, old: str, new: str) -> bool:
    """Does the hunk change nothing but import lines (and blank lines)?"""
    a, b = old.splitlines(), new.splitlines()
    changed = [a[i] for tag, i1, i2, _, _ in hunk.opcodes if tag != "equal" for i in range(i1, i2)]
    changed += [b[j] for tag, _, _, j1, j2 in hunk.opcodes if tag != "equal" for j in range(j1, j2)]
    return all(not line.strip() or line.lstrip().startswith(("import ", "from ")) for line in changed)


def review(results: list[FileResult], ask: Callable[[str], str], out: TextIO, color: bool,
           rerun: Callable[[FileResult, frozenset, bool], str | None] | None = None, formatting: bool = True,
           stopped: list[bool] | None = None) -> list[tuple[FileResult, str]]:
    """Ask every question; return (file, text to write) for each file with approved changes.
    ``rerun(result, declined units, widen)``: the file migrated with those units kept on requests
    (``widen``: its except clauses catching requests' errors too); ``formatting``: a file put
    together from some changes is formatted as a full run's is; ``stopped``: True is appended to it
    when the person quit (q).

    The files are settled once every question is answered: a unit declined in one file keeps code
    on requests that other files call into, so their narrowed except clauses are widened as a full
    run widens them where a session stays."""
    answered: list[tuple[FileResult, list[Question], list[Question]]] = []
    for result in results:
        if not result.changed:
            continue
        file_hunks = hunks(result.old_text, result.new_text)
        asked = questions(result, file_hunks)
        approved: list[Question] = []
        rest: str | None = None  # "a" or "d" for the rest of this file
        quitting = False
        header = f"--- a/{result.path}\n+++ b/{result.path}\n"
        out.write(colorize(header) if color else header)
        todo = list(asked)
        while todo:
            question = todo.pop(0)
            if rest is not None:
                if rest == "a":
                    approved.append(question)
                continue
            answer = _ask_question(question, result, ask, out, color)
            if answer == "q":
                quitting = True
                break
            if answer == "s":
                todo[:0] = [Question([h], None, set(range(h.changed_old_lines[0], h.changed_old_lines[1] + 1))) for h in question.hunks]
                continue
            if answer in "ad":
                rest = answer
            if answer in "ya":
                approved.append(question)
        if approved:
            answered.append((result, asked, approved))
        if quitting:
            if stopped is not None:
                stopped.append(True)
            break
    # a session stays on requests somewhere: declined, or in a file nothing was approved for (or not reached)
    settled = {id(result) for result, _, _ in answered}
    declined_somewhere = any(q.unit is not None and q not in approved for _, asked, approved in answered for q in asked) or any(
        not u.kept for r in results if r.changed and id(r) not in settled for u in r.units)
    decided: list[tuple[FileResult, str]] = []
    for result, asked, approved in answered:
        text = _settle(result, asked, approved, rerun, ask, out, formatting, widen=declined_somewhere and result.narrowed)
        if text is not None:
            decided.append((result, text))
    return decided


def _ask_question(question: Question, result: FileResult, ask, out: TextIO, color: bool) -> str:
    for hunk in question.hunks:
        out.write(colorize(hunk.text) if color else hunk.text)
    for f in result.findings:
        if f.line in question.lines or question.unit is not None and question.unit.on_line(f.line):
            out.write(f"  {f.severity} [{f.code}] line {f.line}: {f.message}\n")
    while True:
        answer = _ask(ask, question.prompt(result.path), "ynadqs", out)
        if answer == "s" and (question.unit is not None or len(question.hunks) == 1):
            out.write("A unit migrates whole: its hunks cannot be applied apart.\n" if question.unit is not None
                      else "This change is one hunk already.\n")
            continue
        return answer


def _settle(result: FileResult, asked: list[Question], approved: list[Question], rerun, ask, out, formatting: bool = True,
            widen: bool = False) -> str | None:
    every = [h for q in asked for h in q.hunks]
    chosen = [h for q in approved for h in q.hunks]
    if len(chosen) == len(every) and all(q in approved or q.unit is None for q in asked) and not widen:
        return result.new_text
    if result.kind != "code":
        return assemble(result.old_text, result.new_text, chosen)
    declined_units = frozenset(q.unit.id for q in asked if q.unit is not None and q not in approved)
    declined_lines = {n for q in asked if q.unit is None for h in q.hunks if h not in chosen
                      for n in range(h.changed_old_lines[0], h.changed_old_lines[1] + 1)}
    # a declined unit's hunks may show another change beside it (a call on the next line): the
    # person declined what they saw, so the code lines those hunks replace stay too (not the imports
    # and helpers inserted there, which what is approved may need)
    declined_lines |= {n for q in asked if q.unit is not None and q not in approved for h in q.hunks
                       for n in _replaced_code_lines(h, result.old_text)}
    new = result.new_text
    if (declined_units or widen) and rerun is not None:
        positions = frozenset(tuple(map(int, unit_id.split(":"))) for unit_id in declined_units)
        new = rerun(result, positions, widen)  # type: ignore[arg-type]
        if new is None:
            new = result.new_text
    again = hunks(result.old_text, new)
    kept = [h for h in again if not any(declined_lines & set(range(h.changed_old_lines[0], h.changed_old_lines[1] + 1)))]
    if len(kept) == len(again):
        return new if new != result.old_text else None
    partial = make_consistent(result.old_text, new, assemble(result.old_text, new, kept))
    if partial is not None and formatting:
        # formatted and its imports sorted as the full run's are (the project's settings)
        formatted = format_for_project(result.old_text, partial, cst.parse_module(partial).default_indent, result.path)
        partial = formatted if formatted is not None else partial
    if partial is not None:
        return partial if partial != result.old_text else None
    out.write(f"The changes chosen for {result.path} do not make a consistent file on their own.\n")
    answer = _ask(ask, "Apply the whole file or skip it [w,s]? ", "ws", out)
    return result.new_text if answer == "w" else None


def _ask(ask: Callable[[str], str], prompt: str, allowed: str, out: TextIO) -> str:
    while True:
        try:
            answer = ask(prompt).strip().lower()[:1]
        except EOFError:
            return "q" if "q" in allowed else allowed[-1]
        if answer and answer in allowed:
            return answer
        out.write(HELP if "q" in allowed else "w - apply every change of the file\ns - leave the file as it is\n")
