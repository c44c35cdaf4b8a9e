"""Findings: what a run could not migrate exactly, or wants a person to review.

Every finding carries a stable *code*.  Codes are declared once, as ``Code``
objects, next to the codemod (or engine part) that emits them; the declaration
holds the text of the code's documentation page, so the docs cannot drift.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import libcst as cst

SEVERITIES = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True)
class Code:
    """A stable report code and its documentation.

    ``severity``: ``error`` when the code was not migrated or behaviour is at
    risk, ``warning`` when it was migrated but wants review, ``info`` otherwise.
    """

    code: str
    severity: str
    title: str
    why: str
    fix: str
    example: str = ""

    registry: ClassVar[dict[str, "Code"]] = {}

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r} for {self.code}")
        known = Code.registry.get(self.code)
        if known is not None and known != self:
            raise ValueError(f"report code {self.code} declared twice")
        Code.registry[self.code] = self


@dataclasses.dataclass
class Finding:
    code: str
    severity: str
    path: str
    line: int
    column: int
    message: str
    hint: str
    codemod: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)


# Codes the engine itself emits (codemods declare theirs in their own modules).
PARSE_ERROR = Code(
    "parse-error",
    "error",
    "The file could not be parsed; it was left byte-identical",
    "The file is not valid Python 3 for LibCST (a syntax error, Python 2 code, or an "
    "encoding that cannot be decoded), or it uses syntax newer than the Python running the tool, "
    "whose compiler checks every output. Rewriting what cannot be parsed would risk breaking it.",
    "Fix the syntax error (or port the file to Python 3), or run the tool under the Python "
    "version the code targets, and run it again.",
)
INTERNAL_ERROR = Code(
    "internal-error",
    "error",
    "A codemod failed on this file; the file was left unchanged",
    "A codemod raised an exception, or its output did not parse. The whole file is left "
    "as it was so that a half-applied migration never reaches disk; the rest of the run goes on.",
    "Please report the file (or a reduced copy) together with the message; migrate it by hand meanwhile.",
)
STAR_IMPORT = Code(
    "star-import",
    "error",
    "A star import from requests hides which of its names the module uses; the file was left unchanged",
    "After ``from requests import *`` any bare name (``get``, ``Session``, ``codes``, "
    "``ConnectionError``...) may be requests', and nothing in the file says which. Migrating the "
    "names the tool can see would leave the others calling requests, half a migration that still "
    "looks done, so nothing in the file is migrated. The same holds for a star import from "
    "urllib3, responses or requests_mock, or from one of their submodules.",
    "Replace the star import with the names the module uses (``from requests import get, Session``, "
    "or ``import requests`` and ``requests.get``), then run the tool again.",
)
FORMAT_SKIPPED = Code(
    "format-skipped",
    "info",
    "black did not format the touched lines of this file",
    "The file's indentation is not four spaces, its line endings are mixed, or black would "
    "have moved lines no codemod touched. Formatting is skipped rather than letting any "
    "untouched line move.",
    "Run your own formatter over the changed lines if you want them reflowed.",
)


# --- suppression comments ----------------------------------------------------------------------
SUPPRESS_RE = re.compile(r"#\s*requests2httpx:\s*ignore\b(?:\[([^\]]*)\])?")


def ignores_all(comment: cst.Comment | None) -> bool:
    """``# requests2httpx: ignore`` with no codes: leave the statement as it is."""
    match = SUPPRESS_RE.search(comment.value) if comment is not None else None
    return match is not None and not match.group(1)


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Line -> the codes ignored there (None: every code), from the source's comments."""
    out: dict[int, set[str] | None] = {}
    if "requests2httpx" not in text:
        return out
    for number, line in enumerate(text.splitlines(), 1):
        match = SUPPRESS_RE.search(line)
        if match:
            codes = {c.strip() for c in (match.group(1) or "").split(",") if c.strip()}
            out[number] = codes or None
    return out


def unsuppressed(findings: list[Finding], text: str) -> tuple[list[Finding], int]:
    """The findings that no ``# requests2httpx: ignore`` comment on their line silences, and how
    many it did silence (parse and internal errors never are)."""
    ignored = suppressions(text)
    if not ignored:
        return findings, 0
    kept = [f for f in findings if not _silenced(f, ignored)]
    return kept, len(findings) - len(kept)


def _silenced(finding: Finding, ignored: dict[int, set[str] | None]) -> bool:
    if finding.line not in ignored or finding.code in ("parse-error", "internal-error"):
        return False
    codes = ignored[finding.line]
    return codes is None or finding.code in codes
