"""Dependency files of migrated packages: requests → httpx, plus what the migrated code needs.

For each package (see ``packages``) the migrated code decides what its dependency files must
say: ``httpx`` (with ``[socks]``/``[http2]`` extras when the code needs them) once any file uses
httpx, ``httpx-retries`` for ``RetryTransport``, ``charset-normalizer`` where the migrated code
detects a body's charset as requests did (``_requests_text``: requests brought it); ``requests`` and ``types-requests`` go once no
file imports requests any more. ``responses``/``requests-mock`` become ``respx`` (or
``pytest-httpx``) once the migrated tests use that instead, in requirements files and PEP 621
arrays; elsewhere, or while tests still use them, they are reported. Files are edited line by line — comments, ordering and formatting survive:
``requirements*.txt``, ``pyproject.toml`` (``[project]`` dependencies and optional dependencies,
Poetry's tables), ``setup.cfg`` (``install_requires``/``extras_require``) and ``setup.py``
(through LibCST).
"""

from __future__ import annotations

import configparser
import dataclasses
import glob
import os
import re

import libcst as cst
from packaging.requirements import InvalidRequirement, Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from migrator.engine.findings import Code, Finding
from migrator.engine.visitors import Transformer, transform

HTTPX_SPEC = ">=0.28"
HTTPX2_SPEC = ">=2.16"
PYTEST_HTTPX2_SPEC = ">=1.0"  # respx's mocker for httpcore2, by respx's author
HTTPX2_PYTEST_SPEC = ">=2.0"  # pytest-httpx's counterpart
RETRIES_SPEC = ">=0.4"
CHARSET_SPEC = ">=2"  # what requests itself requires
RESPX_SPEC = ">=0.21"
PYTEST_HTTPX_SPEC = ">=0.35"
_HTTPX_DECLARED = re.compile(r"""(?:^|["'\s])httpx(?:\[[^\]]*\])?\s*(?:[<>=~!;"']|$)""", re.M)
_HTTPX2_DECLARED = re.compile(r"""(?:^|["'\s])httpx2(?:\[[^\]]*\])?\s*(?:[<>=~!;"']|$)""", re.M)
_REQUESTS_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+[^#\n]*\brequests\b|from[ \t]+requests\b)", re.M)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")

TEST_MOCKS = Code(
    "test-mock-dependency",
    "info",
    "A requests mocking library is still a dependency",
    "``responses`` and ``requests-mock`` patch requests, so tests that used them will not intercept "
    "httpx calls; their httpx counterparts are ``respx`` and ``pytest-httpx``.",
    "Migrate those tests to respx or pytest-httpx, then drop the old library.",
)
CASSETTES = Code(
    "cassettes-recorded-through-requests",
    "info",
    "Recorded HTTP cassettes (vcrpy, betamax) of a package whose code now sends through httpx",
    "A cassette replays what was recorded through the client library the recorder patches. "
    "betamax patches requests' sessions only: its cassettes do not replay through httpx. vcrpy "
    "replays httpx requests from version 6.0 (earlier versions stored httpx bodies wrongly), and "
    "only where the migrated requests match the recording (by default method and URI; httpx "
    "encodes some query strings and JSON bodies differently). Reported once per package.",
    "Run the recorded tests; re-record the cassettes that no longer match, or move betamax tests "
    "to vcrpy>=6 or respx.",
)
PYTEST9 = Code(
    "httpx2-pytest-needs-pytest-9",
    "info",
    "httpx2-pytest, pytest-httpx's counterpart for httpx2, requires pytest 9",
    "httpx2-pytest 2.0 (and 1.0) declare ``pytest==9.*``. A project that pins pytest 8, or a plugin that "
    "requires it (pytest-asyncio before 1.0 requires pytest<9), cannot install its test dependencies "
    "until those pins move. Seen on httpx_auth: its suite passed on httpx2 once pytest-asyncio was 1.x.",
    "Raise the pytest pin to 9 and update the plugins that require pytest 8 (pytest-asyncio>=1.0).",
)
UNDECLARED = Code(
    "httpx-not-declared",
    "warning",
    "The migrated code uses httpx but no dependency file of its package names requests to replace",
    "The tool adds httpx next to requests in dependency files it can read; this package declares "
    "requests nowhere it could find (or has no dependency file), so nothing was added.",
    "Add ``httpx>=0.28`` to the package's dependencies.",
)


@dataclasses.dataclass
class Needs:
    """What one package's migrated code needs from its dependency files."""

    httpx: bool = False  # the target library (httpx, or httpx2 with ``target``) is to be declared
    target: str = "httpx"
    # --target httpx2: no file imports httpx any more: a declared httpx becomes httpx2
    drop_httpx: bool = False
    # requirements written after a declared one (respx -> pytest-httpx2 with --target httpx2)
    after: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    httpx_extras: set[str] = dataclasses.field(default_factory=set)
    httpx_retries: bool = False
    # the migrated code detects charsets as requests did (codemods/_helpers.py: _requests_text)
    charset_normalizer: bool = False
    drop_requests: bool = False
    # mock libraries the migrated tests no longer use -> what they use instead ("respx>=0.21")
    swaps: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def library(self) -> str:
        return "httpx2" if self.target == "httpx2" else "httpx"

    @property
    def spec(self) -> str:
        return HTTPX2_SPEC if self.target == "httpx2" else HTTPX_SPEC

    def httpx_requirement(self) -> str:
        extras = f"[{','.join(sorted(self.httpx_extras))}]" if self.httpx_extras else ""
        return f"{self.library}{extras}{self.spec}"

    def additions(self) -> list[str]:
        return ([self.httpx_requirement()] if self.httpx else []) + self.companions()

    def companions(self) -> list[str]:
        """What else the migrated code needs, written where requests was declared (beside httpx)."""
        return [f"{name}{spec}" for name, spec in self.companion_specs()]

    def companion_specs(self) -> list[tuple[str, str]]:
        return ([("httpx-retries", RETRIES_SPEC)] if self.httpx_retries else []) + (
            [("charset-normalizer", CHARSET_SPEC)] if self.charset_normalizer else [])


HTTPX_SENDS = re.compile(r"\bhttpx2?\.(?:Client|AsyncClient|get|post|put|patch|delete|head|options|request|stream)\b")
_FEATURES = {
    "httpx": re.compile(r"^[ \t]*(?:import[ \t]+httpx\b|from[ \t]+httpx\b)", re.M),
    "httpx2": re.compile(r"^[ \t]*(?:import[ \t]+httpx2\b|from[ \t]+httpx2\b)", re.M),
    "httpx_retries": re.compile(r"httpx_retries"),
    "charset_normalizer": re.compile(r"^[ \t]*import[ \t]+charset_normalizer\b", re.M),
    "socks": re.compile(r"socks[45]h?://"),
    "http2": re.compile(r"http2=True"),
    "requests": _REQUESTS_IMPORT,
    "respx": re.compile(r"^[ \t]*(?:import[ \t]+respx\b|from[ \t]+respx\b)", re.M),
    "httpx_mock": re.compile(r"\bhttpx_mock\b"),
    # httpx2-pytest (pytest-httpx2's fixture of the same name is a respx router: no add_response)
    "httpx2_pytest": re.compile(r"\bhttpx2_mock\.(?:add_response|add_callback|add_exception|get_requests?)\b"
                                r"|^[ \t]*(?:import[ \t]+pytest_httpx2\b|from[ \t]+pytest_httpx2\b)", re.M),
    "responses": re.compile(r"^[ \t]*(?:import[ \t]+responses\b|from[ \t]+responses\b)", re.M),
    "requests_mock": re.compile(r"\brequests_mock\b"),
    # not a dependency: the code sends requests through httpx (tests follow it: migrator/project/test_reach.py)
    "httpx-sends": HTTPX_SENDS,
    "httpx-client": re.compile(r"\bhttpx2?\.(?:Client|AsyncClient)\b"),
    # not a dependency: tests replay recorded HTTP (said once per package whose code moved)
    "cassettes": re.compile(r"^[ \t]*(?:import[ \t]+(?:vcr|betamax|pytest_recording)\b|from[ \t]+(?:vcr|betamax|pytest_recording)\b)"
                            r"|@pytest\.mark\.vcr\b", re.M),
}
# every feature's pattern needs one of these words: text with none of them has no feature
_FEATURE_WORDS = (b"httpx", b"charset_normalizer", b"socks", b"http2", b"requests", b"respx", b"responses", b"vcr", b"betamax", b"pytest_recording")


def features(text: str) -> frozenset[str]:
    """What a package's dependencies depend on, from one Python file's final text."""
    found = frozenset(name for name, pattern in _FEATURES.items() if pattern.search(text))
    if {"httpx", "httpx2", "respx"} <= found:  # httpx for respx's responses alone: respx brings it
        found -= {"httpx"}
    return found


def features_of_bytes(data: bytes) -> frozenset[str]:
    """:func:`features` of an undecoded file, cheap for the many that mention none of it."""
    if not any(word in data for word in _FEATURE_WORDS):
        return frozenset()
    return features(data.decode("utf-8-sig", "replace"))  # -sig: a BOM would hide a first-line import


def needs_of(texts: list[str], target: str = "httpx") -> Needs:
    """From the final text of every Python file of a package."""
    return needs_from([features(t) for t in texts], target)


def needs_from(per_file: list[frozenset[str]], target: str = "httpx") -> Needs:
    """From the :func:`features` of every Python file of a package."""
    found = frozenset().union(*per_file)
    needs = Needs(target=target)
    needs.httpx = (target if target == "httpx2" else "httpx") in found
    if target == "httpx2":
        needs.drop_httpx = "httpx" not in found and "httpx2" in found
        if "respx" in found:
            needs.after["respx"] = [f"pytest-httpx2{PYTEST_HTTPX2_SPEC}"]
        if "httpx2_pytest" in found and "httpx_mock" not in found:
            needs.swaps["pytest-httpx"] = f"httpx2-pytest{HTTPX2_PYTEST_SPEC}"
    needs.httpx_retries = "httpx_retries" in found
    needs.charset_normalizer = "charset_normalizer" in found
    needs.httpx_extras = {extra for extra in ("socks", "http2") if extra in found}
    needs.drop_requests = "requests" not in found
    new_mock = f"respx{RESPX_SPEC}" if "respx" in found else f"pytest-httpx{PYTEST_HTTPX_SPEC}" if "httpx_mock" in found else None
    if target == "httpx2" and new_mock is None and "httpx2_pytest" in found:
        new_mock = f"httpx2-pytest{HTTPX2_PYTEST_SPEC}"
    if new_mock is not None:
        if "responses" not in found:
            needs.swaps["responses"] = new_mock
        if "requests_mock" not in found:
            needs.swaps["requests-mock"] = new_mock
    return needs


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_files(package_dir: str) -> list[str]:
    found = []
    for extension in ("txt", "in"):  # (pip-tools' .in files: the .txt are compiled from them)
        found += sorted(glob.glob(os.path.join(package_dir, f"requirements*.{extension}")))
        found += sorted(glob.glob(os.path.join(package_dir, "requirements", f"*.{extension}")))
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "noxfile.py", "Pipfile"):
        path = os.path.join(package_dir, name)
        if os.path.isfile(path):
            found.append(path)
    return [os.path.normpath(p) for p in found]


