"""Generate docs/codemods/*.md and docs/codes/*.md from the codemods' own docstrings and codes.

Pages are built from what the code declares (a codemod's module docstring, each ``Code``'s
texts) and from the fixtures (the before/after example, a line that triggers each code), so
they cannot drift: ``tests/test_docs.py`` fails when a page on disk differs from what this
module generates.  Regenerate with ``python -m migrator.output.docs``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import codemods
from codemods.to_httpx2 import ToHttpx2
from migrator.engine import findings as engine_findings
from migrator.engine.findings import Code
from migrator.lint import rules
from migrator.project import dependencies, discovery
from migrator.project import patch_follow, unused_requests
from migrator.project.test_patches import PATCHES_MIGRATED_CODE
from migrator.project.test_reach import MOCKS_FOLLOW_CODE, MOCKS_SPLIT

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIXTURES = ROOT / "fixtures"

_ENGINE_CODES = (engine_findings.PARSE_ERROR, engine_findings.INTERNAL_ERROR, engine_findings.STAR_IMPORT, engine_findings.FORMAT_SKIPPED, MOCKS_FOLLOW_CODE, MOCKS_SPLIT)
# passes over the whole run, after every file's codemods: (page name, module, its codes)
_RUN_PASSES = (("test_patches", patch_follow, (PATCHES_MIGRATED_CODE,)),
               ("unused_requests", unused_requests, (unused_requests.UNUSED_KEPT,)))
# the step that follows the codemods with --target httpx2 (and is all of --from httpx)
_TARGET_STEPS = (ToHttpx2,)
_DEPENDENCY_CODES = (dependencies.TEST_MOCKS, dependencies.UNDECLARED, dependencies.CASSETTES, dependencies.PYTEST9)
_DISCOVERY_CODES = (discovery.SYMLINK_SKIPPED,)
_OWNER_TEXT = {
    "engine": "the engine",
    "lint": "the lint checks (`migrate lint`, and migration reports for httpx code)",
    "dependencies": "the dependency-file edits (`requirements*.txt`, `pyproject.toml`, `setup.cfg`, `setup.py`)",
    "discovery": "file discovery (which files a run takes)",
}


def _module_doc(cls: type) -> tuple[str, str]:
    doc = (sys.modules[cls.__module__].__doc__ or "").strip()
    title, _, body = doc.partition("\n")
    return title.strip(), body.strip()


def _rst_to_md(text: str) -> str:
    return text.replace("``", "`")


def _owners() -> dict[str, str]:
    owner = {c.code: "engine" for c in _ENGINE_CODES}
    owner.update({c.code: name for name, _, codes in _RUN_PASSES for c in codes})
    for cls in (*codemods.ORDER, *_TARGET_STEPS):
        for code in cls.codes:
            owner.setdefault(code.code, cls.name)
    for code in (*rules.CODES, *_DEPENDENCY_CODES):
        owner.setdefault(code.code, "lint" if code in rules.CODES else "dependencies")
    for code in _DISCOVERY_CODES:
        owner.setdefault(code.code, "discovery")
    return owner


def _all_codes() -> list[Code]:
    seen: dict[str, Code] = {c.code: c for c in _ENGINE_CODES}
    seen.update({c.code: c for _, _, codes in _RUN_PASSES for c in codes})
    for cls in (*codemods.ORDER, *_TARGET_STEPS):
        for code in cls.codes:
            seen.setdefault(code.code, code)
    for code in (*rules.CODES, *_DEPENDENCY_CODES, *_DISCOVERY_CODES):
        seen.setdefault(code.code, code)
    return sorted(seen.values(), key=lambda c: c.code)


def _example_line(code: str) -> tuple[str, str] | None:
    """(fixture case, source line) of the first fixture that reports ``code``."""
    for findings in sorted(FIXTURES.glob("*/*/findings.txt")):
        for entry in findings.read_text().splitlines():
            number, _, found = entry.partition(" ")
            if found == code:
                lines = (findings.parent / "before.py").read_text().splitlines()
                case = f"{findings.parent.parent.name}/{findings.parent.name}"
                return case, lines[int(number) - 1].strip()
    return None


def codemod_page(cls: type) -> str:
    title, body = _module_doc(cls)
    out = [f"# `{cls.name}`: {_rst_to_md(title)}", "", _rst_to_md(body), ""]
    basic = FIXTURES / cls.name / "basic"
    out += [
        "## Before",
        "",
        "```python",
        (basic / "before.py").read_text().rstrip(),
        "```",
        "",
        "## After",
        "",
        "```python",
        (basic / "after.py").read_text().rstrip(),
        "```",
        "",
        f"(From `fixtures/{cls.name}/basic/`, which the test suite migrates and runs against a "
        "real HTTP server with both libraries.)",
        "",
    ]
    if cls.codes:
        out += ["## Report codes", ""]
        out += [f"- [`{c.code}`](../codes/{c.code}.md) ({c.severity}): {_rst_to_md(c.title)}" for c in cls.codes]
        out.append("")
    return "\n".join(out)


def run_pass_page(name: str, module, codes: tuple[Code, ...]) -> str:
    """A pass that runs over the whole run (it needs what other files became): no single-file
    before/after, but a runnable project under fixtures/."""
    title, _, body = (module.__doc__ or "").strip().partition("\n")
    out = [f"# `{name}`: {_rst_to_md(title.strip())}", "", _rst_to_md(body.strip()), ""]
    before, after, proof = _EXAMPLES[name]()
    out += ["## Before", "", "```python", before.rstrip(), "```", "", "## After", "", "```python", after.rstrip(), "```", ""]
    out += [f"(Runs after every file's codemods, since it needs what the other files became. {proof})", ""]
    out += ["## Report codes", ""]
    out += [f"- [`{c.code}`](../codes/{c.code}.md) ({c.severity}): {_rst_to_md(c.title)}" for c in codes]
    out.append("")
    return "\n".join(out)


def _unused_example() -> tuple[str, str, str]:
    """A module that imported requests and never used it, and what the pass leaves of it."""
    import libcst as cst

    from migrator.engine.imports import fix_imports

    before = "import os\nimport requests\n\n\ndef workdir():\n    return os.getcwd()\n"
    after = fix_imports(cst.parse_module(before), unused_requests.unused_names(before), []).code
    return before, after, "`tests/test_unused_requests.py` runs it on a project and imports the result."


def _patch_example() -> tuple[str, str, str]:
    """The first test of fixtures/mock_patches/project/tests/test_api.py, and what the pass makes
    of it once the tool has migrated the module it patches."""
    from migrator.engine.formatting import format_touched
    from migrator.engine.options import Options
    from migrator.engine.pipeline import migrate_source
    from migrator.project.patched_code import patched_code

    project = FIXTURES / "mock_patches" / "project"
    api = (project / "pkg" / "api.py").read_text()
    code = patched_code("pkg/api.py", api, migrate_source(api, "pkg/api.py", Options()).code)
    tests = (project / "tests" / "test_api.py").read_text()
    first = tests.index("@mock.patch")
    before = "from unittest import mock\n\nfrom pkg import api\n\n\n" + tests[first : tests.index("\n\n\n", first) + 1]
    after, _ = patch_follow.follow(before, {"test_fetch": {"pkg.api.requests.get": code}}, {"api": "pkg.api"}, "None")
    proof = ("`fixtures/mock_patches/project/` is its proof: the test suite runs that project's tests "
             "with pytest before and after the migration.")
    return before, format_touched(before, after, "    ") or after, proof


_EXAMPLES = {"test_patches": _patch_example, "unused_requests": _unused_example}


def code_page(code: Code, owner: str) -> str:
    out = [
        f"# `{code.code}`",
        "",
        f"**{_rst_to_md(code.title)}**",
        "",
        f"- Severity: `{code.severity}`",
        "- Emitted by: " + _OWNER_TEXT.get(owner, f"[`{owner}`](../codemods/{owner}.md)")
        + (", and " + _OWNER_TEXT["lint"] if code in rules.REUSED else ""),
        "",
        "## Why",
        "",
        _rst_to_md(code.why),
        "",
        "## What to do",
        "",
        _rst_to_md(code.fix),
        "",
    ]
    example = _example_line(code.code)
    if example:
        case, line = example
        out += ["## Example", "", f"From `fixtures/{case}/before.py`:", "", "```python", line, "```", ""]
    return "\n".join(out)


def index_page() -> str:
    out = ["# Codemods and report codes", "", "[What differs between requests and httpx](differences.md), row by row, with "
           "the codemods and codes below that handle each difference.", "", "Codemods run in this order, all on one parse of each file:", ""]
    for cls in codemods.ORDER:
        title, _ = _module_doc(cls)
        out.append(f"1. [`{cls.name}`](codemods/{cls.name}.md): {_rst_to_md(title)}")
    out += ["", "Last, with `--target httpx2` (and alone with `--from httpx --target httpx2`):", ""]
    for cls in _TARGET_STEPS:
        title, _ = _module_doc(cls)
        out.append(f"- [`{cls.name}`](codemods/{cls.name}.md): {_rst_to_md(title)}")
    out += ["", "httpx2 keeps httpx 0.28's API, so with `--target httpx2` the pages below read with httpx2 "
            "for httpx (and the findings say so); what differs is on the page of `to_httpx2`."]
    out += ["", "Then, over the whole run (these need what the other files became):", ""]
    for name, module, _ in _RUN_PASSES:
        title = (module.__doc__ or "").strip().partition("\n")[0]
        out.append(f"- [`{name}`](codemods/{name}.md): {_rst_to_md(title)}")
    out += ["", "## Report codes", "", "| code | severity | what |", "|---|---|---|"]
    for code in _all_codes():
        out.append(f"| [`{code.code}`](codes/{code.code}.md) | {code.severity} | {_rst_to_md(code.title)} |")
    out += [
        "",
        "Severities: `error` — not migrated, or behaviour at risk; `warning` — migrated, review it; "
        "`info` — worth knowing.",
        "",
    ]
    return "\n".join(out)


def generate() -> dict[Path, str]:
    from migrator.output import differences

    names = {cls.name for cls in (*codemods.ORDER, *_TARGET_STEPS)} | {name for name, _, _ in _RUN_PASSES}
    pages = {DOCS / "index.md": index_page(), DOCS / "differences.md": differences.page(names, {c.code for c in _all_codes()})}
    for cls in (*codemods.ORDER, *_TARGET_STEPS):
        pages[DOCS / "codemods" / f"{cls.name}.md"] = codemod_page(cls)
    for name, module, codes in _RUN_PASSES:
        pages[DOCS / "codemods" / f"{name}.md"] = run_pass_page(name, module, codes)
    owners = _owners()
    for code in _all_codes():
        pages[DOCS / "codes" / f"{code.code}.md"] = code_page(code, owners[code.code])
    return pages


def main() -> None:
    pages = generate()
    for folder in (DOCS / "codemods", DOCS / "codes"):
        if folder.exists():
            for stale in folder.glob("*.md"):
                if stale not in pages:
                    stale.unlink()
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages under {DOCS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
