"""The residual-issues report: JSON for machines, a short summary for people."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from migrator import __version__
from migrator.engine.findings import SEVERITIES, Finding
from migrator.engine.pipeline import FileResult
from migrator.project import packages

REPORT_VERSION = 1


def summary(results: list[FileResult]) -> dict:
    findings = [f for r in results for f in r.findings]
    by_sev = Counter(f.severity for f in findings)
    code = [r for r in results if r.kind == "code"]
    return {
        "files_scanned": len(code),
        "files_using_requests": sum(1 for r in code if not r.skipped),
        "files_changed": sum(1 for r in code if r.changed),
        "dependency_files_changed": sum(1 for r in results if r.kind == "dependencies" and r.changed),
        "findings": {sev: by_sev.get(sev, 0) for sev in SEVERITIES},
        "codes": dict(sorted(Counter(f.code for f in findings).items())),
        "suppressed": sum(r.suppressed for r in results),
        "symlinks_skipped": sum(1 for r in results if r.kind == "symlink"),
        # requests.Session units (a session and all it reaches): migrated whole, or kept whole
        "sessions": {"migrated": sum(r.sessions[0] for r in code), "kept": sum(r.sessions[1] for r in code)},
    }


def as_json(results: list[FileResult]) -> str:
    doc = {
        "version": REPORT_VERSION,
        "tool": {"name": "requests2httpx", "version": __version__},
        "files": [
            {"path": r.path, "kind": r.kind, "changed": r.changed, "findings": len(r.findings),
             # the session units, as migrate -i asks about them: id (line:column where the session is made)
             "units": [{"id": u.id, "label": u.label, "kept": u.kept} for u in r.units]}
            for r in results
            if not r.skipped
        ],
        "findings": [_with_unit(f.as_dict(), r) for r in results for f in r.findings],
        "summary": summary(results),
        "packages": packages.summaries([r for r in results if not r.skipped]),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _with_unit(finding: dict, result: FileResult) -> dict:
    """The finding, with the id of the unit whose lines hold it (the question ``migrate -i`` shows
    it with), or None."""
    unit = next((u for u in result.units if u.on_line(finding["line"])), None)
    return {**finding, "unit": unit.id if unit is not None else None}


def finding_lines(findings: Iterable[Finding], verbose: bool = False, unit_of=None) -> list[str]:
    """Text lines for findings; with ``verbose``, each one's hint and (``unit_of(finding)``) the
    unit it belongs to, as ``migrate -i`` and ``--report`` name it."""
    out = []
    for f in findings:
        out.append(f"{f.path}:{f.line}:{f.column}: {f.severity} [{f.code}] {f.message}")
        if verbose and f.hint:
            out.append(f"    hint: {f.hint}")
        unit = unit_of(f) if verbose and unit_of is not None else None
        if unit is not None:
            out.append(f"    unit: {unit.id} ({unit.label})")
    return out


def human_summary(results: list[FileResult], mode: str, moved_from: str = "requests") -> str:
    s = summary(results)
    verb = {"write": "changed", "dry-run": "would change", "check": "would change"}[mode]
    sev = s["findings"]
    parts = [f"{sev[k]} {k}{'s' if sev[k] != 1 and k != 'info' else ''}" for k in SEVERITIES]
    files = "file" if s["files_scanned"] == 1 else "files"
    suppressed = f"; {s['suppressed']} suppressed" if s["suppressed"] else ""
    links = s["symlinks_skipped"]
    links_text = f"; {links} symlink{'s' if links != 1 else ''} skipped" if links else ""
    deps = s["dependency_files_changed"]
    deps_text = f" (+{deps} dependency file{'s' if deps != 1 else ''})" if deps else ""
    return (
        f"{s['files_scanned']} {files} scanned, {s['files_using_requests']} use {moved_from}, "
        f"{s['files_changed']} {verb}{deps_text}; findings: {', '.join(parts)}{suppressed}{links_text}"
    )