@dataclasses.dataclass
class Edit:
    text: str
    findings: list[Finding]
    declared_requests: bool


def rewrite(path: str, text: str, needs: Needs) -> Edit:
    name = os.path.basename(path)
    # what the file already declares is not added again (a second run changes nothing)
    declared = _HTTPX2_DECLARED if needs.target == "httpx2" else _HTTPX_DECLARED
    requirements = _without_own_table(text) if name == "pyproject.toml" else text
    holding = _arrays_declaring(name, requirements, needs)
    needs = dataclasses.replace(
        needs,
        # (a declared httpx that becomes httpx2 declares it too); in pyproject.toml and setup.cfg, httpx
        # declared in another list (an extra) does not stand for it where requests was (the core)
        httpx=needs.httpx and (holding is not None or not declared.search(requirements))
        and not (holding is None and needs.drop_httpx and _HTTPX_DECLARED.search(requirements)),
        httpx_retries=needs.httpx_retries and not re.search(r"httpx[-_]retries", text),
        charset_normalizer=needs.charset_normalizer and not re.search(r"charset[-_]normalizer", text, re.I),
    )
    needs.after = {k: [r for r in v if not re.search(rf"(?:^|[\"'\s]){re.escape(_NAME.match(r).group(1))}\b(?![-_.])", text, re.M | re.I)]
                   for k, v in needs.after.items()}
    if name in ("setup.py", "noxfile.py"):
        return _python_file(path, text, needs, nox=name == "noxfile.py")
    return _lines(path, text, needs, name, holding or set())


