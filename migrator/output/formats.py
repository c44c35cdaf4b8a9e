"""Machine-readable outputs: SARIF 2.1.0 for code scanning, GitHub workflow annotations."""

from __future__ import annotations

import json

from migrator import __version__
from migrator.engine.findings import Code
from migrator.engine.pipeline import FileResult

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
PENDING = Code(
    "pending-migration",
    "error",
    "This file still has requests code that migrate would rewrite",
    "A CI drift check (migrate --check) found code the codemods would change: requests code came back, "
    "or the file was never migrated.",
    "Run migrate on the file (or mark lines that must keep requests with '# requests2httpx: ignore').",
)
DOCS_URL = "https://github.com/requests2httpx/requests2httpx/blob/main/docs/codes/{code}.md"


def _pending(results: list[FileResult], with_pending: bool) -> list[FileResult]:
    return [r for r in results if with_pending and r.changed]


def sarif(results: list[FileResult], with_pending: bool) -> str:
    findings = [f for r in results for f in r.findings]
    pending = _pending(results, with_pending)
    codes = sorted({f.code for f in findings} | ({PENDING.code} if pending else set()))
    rules = []
    for code in codes:
        meta = Code.registry.get(code, PENDING)
        rules.append({
            "id": code,
            "name": code,
            "shortDescription": {"text": meta.title},
            "fullDescription": {"text": meta.why},
            "help": {"text": meta.fix},
            "helpUri": DOCS_URL.format(code=code),
            "defaultConfiguration": {"level": _SARIF_LEVEL[meta.severity]},
        })
    index = {code: i for i, code in enumerate(codes)}

    def result(code: str, level: str, message: str, path: str, line: int, column: int) -> dict:
        return {
            "ruleId": code,
            "ruleIndex": index[code],
            "level": _SARIF_LEVEL[level],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": path.replace("\\", "/")},
                    "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
                }
            }],
        }

    out = [result(f.code, f.severity, f"{f.message}. {f.hint}".strip(), f.path, f.line, f.column) for f in findings]
    out += [result(PENDING.code, "error", PENDING.title, r.path, 1, 1) for r in pending]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "requests2httpx",
                "version": __version__,
                "informationUri": "https://github.com/requests2httpx/requests2httpx",
                "rules": rules,
            }},
            "results": out,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (data, and properties which also escape , and :)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(results: list[FileResult], with_pending: bool) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for r in results:
        for f in r.findings:
            lines.append(
                f"::{level[f.severity]} file={_escape(f.path, True)},line={f.line},col={f.column},"
                f"title={_escape(f.code, True)}::{_escape(f.message + '. ' + f.hint)}"
            )
    for r in _pending(results, with_pending):
        lines.append(f"::error file={_escape(r.path, True)},line=1,title=pending-migration::{_escape(PENDING.title)}")
    return "".join(line + "\n" for line in lines)
