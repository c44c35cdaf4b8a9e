"""``[tool.requests2httpx]`` in the nearest pyproject.toml; command-line flags win."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = {
    "timeout": '"none" or a number of seconds written as every request\'s timeout',
    "exclude": "list of globs of files/folders to skip, added to the built-in ones",
    "select": "list of codemods to run (default: all)",
    "ignore": "list of codemods not to run",
    "format": "true/false: run black on the lines the codemods touched",
    "mock-library": '"respx" (default) or "pytest-httpx": what responses/requests_mock migrate to',
    "async": "true/false: await requests calls made directly in coroutines on an httpx.AsyncClient",
    "target": '"httpx" (default) or "httpx2": the library the code moves to',
    "retries": '"httpx" (connect retries only) or "httpx-retries" (keep urllib3 Retry rules via the httpx-retries package)',
}


class ConfigError(Exception):
    pass


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for parent in [folder, *folder.parents]:
        candidate = parent / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path) -> tuple[dict[str, Any], Path | None]:
    path = find_pyproject(start)
    if path is None:
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    section = data.get("tool", {}).get("requests2httpx", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.requests2httpx] must be a table")
    unknown = sorted(set(section) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in [tool.requests2httpx] (known: {', '.join(KEYS)})")
    for key in ("exclude", "select", "ignore"):
        if key in section and not (isinstance(section[key], list) and all(isinstance(v, str) for v in section[key])):
            raise ConfigError(f"{path}: [tool.requests2httpx] {key} must be a list of strings")
    for key in ("format", "async"):
        if key in section and not isinstance(section[key], bool):
            raise ConfigError(f"{path}: [tool.requests2httpx] {key} must be true or false")
    if "format" in section and not isinstance(section["format"], bool):
        raise ConfigError(f"{path}: [tool.requests2httpx] format must be true or false")
    return section, path


def parse_timeout(value: Any) -> float | None:
    """'none' -> None, '5'/'2.5'/5 -> seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and value.strip().lower() == "none":
        return None
    else:
        seconds = float(value)
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(value)
    return seconds
