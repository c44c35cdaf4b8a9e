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
