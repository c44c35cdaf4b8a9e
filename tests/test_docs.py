"""Docs pages are generated from the codemods; the pages on disk must be what they generate."""

from __future__ import annotations

from migrator.output import docs


def test_docs_are_up_to_date():
    stale = [str(p.relative_to(docs.ROOT)) for p, text in docs.generate().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with `python -m migrator.output.docs`: {stale}"


def test_every_code_and_codemod_has_a_page_with_the_required_sections():
    pages = docs.generate()
    for path, text in pages.items():
        if path.parent.name == "codemods":
            for section in ("## What it does", "## Why", "## Before", "## After", "## When it reports instead of rewriting"):
                assert section in text, (path.name, section)
        elif path.parent.name == "codes":
            for section in ("## Why", "## What to do"):
                assert section in text, (path.name, section)
    codes = {p.stem for p in pages if p.parent.name == "codes"}
    assert {"requests-unmigrated", "parse-error", "internal-error", "params-semantics"} <= codes


def test_the_differences_table_names_only_codemods_and_codes_that_exist(monkeypatch):
    import pytest

    from migrator.output import differences

    named = {n for *_, names in differences.ROWS for n in names}
    differences.check(named, set())  # (the real names are checked by test_docs_are_up_to_date's generation)
    monkeypatch.setattr(differences, "ROWS", (*differences.ROWS, ("Silent", "a", "b", ("not-a-code",))))
    with pytest.raises(ValueError, match="not-a-code"):
        differences.page(named, set())


def test_the_readme_links_only_inside_the_project():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    links = re.findall(r"\]\(([^)#]+)", (root / "README.md").read_text())
    local = [link for link in links if not link.startswith(("http://", "https://"))]
    assert local and all((root / link).exists() and (root / link).resolve().is_relative_to(root) for link in local), local