def _arrays_declaring(name: str, text: str, needs: Needs) -> set[str] | None:
    """The lists of a pyproject.toml or setup.cfg that declare the target library already
    (``project.dependencies``, ``project.optional-dependencies.http``, ``dependency-groups.dev``,
    ``tool.poetry.dependencies``, ``options.install_requires``, ``options.extras_require.http``);
    None for other files, or one that cannot be read (then the whole file counts)."""
    names = {"httpx2"} if needs.target == "httpx2" else {"httpx"}
    if needs.drop_httpx:
        names.add("httpx")
    lists: dict[str, list[str]] = {}
    if name == "pyproject.toml":
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            return None
        project = data.get("project", {})
        lists["project.dependencies"] = project.get("dependencies", [])
        for extra, reqs in (project.get("optional-dependencies") or {}).items():
            lists[f"project.optional-dependencies.{extra}"] = reqs
        for group, reqs in (data.get("dependency-groups") or {}).items():
            lists[f"dependency-groups.{group}"] = reqs
        poetry = data.get("tool", {}).get("poetry", {})
        for table, deps in [("tool.poetry.dependencies", poetry.get("dependencies")), ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies")),
                            *((f"tool.poetry.group.{g}.dependencies", v.get("dependencies")) for g, v in (poetry.get("group") or {}).items())]:
            if isinstance(deps, dict):
                lists[table] = list(deps)
    elif name == "Pipfile":
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            return None
        for section in ("packages", "dev-packages"):
            if isinstance(data.get(section), dict):
                lists[section] = list(data[section])
    elif name == "setup.cfg":
        parser = configparser.RawConfigParser()
        try:
            parser.read_string(text)
        except configparser.Error:
            return None
        if parser.has_option("options", "install_requires"):
            lists["options.install_requires"] = parser.get("options", "install_requires").splitlines()
        if parser.has_section("options.extras_require"):
            for extra, value in parser.items("options.extras_require"):
                lists[f"options.extras_require.{extra}"] = value.splitlines()
    else:
        return None
    return {key for key, reqs in lists.items() if any(
        isinstance(r, str) and (m := _NAME.match(r)) is not None and normalized(m.group(1)) in names for r in reqs)}


