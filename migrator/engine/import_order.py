"""Imports where the project's import sorter puts them.

A project that sorts its imports with isort (``[tool.isort]``, ``.isort.cfg``, ``[isort]`` in
setup.cfg or tox.ini) or with ruff's ``I`` rules gets the imports the migration added, removed or
moved sorted the same way: by isort itself, with the project's own isort configuration (read by
isort), or with ruff's isort settings given to isort under their isort names. A project that names
no sorter gets isort's black profile, in the files whose imports already followed it. Only where
the file was sorted before: a file left unsorted is not reordered by the migration.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re

from migrator.engine.style import read_toml, ini

# isort's own files and the sections it reads in each
_ISORT_FILES = ((".isort.cfg", ("settings", "isort")), ("setup.cfg", ("isort", "tool:isort")), ("tox.ini", ("isort", "tool:isort")))
# ruff's isort settings and their isort names (the same meaning: ruff's docs say so of each)
_RUFF_TO_ISORT = {
    "known-first-party": "known_first_party",
    "known-third-party": "known_third_party",
    "known-local-folder": "known_local_folder",
    "extra-standard-library": "extra_standard_library",
    "force-single-line": "force_single_line",
    "force-sort-within-sections": "force_sort_within_sections",
    "combine-as-imports": "combine_as_imports",
    "lines-after-imports": "lines_after_imports",
    "lines-between-types": "lines_between_types",
    "order-by-type": "order_by_type",
    "case-sensitive": "case_sensitive",
    "force-wrap-aliases": "force_wrap_aliases",
    "split-on-trailing-comma": "split_on_trailing_comma",
    "from-first": "from_first",
    "single-line-exclusions": "single_line_exclusions",
}


@dataclasses.dataclass(frozen=True)
class ImportSort:
    settings_path: str = ""  # a folder whose isort configuration isort reads
    settings: tuple[tuple[str, object], ...] = ()  # (ruff's, under isort's names)
    source: str = ""

    @functools.cached_property
    def config(self):
        import isort

        if self.settings_path:
            return isort.Config(settings_path=self.settings_path, quiet=True)
        return isort.Config(quiet=True, **{k: list(v) if isinstance(v, tuple) else v for k, v in self.settings})


# a project that names no sorter: files already in isort's black-profile order keep to it
UNSAID = ImportSort(settings=(("profile", "black"),))


def import_sort_for(path: str, line_length: int = 88) -> ImportSort:
    """How the project sorts the imports of the file ``path``; where it names no sorter, isort's black
    profile at the formatter's ``line_length`` (:data:`UNSAID`)."""
    return _sort_of(os.path.dirname(os.path.abspath(path)), line_length)


@functools.lru_cache(maxsize=None)
def _sort_of(folder: str, line_length: int) -> ImportSort:
    found = _of_folder(folder)
    if found is not None:
        return found
    # isort tells the project's own modules by the folder it runs in: the project's root, not the
    # folder migrate was started from
    root = _project_root(folder)
    return dataclasses.replace(UNSAID, settings=(("directory", root), ("line_length", line_length), ("profile", "black"),
                                                 ("src_paths", (root, os.path.join(root, "src")))))


