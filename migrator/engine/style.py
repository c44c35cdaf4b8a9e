"""The project's own formatting settings, for the lines the migration touches.

Read, for the folder of each file, from the nearest configuration that sets them:
``[tool.black]`` (with black's own reader), else ruff's (``[tool.ruff]`` in pyproject.toml, or
ruff.toml/.ruff.toml: ``line-length``, ``[format] quote-style`` and ``skip-magic-trailing-comma``),
else flake8's ``max-line-length`` (setup.cfg, tox.ini, .flake8). Nothing found: black's defaults.
The search goes up to the repository's root (``.git``/``.hg``), past ``pyproject.toml`` files that
do not configure the tool, as black, ruff and isort do (a monorepo's packages share the root's).
"""

from __future__ import annotations

import configparser
import dataclasses
import functools
import io
import os
import re
import tokenize

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


@dataclasses.dataclass(frozen=True)
class Style:
    line_length: int = 88
    string_normalization: bool = True  # black's; False keeps the quotes as written
    magic_trailing_comma: bool = True
    single_quotes: bool = False  # ruff's quote-style = "single"
    target_versions: tuple[str, ...] = ()  # black's names ("py39"); () lets the formatter choose
    source: str = ""  # where it was read: "[tool.black] in pkg/pyproject.toml"; "" for the defaults

    def describe(self) -> str:
        if not self.source:
            return "with black's defaults (line length 88): the project sets no formatter options"
        details = [f"line length {self.line_length}"]
        if self.single_quotes:
            details.append("single quotes")
        elif not self.string_normalization:
            details.append("quotes kept")
        if not self.magic_trailing_comma:
            details.append("magic trailing comma skipped")
        return f"as {self.source} says ({', '.join(details)})"


DEFAULT = Style()


def style_for(path: str) -> Style:
    """The formatting settings that apply to the file ``path``."""
    return _style_of_folder(os.path.dirname(os.path.abspath(path)))


@functools.lru_cache(maxsize=None)
def _style_of_folder(folder: str) -> Style:
    flake8: Style | None = None
    current = folder
    while True:
        pyproject = os.path.join(current, "pyproject.toml")
        found = _black(pyproject) or _ruff(current, pyproject)
        if found is not None:
            return found
        if flake8 is None:
            flake8 = _flake8(current)
        if os.path.isdir(os.path.join(current, ".git")) or os.path.isdir(os.path.join(current, ".hg")):
            break  # the repository's root (a pyproject.toml without the tool's table is passed by, as black does)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return flake8 or DEFAULT


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _black(pyproject: str) -> Style | None:
    table = read_toml(pyproject).get("tool", {}).get("black")
    if not isinstance(table, dict):
        return None
    import black

    try:
        config = black.parse_pyproject_toml(pyproject)  # black's own reader: its key names, its checks
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        return None
    targets = config.get("target_version") or ()
    return Style(
        line_length=int(config.get("line_length", 88)),
        string_normalization=not config.get("skip_string_normalization", False),
        magic_trailing_comma=not config.get("skip_magic_trailing_comma", False),
        target_versions=tuple(str(t).lower() for t in ([targets] if isinstance(targets, str) else targets)),
        source=f"[tool.black] in {_shown(pyproject)}",
    )


def _ruff(folder: str, pyproject: str) -> Style | None:
    for name, table in ((os.path.join(folder, ".ruff.toml"), None), (os.path.join(folder, "ruff.toml"), None), (pyproject, "ruff")):
        data = read_toml(name)
        config = data.get("tool", {}).get("ruff") if table else data
        if not isinstance(config, dict) or not config:
            continue
        fmt = config.get("format", {}) if isinstance(config.get("format"), dict) else {}
        quotes = fmt.get("quote-style", "double")
        versions = config.get("target-version")
        return Style(
            line_length=int(config.get("line-length", 88)),
            string_normalization=quotes == "double",
            magic_trailing_comma=not fmt.get("skip-magic-trailing-comma", False),
            single_quotes=quotes == "single",
            target_versions=(str(versions),) if isinstance(versions, str) else (),
            source=f"[tool.ruff] in {_shown(name)}" if table else f"ruff's {_shown(name)}",
        )
    return None


def _flake8(folder: str) -> Style | None:
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        path = os.path.join(folder, name)
        parser = ini(path)
        if parser is None:
            continue
        value = parser.get("flake8", "max-line-length", fallback=None) or parser.get("flake8", "max_line_length", fallback=None)
        if value and value.strip().isdigit():
            return Style(line_length=int(value.strip()), string_normalization=True,
                         source=f"flake8's max-line-length in {_shown(path)}")
    return None


def ini(path: str) -> configparser.RawConfigParser | None:
    """An ini-style file (setup.cfg, tox.ini), read; None if it is missing or unreadable."""
    if not os.path.isfile(path):
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    return parser


@functools.lru_cache(maxsize=None)
def read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


_DOUBLE = re.compile(r'([rRbBuUfF]*)"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')


def single_quoted(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with the one-line double-quoted strings of the lines in ``ranges`` (1-based,
    inclusive) written with single quotes, as ruff's ``quote-style = "single"`` writes them: not where
    that needs more escapes than the double quotes did, never a raw string (its backslashes are its
    value), and never a triple-quoted one (docstrings keep double)."""
    lines = text.splitlines(keepends=True)
    wanted = {n for lo, hi in ranges for n in range(lo, hi + 1)}
    changes: dict[int, list[tuple[int, int, str]]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    for token in tokens:
        if token.type != tokenize.STRING or token.start[0] not in wanted or token.start[0] != token.end[0]:
            continue
        match = _DOUBLE.fullmatch(token.string)
        if match is None or "f" in match.group(1).lower() or "r" in match.group(1).lower():
            continue  # (a raw string's backslashes are its value: its quotes cannot change)
        body = match.group(2)
        # ruff writes the preferred quote unless it needs more escapes than the other
        if body.count("'") > body.count('\\"'):
            continue
        body = body.replace('\\"', '"').replace("'", "\\'")
        changes.setdefault(token.start[0], []).append((token.start[1], token.end[1], f"{match.group(1)}'{body}'"))
    for number, spans in changes.items():
        line = lines[number - 1]
        for start, end, new in sorted(spans, reverse=True):
            line = line[:start] + new + line[end:]
        lines[number - 1] = line
    return "".join(lines)