def _without_own_table(text: str) -> str:
    """pyproject.toml without ``[tool.requests2httpx]``, whose ``target = "httpx2"`` is no requirement."""
    return re.sub(r"^\[tool\.requests2httpx\][ \t]*(?:#.*)?\n(?:(?!\[).*(?:\n|$))*", "", text, flags=re.M)


# --- requirement strings --------------------------------------------------------------------------
def _split_requirement(req: str) -> tuple[str, str, str] | None:
    """(normalized name, extras text, the rest: version and marker as written) of a PEP 508
    requirement string, read by ``packaging``; None for what is not one (``-r file``, a tox factor)."""
    try:
        parsed = Requirement(req.strip())
    except InvalidRequirement:
        return None
    match = _NAME.match(req)
    extras = f"[{','.join(sorted(parsed.extras))}]" if parsed.extras else ""
    return normalized(parsed.name), extras, req[match.end():] if match else ""


def _replacement(req: str, needs: Needs) -> str:
    """``requests[socks]>=2.31; python_version>'3'`` → ``httpx[socks]>=0.28; python_version>'3'``."""
    _, extras, rest = _split_requirement(req)  # type: ignore[misc]
    marker = rest[rest.index(";"):] if ";" in rest else ""
    wanted = set(needs.httpx_extras)
    if "socks" in extras:
        wanted.add("socks")
    extras_text = f"[{','.join(sorted(wanted))}]" if wanted else ""
    return f"{needs.library}{extras_text}{needs.spec}{marker}"


def _retargeted(req: str, needs: Needs) -> str:
    """``httpx[http2]>=0.27; python_version>'3'`` → ``httpx2[http2]>=2.16; python_version>'3'``."""
    _, extras, rest = _split_requirement(req)  # type: ignore[misc]
    marker = rest[rest.index(";"):] if ";" in rest else ""
    wanted = set(needs.httpx_extras) | {e.strip() for e in extras.strip("[]").split(",") if e.strip()}
    extras_text = f"[{','.join(sorted(wanted))}]" if wanted else ""
    return f"httpx2{extras_text}{HTTPX2_SPEC}{marker}"


def _followers(name: str, needs: Needs, placed: set[str]) -> list[str]:
    """What is written after a declared ``name`` (each once per file)."""
    out = [r for r in needs.after.get(name, ()) if r not in placed]
    placed.update(out)
    return out


# --- line-based files: requirements, pyproject.toml, setup.cfg --------------------------------------
_STRING = re.compile(r""""([^"\n]*)"|'([^'\n]*)'""")
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")