def _project_root(folder: str) -> str:
    """The nearest folder up from ``folder`` holding pyproject.toml, setup.py, setup.cfg or .git."""
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, name)) for name in ("pyproject.toml", "setup.py", "setup.cfg", ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return folder
        current = parent


@functools.lru_cache(maxsize=None)
def _of_folder(folder: str) -> ImportSort | None:
    current = folder
    while True:
        found = _isort(current) or _ruff(current)
        if found is not None:
            return found
        if os.path.isdir(os.path.join(current, ".git")) or os.path.isdir(os.path.join(current, ".hg")):
            return None  # the repository's root (a pyproject.toml without isort's settings is passed by)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _isort(folder: str) -> ImportSort | None:
    pyproject = os.path.join(folder, "pyproject.toml")
    if isinstance(read_toml(pyproject).get("tool", {}).get("isort"), dict):
        return ImportSort(settings_path=folder, source=f"[tool.isort] in {_shown(pyproject)}")
    for name, sections in _ISORT_FILES:
        path = os.path.join(folder, name)
        parser = ini(path)
        if parser is not None and any(parser.has_section(section) for section in sections):
            return ImportSort(settings_path=folder, source=f"isort's settings in {_shown(path)}")
    return None


def _ruff(folder: str) -> ImportSort | None:
    pyproject = os.path.join(folder, "pyproject.toml")
    for path, nested in ((os.path.join(folder, ".ruff.toml"), False), (os.path.join(folder, "ruff.toml"), False), (pyproject, True)):
        data = read_toml(path)
        config = data.get("tool", {}).get("ruff") if nested else data
        if not isinstance(config, dict) or not config:
            continue
        lint = config.get("lint", {}) if isinstance(config.get("lint"), dict) else {}
        selected = [*lint.get("select", config.get("select", [])), *lint.get("extend-select", config.get("extend-select", []))]
        if not any(code == "ALL" or code == "I" or str(code).startswith("I0") for code in selected):
            return None  # ruff is the project's linter, without its import rules
        options = lint.get("isort", config.get("isort", {}))
        settings: dict[str, object] = {"profile": "black", "line_length": int(config.get("line-length", 88))}
        for ruff_name, isort_name in _RUFF_TO_ISORT.items():
            if ruff_name in options:
                value = options[ruff_name]
                settings[isort_name] = tuple(value) if isinstance(value, list) else value
        root = os.path.dirname(path)
        sources = config.get("src", [".", "src"])
        settings["src_paths"] = tuple(os.path.join(root, s) for s in sources)
        settings["directory"] = root
        return ImportSort(settings=tuple(sorted(settings.items())), source=f"ruff's isort rules in {_shown(path)}")
    return None


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def sorted_imports(before: str, after: str, path: str, sort: ImportSort) -> str:
    """``after`` with its imports sorted as the project sorts them, where ``before`` was sorted."""
    if before == after:
        return after
    import isort

    if "isort:" in before:
        return after  # action comments (skip_file, off/on): isort on the whole file decides, not the migration
    old_head, new_head = _head(before), _head(after)
    if old_head is None or new_head is None or not new_head[0].strip() or new_head[0] == old_head[0]:
        return after  # (an unchanged import block stays as it was, sorted or not)
    try:
        # isort is given the imports at the top alone (all a migration adds to): the rest is not its
        # business, and a large file costs nothing more. No file path: isort would skip a file
        # outside the folder it runs in (the project's own skip settings are not consulted)
        if isort.code(old_head[0], config=sort.config) != old_head[0]:
            return after  # the project leaves this file unsorted: so does the migration
        sorted_head = isort.code(new_head[0], config=sort.config)
    except Exception:  # isort cannot read it (a syntax it does not know): as it was
        return after
    return sorted_head + new_head[1] if sorted_head.strip() else after


_STATEMENT_START = re.compile(r"(?:import|from)[ \t]")


def _head(text: str) -> tuple[str, str] | None:
    """(the module's leading imports, with the docstring and comments before them; the rest), cut
    after the last line of the last import that comes before any other statement. None if the cut
    cannot be made safely (a line continued with a backslash)."""
    lines = text.splitlines(keepends=True)
    end = 0  # lines[:end] is the head
    i, n = 0, len(lines)
    docstring = False
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        opening = stripped.lstrip("rRuUbB")
        if not end and not docstring and opening[:1] in "\"'":  # the module's docstring
            docstring = True
            quote = opening[:3]
            if quote in ('"""', "'''"):
                rest = opening[3:]
                while quote not in rest and i + 1 < n:
                    i += 1
                    rest = lines[i]
            i += 1
            continue
        if line[:1] in " \t" or not _STATEMENT_START.match(line):
            break
        if line.rstrip("\r\n").endswith("\\"):
            return None
        code = lambda text: text.split("#", 1)[0]  # noqa: E731  (a comment may hold a parenthesis)
        if "(" in code(line) and ")" not in code(line):  # a parenthesised import: to its closing line
            while ")" not in code(lines[i]) and i + 1 < n:
                i += 1
        i += 1
        end = i
    return "".join(lines[:end]), "".join(lines[end:])
