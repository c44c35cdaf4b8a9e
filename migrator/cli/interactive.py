"""``migrate -i``: approve the migration hunk by hunk, like ``git add -p``.

A file assembled from some of its hunks is made consistent before it is written: the import
fix-up runs again (httpx imported when an approved hunk uses it, requests imports kept while
anything still uses them, dropped where the full migration dropped them), and the result must
compile. When a partial selection cannot be made consistent, the user chooses the whole file or
none of it. Nothing is written for a file until its last hunk is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

import libcst as cst

from migrator.engine import linediff
from migrator.engine.imports import fix_imports
from migrator.engine.names import import_bindings
from migrator.engine.pipeline import FileResult
from migrator.engine.visitors import Visitor, visit
from migrator.output.diff import colorize

HELP = """\
y - apply this hunk
n - do not apply this hunk
a - apply this hunk and all later hunks in the file
d - do not apply this hunk or any later hunk in the file
q - quit; write what was approved so far, and nothing else
? - print help
"""


@dataclass
class Hunk:
    opcodes: list[tuple[str, int, int, int, int]]  # the group, with its context
    text: str  # as shown: a unified-diff hunk

    @property
    def old_lines(self) -> tuple[int, int]:
        return self.opcodes[0][1] + 1, self.opcodes[-1][2]


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
    if restore:
        body = list(module.body)
        at = _first_import_index(body)
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


def _first_import_index(body) -> int:
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(x, (cst.Import, cst.ImportFrom)) for x in stmt.body):
            return i
    return 0


class Quit(Exception):
    pass


def review(results: list[FileResult], ask: Callable[[str], str], out: TextIO, color: bool) -> list[tuple[FileResult, str]]:
    """Ask about every hunk; return (file, text to write) for each file with approved hunks."""
    decided: list[tuple[FileResult, str]] = []
    for result in results:
        if not result.changed:
            continue
        file_hunks = hunks(result.old_text, result.new_text)
        chosen: list[Hunk] = []
        rest: str | None = None  # "a" or "d" for the rest of this file
        quitting = False
        header = f"--- a/{result.path}\n+++ b/{result.path}\n"
        out.write(colorize(header) if color else header)
        for hunk in file_hunks:
            if rest is None:
                out.write(colorize(hunk.text) if color else hunk.text)
                lo, hi = hunk.old_lines
                for f in result.findings:
                    if lo <= f.line <= max(hi, lo):
                        out.write(f"  {f.severity} [{f.code}] line {f.line}: {f.message}\n")
                answer = _ask(ask, f"Apply this hunk to {result.path} [y,n,a,d,q,?]? ", "ynadq", out)
                if answer == "q":
                    quitting = True
                    break
                if answer in "ad":
                    rest = answer
                if answer in "ya":
                    chosen.append(hunk)
            elif rest == "a":
                chosen.append(hunk)
        text = _settle(result, file_hunks, chosen, ask, out)
        if text is not None:
            decided.append((result, text))
        if quitting:
            break
    return decided


def _settle(result: FileResult, all_hunks, chosen, ask, out) -> str | None:
    if not chosen:
        return None
    if len(chosen) == len(all_hunks):
        return result.new_text
    if result.kind != "code":
        return assemble(result.old_text, result.new_text, chosen)
    partial = make_consistent(result.old_text, result.new_text, assemble(result.old_text, result.new_text, chosen))
    if partial is not None:
        return partial
    out.write(f"The hunks chosen for {result.path} do not make a consistent file on their own.\n")
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
        out.write(HELP if "q" in allowed else "w - apply every hunk of the file\ns - leave the file as it is\n")