def _lines(path: str, text: str, needs: Needs, name: str, holding: set[str] = frozenset()) -> Edit:  # type: ignore[assignment]
    """``holding``: the lists that declare the target library already (:func:`_arrays_declaring`):
    where requests stands in one of them, it is not added again."""
    others = dataclasses.replace(needs, httpx=False)
    current = ""  # the list being read
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    findings: list[Finding] = []
    declared = False
    section = ""
    in_array = False  # inside a dependencies array of pyproject.toml
    in_cfg_list = False  # inside install_requires/extras_require of setup.cfg
    kind = "requirements" if name.endswith((".txt", ".in")) else "pyproject" if name in ("pyproject.toml", "Pipfile") else "cfg"
    caret = name != "Pipfile"  # Poetry's "^0.28"; a Pipfile's ">=0.28"
    spec_text = lambda spec: f'"^{spec.lstrip(">=")}"' if caret else f'"{spec}"'  # noqa: E731
    placed: set[str] = set()  # replacement requirements already written in this file
    for number, line in enumerate(lines, 1):
        header = _SECTION.match(line)
        if header and kind != "requirements":
            section, in_array, in_cfg_list = header.group(1).strip(), False, False
            out.append(line)
            continue
        if kind == "requirements":
            out += _requirement_line(line, needs, path, number, findings, placed)
            declared |= _names_requests(line)
            continue
        if kind == "cfg":
            key = re.match(r"^(\w[\w-]*)\s*=", line)
            if key:
                in_cfg_list = section in ("options", "options.extras_require") and (
                    key.group(1) in ("install_requires", "tests_require") or section == "options.extras_require") or (
                    name == "tox.ini" and (section == "testenv" or section.startswith("testenv:")) and key.group(1) == "deps")
                current = f"{section}.{key.group(1)}".lower()  # (configparser lower-cases the keys it read)
                head, _, value = line.partition("=")
                if in_cfg_list and value.strip():
                    replaced = _requirement_line(value, others if current in holding else needs, path, number, findings, placed)
                    declared |= _names_requests(value)
                    out.append(head + "=" + "".join(replaced) if replaced else head + "=\n")
                    continue
                out.append(line)
                continue
            if in_cfg_list and line[:1] in (" ", "\t") and line.strip():
                declared |= _names_requests(line)
                out += _requirement_line(line, others if current in holding else needs, path, number, findings, placed)
                continue
            if line.strip() and line[:1] not in (" ", "\t"):
                in_cfg_list = False
            out.append(line)
            continue
        # pyproject.toml
        poetry = section.startswith("tool.poetry") and section.endswith("dependencies") or name == "Pipfile" and section in ("packages", "dev-packages")
        if poetry:
            match = re.match(r"^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\s*=\s*)(.*)$", line.rstrip("\n"))
            if match and normalized(match.group(2)) == "requests":
                declared = True
                new = []
                if needs.httpx and section not in holding:
                    extras = sorted(needs.httpx_extras)
                    version = spec_text(needs.spec)
                    table = _table_value(match.group(4), version, extras)
                    value = table if table is not None else (
                        f'{{ version = {version}, extras = {extras!r} }}'.replace("'", '"') if extras else version)
                    new.append(f"{match.group(1)}{needs.library}{match.group(3)}{value}\n")
                for companion, spec in needs.companion_specs():
                    new.append(f'{match.group(1)}{companion}{match.group(3)}{spec_text(spec)}\n')
                out += new + ([] if needs.drop_requests else [line])
                continue
            if match and normalized(match.group(2)) == "types-requests" and needs.drop_requests:
                continue
            if match and normalized(match.group(2)) == "httpx" and needs.drop_httpx:
                value = match.group(4) + "\n"
                version = spec_text(HTTPX2_SPEC)
                if value.lstrip().startswith("{"):  # ``{ version = "^0.27", extras = [...], optional = true }``: kept
                    value = re.sub(r'(\bversion\s*=\s*)(["\'])[^"\']*\2', lambda m: m.group(1) + version, value, count=1)
                    out.append(f"{match.group(1)}httpx2{match.group(3)}{value}")
                else:
                    out.append(f'{match.group(1)}httpx2{match.group(3)}{version}\n')
                continue
            if match and normalized(match.group(2)) in needs.after:
                out.append(line)
                for r in _followers(normalized(match.group(2)), needs, placed):
                    follower, spec = re.match(r"([\w.-]+)(>=.*)", r).groups()  # type: ignore[union-attr]
                    out.append(f'{match.group(1)}{follower}{match.group(3)}{spec_text(spec)}\n')
                continue
            if match and normalized(match.group(2)) in needs.swaps:  # ``responses = "^0.25"``: the new mock library
                swap = needs.swaps[normalized(match.group(2))]
                if swap not in placed:
                    placed.add(swap)
                    for r in [swap, *_followers(_NAME.match(swap).group(1), needs, placed)]:  # type: ignore[union-attr]
                        library, spec = re.match(r"([\w.-]+)(>=.*)", r).groups()  # type: ignore[union-attr]
                        out.append(f'{match.group(1)}{library}{match.group(3)}{spec_text(spec)}\n')
                continue
            if match:
                _note_mocks(match.group(2), path, number, findings)
            out.append(line)
            continue
        starts = re.match(r"^\s*([\w.-]+)\s*=\s*\[", line)
        dependency_table = section in ("project.optional-dependencies", "dependency-groups")
        if starts and ((section == "project" and starts.group(1) == "dependencies") or dependency_table):
            in_array, current = True, f"{section}.{starts.group(1)}"
        if in_array:
            new_line, found = _array_line(line, others if current in holding else needs, path, number, findings, placed)
            declared |= found
            if new_line is not None:
                out.append(new_line)
            if "]" in _strip_strings(line):
                in_array = False
            continue
        out.append(line)
    return Edit("".join(out), findings, declared)


