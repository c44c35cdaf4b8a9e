"""The before/after fixture pairs under fixtures/<codemod>/<case>/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/before.py") if p.parent.parent.name != "demo_project")


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def expected_findings(case: Path) -> list[tuple[int, str]]:
    path = case / "findings.txt"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            number, code = line.split()
            out.append((int(number), code))
    return out


def runnable(case: Path) -> bool:
    """A case whose before.py defines main(base_url): it runs in the equivalence harness."""
    return "\ndef main(" in (case / "before.py").read_text()


def options(case: Path):
    """Options for a case: defaults, or ``key=value`` lines in ``options.txt`` beside it."""
    from migrator.engine.options import Options

    path = case / "options.txt"
    if not path.exists():
        return Options()
    values: dict = dict(line.split("=", 1) for line in path.read_text().split() if "=" in line)
    for key, value in values.items():
        if value in ("True", "False"):
            values[key] = value == "True"
    return Options(**values)
