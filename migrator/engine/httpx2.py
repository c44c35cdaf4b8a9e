"""The httpx2 target in the pipeline: the last step of a migration (``--target httpx2``), and the
only one when code already on httpx moves (``--from httpx --target httpx2``).

The rename itself is :mod:`codemods.to_httpx2`; here it is applied to a run's final tree, its
findings are placed on the file's lines, and the other codemods' findings are made to speak of
httpx2.
"""

from __future__ import annotations

import ast

import libcst as cst

from codemods import to_httpx2
from codemods._httpx2 import checks
from migrator.engine.codegen import generate
from migrator.engine.findings import Code, Finding, unsuppressed
from migrator.engine.formatting import format_for_project
from migrator.engine.imports import existing_module_alias
from migrator.engine.options import Options

_NAME = to_httpx2.ToHttpx2.name
NotMovable = to_httpx2.NotMovable
imports_httpx = checks.imports_httpx


def not_moved(path: str, message: str, line: int = 1) -> Finding:
    return _finding(to_httpx2.NOT_MOVED, path, line, message)


def finished(options: Options, tree: cst.Module, source: str, generated: dict | None = None, path: str = "") -> cst.Module:
    """The run's final tree, on the target library. ``generated``: the code of its statements, where
    known (:func:`migrator.engine.codegen.generate`), so that those naming no httpx are passed by."""
    if options.target != "httpx2":
        return tree
    respx = checks.uses_respx(source) or existing_module_alias(tree, "respx") is not None

    def text_of(statement) -> str | None:
        known = generated.get(id(statement)) if generated else None
        return "".join(known[1]) if known is not None and known[0] is statement else None

    return to_httpx2.retarget(tree, respx, text_of, lambda name: checks.own_module(name, path))


def refused(options: Options, before: ast.Module, path: str, stays_on: str) -> Finding | None:
    if options.target != "httpx2":
        return None
    why = checks.refusal(before)
    if why is None:
        return None
    line, reason = why
    return _finding(to_httpx2.NOT_MOVED, path, line, f"the file stays on {stays_on}: {reason}")


def target_findings(before: ast.Module, path: str, text: str, moved_from: str | None) -> tuple[list[Finding], int]:
    """What moving this file to httpx2 asks the reader to check (``before``: the file as read), and
    how many of those ``# requests2httpx: ignore`` silenced. ``moved_from`` None: the file is on
    httpx2 already (a later run): what still needs a person's eye, without the once-only info."""
    found = []
    if moved_from is not None:
        first = _first_import(before, moved_from)
        found.append(_finding(to_httpx2.TRUST_STORE, path, first,
                              "httpx2 verifies TLS certificates against the system's trust store; "
                              f"{'requests' if moved_from == 'requests' else 'httpx'} used certifi's bundle"))
    for line in checks.ca_mentions(before):
        found.append(_finding(to_httpx2.TRUST_STORE, path, line,
                              "certifi's bundle or requests' CA variables are named here: httpx2 trusts the "
                              "system's store by default, and reads SSL_CERT_FILE, not REQUESTS_CA_BUNDLE", "warning"))
    for line, module, dist in checks.httpx_packages(before, path):
        found.append(_finding(to_httpx2.HTTPX_PACKAGE, path, line,
                              f"{module} ({dist}) is built on httpx, not httpx2: the clients, responses and "
                              "exceptions it takes or gives are httpx's classes"))
    if checks.uses_respx(text):
        for line in checks.respx_request_checks(before):
            found.append(_finding(to_httpx2.HTTPX_PACKAGE, path, line,
                                  "respx records httpx.Request objects: a check against httpx2.Request is False for them"))
        for line in checks.respx_side_effects_by_name(before):
            found.append(_finding(to_httpx2.RESPX_SIDE_EFFECT, path, line,
                                  "this side effect is given by name: if it holds an httpx2 exception class, respx calls it "
                                  "without the message it needs (TypeError); give it built, exc(\"Mock Error\")"))
    return unsuppressed(found, text)


def lasting_findings(text: str, path: str, tree: ast.Module | None = None) -> tuple[list[Finding], int]:
    """A later run over a file on httpx2: the warnings its move gave, as long as their cause is there
    (``tree``: ``text`` parsed already)."""
    if "httpx2" not in text:
        return [], 0
    if tree is None:
        try:
            tree = ast.parse(text, path)
        except (SyntaxError, ValueError):
            return [], 0
    if _first_import(tree, "httpx2") == 0:
        return [], 0
    return target_findings(tree, path, text, None)


def spoken(findings: list[Finding], options: Options) -> list[Finding]:
    """Findings of the other codemods, naming httpx2 where they name httpx (``--target httpx2``)."""
    if options.target != "httpx2":
        return findings
    out = []
    for f in findings:
        if f.codemod == _NAME:
            out.append(f)
            continue
        out.append(Finding(f.code, f.severity, f.path, f.line, f.column, to_httpx2.speak(f.message), to_httpx2.speak(f.hint), f.codemod))
    return out


def moved_to_httpx2(text: str) -> str:
    """``text`` (code the tool wrote for httpx, which can move) on httpx2."""
    from codemods._helpers import VARIANTS

    for httpx_text, httpx2_text in VARIANTS.values():  # the tool's helpers, as written for httpx2
        text = text.replace(httpx_text, httpx2_text)
    module = cst.parse_module(text)
    return generate(to_httpx2.retarget(module, checks.uses_respx(text)))[0]


def move_source(text: str, path: str, options: Options):
    """``--from httpx``: the file's httpx code moved to httpx2 (its requests code, if any, stays)."""
    from migrator.engine.pipeline import SourceResult, _finding as engine_finding
    from migrator.engine import findings as F

    try:
        module = cst.parse_module(text)
        before = ast.parse(text, path)
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as exc:
        return SourceResult(text, [engine_finding(F.PARSE_ERROR, path, f"cannot parse: {exc}")], text)
    refusal = refused(options, before, path, "httpx")
    if refusal is not None:
        return SourceResult(text, unsuppressed([refusal], text)[0], text, sends=False)
    try:
        code, _ = generate(finished(options, module, text, path=path))
        if code == text:
            return SourceResult(text, [], text, sends=False)
        compile(ast.parse(code, path), path, "exec")
    except NotMovable as exc:
        return SourceResult(text, unsuppressed([not_moved(path, f"the file stays on httpx: {exc}")], text)[0], text, sends=False)
    except Exception as exc:  # a bug must not stop the run nor reach the disk
        return SourceResult(text, [engine_finding(F.INTERNAL_ERROR, path, f"{type(exc).__name__}: {exc}")], text)
    found, silenced = target_findings(before, path, text, "httpx")
    if options.format:
        formatted = format_for_project(text, code, module.default_indent, path)
        if formatted is None:
            found.append(engine_finding(F.FORMAT_SKIPPED, path, "touched lines left unformatted"))
        else:
            code = formatted
    return SourceResult(code, sorted(found, key=Finding.sort_key), text, silenced, sends=False)


def _first_import(tree: ast.Module, module: str) -> int:
    lines = [node.lineno for node in ast.walk(tree) if (
        isinstance(node, ast.Import) and any(a.name.split(".")[0] == module for a in node.names)
        or isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == module)]
    return min(lines, default=1 if module != "httpx2" else 0)


def _finding(code: Code, path: str, line: int, message: str, severity: str | None = None) -> Finding:
    return Finding(code.code, severity or code.severity, path, line, 1, message, code.fix, _NAME)