def _code_strings(line: str) -> list[re.Match]:
    """The string literals of a TOML line before its comment (a quoted name in a comment is prose)."""
    out = []
    for match in _STRING.finditer(line):
        before = line[out[-1].end() if out else 0 : match.start()]
        if "#" in before:
            break
        out.append(match)
    return out


def _table_value(value: str, version: str, extras: list[str]) -> str | None:
    """requests' inline table (``{ version = "^2.31", markers = "...", optional = true }  # why``) for
    httpx: its version replaced, its markers, ``optional`` and comment kept, its extras those httpx
    has (socks) and needs; None for a plain version string."""
    if not value.lstrip().startswith("{") or "}" not in value:
        return None
    body, _, after = value.partition("}")
    body = re.sub(r'(\bversion\s*=\s*)(["\'])[^"\']*\2', lambda m: m.group(1) + version, body, count=1)
    wanted = sorted(set(extras) | ({"socks"} if re.search(r"extras\s*=\s*\[[^\]]*socks", body) else set()))
    listed = ", ".join(f'"{e}"' for e in wanted)
    if re.search(r"\bextras\s*=\s*\[[^\]]*\]", body):
        body = re.sub(r"(\bextras\s*=\s*)\[[^\]]*\]", lambda m: m.group(1) + f"[{listed}]", body, count=1) if wanted else \
            re.sub(r",?\s*\bextras\s*=\s*\[[^\]]*\]", "", body, count=1)
    elif wanted:
        body = body.rstrip() + f", extras = [{listed}] "
    return body + "}" + after


def _strip_strings(line: str) -> str:
    """The line's code with strings emptied and the comment dropped (to find a closing ``]``)."""
    return _STRING.sub('""', line).split("#", 1)[0]


def _names_requests(line: str) -> bool:
    split = _split_requirement(line.split("#", 1)[0])
    return split is not None and split[0] == "requests"


def _note_mocks(name: str, path: str, number: int, findings: list[Finding], swaps: dict | None = None) -> None:
    if normalized(name) in ("responses", "requests-mock") and normalized(name) not in (swaps or {}):
        findings.append(Finding(TEST_MOCKS.code, TEST_MOCKS.severity, path, number, 1,
                                f"{name} mocks requests, not httpx", TEST_MOCKS.fix, "dependencies"))


def _note_pytest9(swap: str, path: str, number: int, findings: list[Finding]) -> None:
    if swap.startswith("httpx2-pytest"):
        findings.append(Finding(PYTEST9.code, PYTEST9.severity, path, number, 1,
                                "httpx2-pytest requires pytest 9: pins of pytest 8 or of plugins built for it must move too",
                                PYTEST9.fix, "dependencies"))


def _requirement_line(line: str, needs: Needs, path: str, number: int, findings: list[Finding], placed: set[str]) -> list[str]:
    """One requirements-style line, edited: the lines that replace it (maybe none)."""
    body, hash_, comment = line.partition("#")
    stripped = body.strip()
    split = _split_requirement(stripped) if stripped and not stripped.startswith("-") else None
    if split is None:
        return [line]
    name = split[0]
    _note_mocks(name, path, number, findings, needs.swaps)
    indent = body[: len(body) - len(body.lstrip())]
    ending = "\n" if line.endswith("\n") else ""
    trailing = (body[len(body.rstrip()):].replace("\n", "") + hash_ + comment.rstrip("\n")) if hash_ else ""
    new = _edited_requirement(stripped, needs, placed)
    if new is None:
        return [line]
    if name in needs.swaps and new:
        _note_pytest9(new[0], path, number, findings)
    out = []
    for k, req in enumerate(new):
        last = k == len(new) - 1
        if req == stripped:  # the line itself stays, as written
            out.append(line if line.endswith("\n") or last else line + "\n")
        else:  # the first new requirement takes the line's comment
            out.append(indent + req + (trailing if k == 0 else "") + (ending if last else "\n"))
    return out


def _array_line(line: str, needs: Needs, path: str, number: int, findings: list[Finding], placed: set[str]) -> tuple[str | None, bool]:
    """A line inside a TOML array of requirement strings, edited (None: drop the whole line)."""
    found = False
    pieces: list[str] = []
    position = 0
    kept_any = False
    strings = _code_strings(line)
    for match in strings:
        quote = match.group(0)[0]
        req = match.group(1) if match.group(1) is not None else match.group(2)
        split = _split_requirement(req)
        items = [match.group(0)]
        if split is not None:
            _note_mocks(_NAME.match(req).group(1), path, number, findings, needs.swaps)  # type: ignore[union-attr]
            if split[0] == "types-requests" and needs.drop_requests:
                items = []
            elif split[0] in needs.swaps:
                swap = needs.swaps[split[0]]
                items = [] if swap in placed else [f"{quote}{swap}{quote}"]
                if swap not in placed:
                    _note_pytest9(swap, path, number, findings)
                    placed.add(swap)
                    items += [f"{quote}{r}{quote}" for r in _followers(_NAME.match(swap).group(1), needs, placed)]  # type: ignore[union-attr]
            elif split[0] == "httpx" and needs.drop_httpx:
                items = [f"{quote}{_retargeted(req, needs)}{quote}"]
            elif split[0] in needs.after:
                items = [match.group(0)] + [f"{quote}{r}{quote}" for r in _followers(split[0], needs, placed)]
            elif split[0] == "requests":
                found = True
                items = [] if needs.drop_requests else [match.group(0)]
                items += [f"{quote}{r}{quote}" for r in (
                    ([_replacement(req, needs)] if needs.httpx else []) + needs.companions())]
        alone = re.fullmatch(r"([ \t]*)" + re.escape(match.group(0)) + r"([ \t]*,?)([ \t]*#[^\n]*)?(\n?)", line)
        if len(items) > 1 and len(strings) == 1 and alone is not None:
            # one requirement a line: each added one on a line of its own, as the array is laid out
            indent, comma, comment, newline = alone.group(1), alone.group(2), alone.group(3) or "", alone.group(4)
            lines = [f"{indent}{items[0]},{comment}"] + [f"{indent}{item}," for item in items[1:-1]] + [f"{indent}{items[-1]}{comma}"]
            return "\n".join(lines) + newline, found
        if items:
            pieces.append(line[position:match.start()] + ", ".join(items))
            position = match.end()
            kept_any = True
        else:
            # drop the string and the comma (and spaces) after it
            pieces.append(line[position:match.start()])
            rest = re.match(r"\s*,[ \t]*", line[match.end():])
            if rest is None and pieces and re.search(r",\s*$", pieces[-1]):
                pieces[-1] = re.sub(r",\s*$", "", pieces[-1])  # the last item: drop the comma before it
            position = match.end() + (rest.end() if rest else 0)
    pieces.append(line[position:])
    new = "".join(pieces)
    if strings and not kept_any and re.fullmatch(r"\s*(#.*)?\n?", new):
        return None, found  # the line held only dropped items
    return new, found


# --- setup.py, through LibCST ------------------------------------------------------------------------
def _edited_requirement(req: str, needs: Needs, placed: set[str]) -> list[str] | None:
    """The requirement strings that replace ``req`` in a list (None: it stays as it is)."""
    split = _split_requirement(req)
    if split is None:
        return None
    name = split[0]
    if name == "types-requests" and needs.drop_requests:
        return []
    if name in needs.swaps:
        swap = needs.swaps[name]
        if swap in placed:
            return []  # both mock libraries named: the new one once
        placed.add(swap)
        return [swap, *_followers(_NAME.match(swap).group(1), needs, placed)]  # type: ignore[union-attr]
    if name == "httpx" and needs.drop_httpx:
        return [_retargeted(req, needs)]
    if name in needs.after:
        return [req, *_followers(name, needs, placed)]
    if name != "requests":
        return None
    return ([] if needs.drop_requests else [req]) + ([_replacement(req, needs)] if needs.httpx else []) + needs.companions()


class _PythonRequirements(Transformer):
    """The requirement strings of setup.py's ``install_requires=[...]``/``extras_require``/
    ``tests_require``, or of a noxfile's ``session.install("...", ...)``."""

    _KEYS = ("install_requires", "extras_require", "tests_require")

    def __init__(self, needs: Needs, nox: bool):
        super().__init__()
        self.needs = needs
        self.nox = nox
        self.depth = 0
        self.declared = False
        self.placed: set[str] = set()

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value in self._KEYS:
            self.depth += 1

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if original.keyword is not None and original.keyword.value in self._KEYS:
            self.depth -= 1
        return updated

    def _edited(self, items: list, value_of, with_value) -> list:
        out = []
        for item in items:
            value = value_of(item)
            req = value.evaluated_value if isinstance(value, cst.SimpleString) else None
            new = _edited_requirement(req, self.needs, self.placed) if isinstance(req, str) else None
            if new is None:
                out.append(item)
                continue
            self.declared |= _split_requirement(req)[0] == "requests"  # type: ignore[index]
            out += [item if r == req else with_value(item, cst.SimpleString(f"{value.quote}{r}{value.quote}")) for r in new]
        return out

    def leave_List(self, original: cst.List, updated: cst.List) -> cst.List:
        if not self.depth or self.nox:
            return updated
        opening = updated.lbracket.whitespace_after
        # what goes between two requirements written where one stood: the list's own layout
        if isinstance(opening, cst.ParenthesizedWhitespace):
            sep = cst.Comma(whitespace_after=opening.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
        else:
            sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        elements: list[cst.Element] = []
        for el in updated.elements:
            new = self._edited([el], lambda e: e.value, lambda e, v: e.with_changes(value=v))
            if len(new) > 1:
                trailing = isinstance(el.comma, cst.Comma) and isinstance(el.comma.whitespace_after, cst.ParenthesizedWhitespace)
                if trailing:  # its comment stays on the first line; the others follow, each on its own
                    new = [new[0]] + [e.with_changes(comma=sep) for e in new[1:]]
                else:  # the last of the list (or a one-line list): its own comma goes last
                    new = [e.with_changes(comma=sep) for e in new[:-1]] + [new[-1].with_changes(comma=el.comma)]
            elements += new
        if elements and len(elements) < len(updated.elements):
            elements[-1] = elements[-1].with_changes(comma=updated.elements[-1].comma)
        return updated.with_changes(elements=elements)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = original.func
        if not (self.nox and isinstance(func, cst.Attribute) and func.attr.value == "install"):
            return updated
        positional = [a for a in updated.args if a.keyword is None and a.star == ""]
        rest = [a for a in updated.args if a not in positional]
        args = self._edited(positional, lambda a: a.value, lambda a, v: a.with_changes(value=v))
        if len(args) == len(positional) and all(x is y for x, y in zip(args, positional)) or not args:
            return updated  # nothing to change (or nothing would be left to install: nox refuses that)
        if any(a.star for a in updated.args) or rest and updated.args.index(rest[0]) < len(positional):
            return updated  # ``*DEPS`` or keywords among the strings: their order is not the tool's to redo
        args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]] + args[-1:]
        if rest and args:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif args:
            args[-1] = args[-1].with_changes(comma=positional[-1].comma if positional else cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=[*args, *rest])


def _python_file(path: str, text: str, needs: Needs, nox: bool) -> Edit:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return Edit(text, [], False)
    transformer = _PythonRequirements(needs, nox)
    new = transform(module, transformer)
    return Edit(new.code, [], transformer.declared)


# --- a run's dependency-file results ------------------------------------------------------------------
def results_for(code_results: list, package_of, target: str = "httpx", source: str = "requests",
                held: set[str] = frozenset()) -> list:  # type: ignore[assignment]
    """FileResults for the dependency files of every package whose code the run migrated; ``held``:
    packages kept on httpx under ``--target httpx2`` (:mod:`migrator.project.mock_conflict`)."""
    asked = target
    from migrator.engine.pipeline import FileResult

    by_package: dict[str, list] = {}
    for r in code_results:
        by_package.setdefault(package_of(r.path), []).append(r)
    out = []
    for package, members in sorted(by_package.items()):
        if not package or all(m.skipped for m in members):
            continue  # files in no package, or a package that never used requests
        if package in held and source == "httpx":
            continue  # nothing of it moved
        target = "httpx" if package in held else asked
        needs = needs_from([m.features for m in members], target)
        if source == "httpx":  # only httpx's code moved: requests' lines are not this run's business
            needs = dataclasses.replace(needs, drop_requests=False, swaps={k: v for k, v in needs.swaps.items() if k == "pytest-httpx"})
        declared = False
        for path in dependency_files(package):
            with open(path, "rb") as fh:
                data = fh.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            edit = rewrite(path, text, needs)
            declared |= edit.declared_requests or bool((_HTTPX2_DECLARED if target == "httpx2" else _HTTPX_DECLARED).search(edit.text))
            new = edit.text.encode("utf-8") if edit.text != text else None
            out.append(FileResult(path, data, new, edit.findings, kind="dependencies", old_text=text, new_text=edit.text))
        replayed = next((m.path for m in members if "cassettes" in m.features), None)
        if replayed is not None and any(m.moved for m in members):
            out.append(FileResult(replayed, b"", None, [Finding(
                CASSETTES.code, CASSETTES.severity, replayed, 1, 1,
                f"package {package!r}: its tests replay cassettes recorded through requests; its code now sends through httpx",
                CASSETTES.fix, "dependencies")], kind="dependencies"))
        if needs.httpx and not declared:
            where = next(m.path for m in members if not m.skipped)
            out.append(FileResult(where, b"", None, [Finding(
                UNDECLARED.code, UNDECLARED.severity, where, 1, 1,
                f"package {package!r}: no dependency file declares requests; add {needs.library}{needs.spec}",
                UNDECLARED.fix, "dependencies")], kind="dependencies"))
    return out
