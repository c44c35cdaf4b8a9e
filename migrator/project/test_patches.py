"""Tests that patch requests by name in a module the migration changed: followed, or named.

``mock.patch("pkg.api.requests")``, ``patch("pkg.api.requests.post")``,
``mock.patch.object(api.requests, "get")`` and ``monkeypatch.setattr(api.requests, "get", fake)``
replace what ``pkg/api.py`` calls requests through. Such test files often never import requests
themselves, so the migration does not read them; but once ``pkg/api.py`` is migrated, its
``requests`` is gone (the patch raises AttributeError) or no longer what it calls (the patch
intercepts nothing). The runner, which sees every file of the run, looks for such patches in each
file whose text mentions ``requests``. A test whose patches can follow the module exactly is
rewritten (:mod:`migrator.project.patch_follow`, with what :mod:`migrator.project.patched_code`
found the module became); each other test patching a module the run changed is reported.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._request_args import VERBS
from codemods.mock_libraries import is_test_file
from migrator.engine.findings import Code, Finding
from migrator.engine.formatting import format_for_project
from migrator.engine.httpx2 import moved_to_httpx2
from migrator.engine.sourcefile import decode
from migrator.project.dependencies import features
from migrator.project.packages import package_of
from migrator.project.patch_follow import follow
from migrator.project.patched_code import PatchedCode, merged, patched_code
from migrator.project.test_tree import imported_modules

PATCHES_MIGRATED_CODE = Code(
    "test-patches-migrated-code",
    "error",
    "A test patches requests in a module the migration changed, and cannot follow it",
    "The test replaces ``requests`` (or one of its functions) as a module of the project sees it, "
    "with ``mock.patch(\"pkg.api.requests...\")``, ``patch.object(api.requests, ...)`` or "
    "``monkeypatch.setattr``. The migration changed that module: where it no longer imports "
    "requests the patch raises AttributeError, and where its calls now go through httpx the patch "
    "no longer intercepts them. Tests the tool can follow exactly are rewritten to patch httpx "
    "(see the test_patches page); this one could not be, for the reason the message gives, so it "
    "was left as it was and fails.",
    "Patch what the module uses now (``pkg.api.httpx.get``, the client's method, or a respx route), "
    "or keep that module on requests until its tests are moved.",
)

_TARGET = re.compile(r"^(?:[A-Za-z_]\w*\.)*requests(?:\.\w+)*$")
_PATCHERS = frozenset({"object", "setattr"})  # patch.object(requests.Session, ...), monkeypatch.setattr(requests, ...)


# patch("x.requests...", patch.object(x.requests, ...), setattr(requests, ...), and a patcher under
# another name (from unittest.mock import patch as p): p("pkg.api.requests.get")
_MAY_PATCH = re.compile(rb"(?:patch|object|setattr)\(\s*['\"]?[\w.]*\brequests\b|\(\s*['\"][\w.]+\.requests(?:\.\w+)*['\"]")


def may_patch_requests(data: bytes) -> bool:
    """A cheap first look: could this file patch requests by name (``patch("x.requests...``,
    ``patch.object(x.requests, ...``, ``setattr(requests.Session, ...``)?"""
    return b"requests" in data and _MAY_PATCH.search(data) is not None


def _split(target: str) -> tuple[str, str] | None:
    """``pkg.api.requests.post`` -> (``pkg.api``, ``requests.post``); ``requests.get`` -> ("", ``requests.get``):
    requests itself, wherever it is used."""
    if not _TARGET.match(target) or "." not in target and target != "requests":
        return None
    parts = target.split(".")
    at = parts.index("requests")
    return ".".join(parts[:at]), ".".join(parts[at:])


def patches(data: bytes) -> list[tuple[str, str, int, str]]:
    """(module, what of requests, line, test) for each patch of requests by name in a file."""
    tree = _parsed(data)
    return _patches_in(tree, imported_modules(tree)) if tree is not None else []


def _parsed(data: bytes) -> ast.Module | None:
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError):
        return None


def _patches_in(tree: ast.Module, imported: dict[str, str]) -> list[tuple[str, str, int, str]]:
    """:func:`patches` of a parsed file (``imported``: local name -> the module it is)."""
    targets = {id(c.args[0]) for c in ast.walk(tree) if isinstance(c, ast.Call) and c.args and _patcher(c.func, imported) in ("patch", "setattr")}
    out = []
    for test, node in _nodes_by_test(tree):
        target = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) in targets:
            target = _split(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PATCHERS and node.args:
            spelled = _dotted(node.args[0])  # patch.object(api.requests, ...), setattr(requests.Session, ...)
            head, _, rest = (spelled or "").partition(".")
            module = imported.get(head)
            attr = node.args[1] if len(node.args) > 1 else None
            if isinstance(attr, ast.Constant) and isinstance(attr.value, str) and attr.value.isidentifier():
                rest = f"{rest}.{attr.value}" if rest else attr.value  # patch.object(api.requests, "get")
            if module is not None:
                target = _split(f"{module}.{rest}" if rest else module)
        if target is not None:
            out.append((*target, node.lineno, test))
    return out


def targets(candidates: dict[int, bytes]) -> set[str]:
    """Every target patched by name in ``candidates`` (``pkg.api.requests.get``)."""
    return {f"{module}.{what}" if module else what for data in candidates.values() for module, what, _, _ in patches(data)}


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _patcher(func: ast.AST, imported: dict[str, str]) -> str | None:
    """``patch`` for ``mock.patch``/``patch``/``mocker.patch`` (or ``p`` of ``from unittest.mock
    import patch as p``), ``setattr`` for ``monkeypatch.setattr``."""
    if isinstance(func, ast.Name) and func.id in imported:
        return imported[func.id].rsplit(".", 1)[-1]
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _nodes_by_test(tree: ast.Module):
    """(the test a node is in: ``test_x``, ``TestX.test_y``, ``TestX`` for its decorators, or "" at
    module level; the node), for every node."""
    for top in tree.body:
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            units = [(top.name, [top])]
        elif isinstance(top, ast.ClassDef):
            units = [(f"{top.name}.{m.name}", [m]) for m in top.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
            units.append((top.name, top.decorator_list))
        else:
            units = [("", [top])]
        for name, roots in units:
            for root in roots:
                for node in ast.walk(root):
                    yield name, node


def report(results, candidates: dict[int, bytes], reach, timeout: str = "None", library: str = "httpx") -> None:
    """Make each test file (``candidates``: index in ``results`` -> its bytes) follow the modules the
    run moved to httpx (:mod:`migrator.project.patch_follow`), and add a finding for each test patching
    requests in such a module that cannot follow (``reach``: a :class:`migrator.project.test_reach.Reach`,
    which finds the file a module is). ``timeout``: the timeout the migration wrote, as source;
    ``library``: the one the code moved to (a test that follows it to httpx2 is moved there too)."""
    facts: dict[int, PatchedCode] = {}
    package_files: dict[str, list[int]] = {}  # package -> its code files' indexes
    for index, data in candidates.items():
        test_file = results[index]
        source = decode(data)
        text = test_file.new_text if test_file.changed else source.text
        tree = _parsed(text.encode("utf-8")) if test_file.changed else _parsed(data)  # (the text as it stands now)
        imported = imported_modules(tree) if tree is not None else {}
        # where each test's patches stood in the file as read: its findings' lines
        found = patches(data) if test_file.changed else _patches_in(tree, imported) if tree is not None else []
        lines = {(test, f"{module}.{what}" if module else what): line for module, what, line, test in reversed(found)}
        wanted: dict[str, dict[str, PatchedCode]] = {}
        reasons: list[tuple[str, str, str, int]] = []  # (test, target, why, line)
        reached: list[int] | None = None  # the code files the test file reaches (found when needed)
        for module, what, line, test in (_patches_in(tree, imported) if test_file.changed and tree is not None else found):
            target_name = f"{module}.{what}" if module else what
            line = lines.get((test, target_name), line)
            if module:
                found = reach.find(module.replace(".", "/"))
                target = results[found] if found is not None else None
                # as this run leaves it (or an earlier one did: a second run reports it too)
                gone = target is not None and "requests" not in target.features
                if target is None or not (gone or "httpx-sends" in target.features):
                    continue
                why = (f"{target.path} no longer imports requests: the patch raises AttributeError" if gone
                       else f"{target.path} sends some of its requests through httpx now: the patch no longer intercepts those")
                if target.changed and test:
                    if found not in facts:
                        facts[found] = patched_code(target.path, target.old_text, target.new_text)
                    code = facts[found]
                    verb = what.removeprefix("requests.")
                    if verb in VERBS:  # pkg.api.requests.get is requests' own get: other code called it too
                        if reached is None:
                            reached = [j for j in reach.of(index, conftests=True) if results[j].kind == "code" and not is_test_file(results[j].path)]
                        others = [j for j in reached if j != found]
                        elsewhere = _reached_code(results, others, verb, facts)
                        reason = elsewhere.why_not(what)
                        if reason != _NOT_CALLED:
                            if reason:  # (the patch replaced requests' own function, for that code too)
                                reason = f"the patch replaces requests' own {verb}, which other code the test reaches uses: {reason}"
                                elsewhere = PatchedCode(None, {verb: reason}, {})
                            code = merged([code, elsewhere])
                    wanted.setdefault(test, {})[target_name] = code
            else:  # requests itself: whichever code of the package the test runs
                sessions = what.startswith(("requests.Session", "requests.sessions"))
                moved = _migrated_code(results, package_of(test_file.path), "httpx-client" if sessions else "httpx-sends")
                if not moved:
                    continue
                why = f"{moved[0].path}{f' and {len(moved) - 1} more files' if len(moved) > 1 else ''} of its package send requests through httpx now: the patch no longer intercepts those"
                verb = what.removeprefix("requests.")
                if test and verb in VERBS:  # patch("requests.get"): the code the test reaches decides
                    if reached is None:
                        reached = [j for j in reach.of(index, conftests=True) if results[j].kind == "code" and not is_test_file(results[j].path)]
                    code = _reached_code(results, reached, verb, facts)
                    if code.why_not(what) == _NOT_CALLED:  # a conftest.py fixture: for the tests of its package
                        package = package_of(test_file.path)
                        if package not in package_files:
                            package_files[package] = [j for j, r in enumerate(results) if r is not None and r.kind == "code"
                                                      and not is_test_file(r.path) and package_of(r.path) == package]
                        code = _reached_code(results, package_files[package], verb, facts)
                    wanted.setdefault(test, {})[target_name] = code
            reasons.append((test, target_name, why, line))
        followed: set[str] = set()
        if wanted:
            try:
                new_text, refused = follow(text, wanted, imported, timeout)
            except Exception as exc:  # a bug here must not stop the run: the tests are reported instead
                new_text, refused = text, {test: f"the tool failed to read it ({type(exc).__name__}: {exc})" for test in wanted}
            followed = wanted.keys() - refused.keys()
            reasons = [(test, target, f"{why}; it is left as it was: {refused[test]}" if test in refused else why, line)
                       for test, target, why, line in reasons]
            if new_text != text and library == "httpx2":
                new_text = moved_to_httpx2(new_text)
            if new_text != text:
                _write(test_file, source, data, text, new_text)
            spans = _spans(data, followed)  # what the run said of their requests code is answered now
            test_file.findings = [f for f in test_file.findings
                                  if not (f.code == "requests-unmigrated" and any(a <= f.line <= b for a, b in spans))]
        seen: set[str | int] = set()
        fixtures = _fixtures(data) if reasons else set()
        for test, target, why, line in reasons:
            if test in followed or (test or line) in seen:
                continue
            seen.add(test or line)
            # (a fixture's name: the message says so, since the tests that fail are those using it)
            who = f"the fixture {test} patches" if test in fixtures else f"{test} patches" if test else "this patch of"
            test_file.findings.append(Finding(PATCHES_MIGRATED_CODE.code, PATCHES_MIGRATED_CODE.severity, test_file.path,
                                              line, 1, f"{who} {target}, but {why}", PATCHES_MIGRATED_CODE.fix, "engine"))
        test_file.findings.sort(key=Finding.sort_key)


def _fixtures(data: bytes) -> set[str]:
    """The names of the pytest fixtures ``data`` defines (``@pytest.fixture``, ``@fixture(...)``)."""
    def is_fixture(decorator: ast.expr) -> bool:
        decorator = decorator.func if isinstance(decorator, ast.Call) else decorator
        return (decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")) == "fixture"

    return {name for name, node in _functions(ast.parse(data)) if any(map(is_fixture, node.decorator_list))}


def _spans(data: bytes, tests: set[str]) -> list[tuple[int, int]]:
    """The lines (first, last) of each of ``tests`` (``test_x``, ``TestX.test_y``) in ``data``."""
    out = []
    for test, node in _functions(ast.parse(data)):
        if test in tests:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.append((first, node.end_lineno or node.lineno))
    return out


def _functions(tree: ast.Module):
    for top in tree.body:
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield top.name, top
        elif isinstance(top, ast.ClassDef):
            for member in top.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{top.name}.{member.name}", member


def _write(test_file, source, data: bytes, text: str, new_text: str) -> None:
    """The test file's result now ends as ``new_text`` (touched lines formatted like the rest)."""
    module_indent = cst.parse_module(new_text).default_indent
    formatted = format_for_project(text, new_text, module_indent, test_file.path)
    new_text = formatted if formatted is not None else new_text
    if not test_file.changed:
        test_file.original, test_file.old_text = data, source.text
    test_file.new, test_file.new_text = source.encode(new_text), new_text
    test_file.skipped = False
    test_file.features = features(new_text)


_NOT_CALLED = "no code the test reaches, nor its package's, called it"


def _reached_code(results, reached: list[int], verb: str, facts: dict[int, PatchedCode]) -> PatchedCode:
    """What the code files a test reaches (and its package's) did with ``requests.<verb>``, together:
    a patch of it (which replaces requests' own function, whatever module it is named through) can
    follow only if every one of them that used it now calls ``httpx.<verb>`` exactly, and none
    called ``httpx.<verb>`` before the run (the patch would intercept that code now too)."""
    codes = []
    uses = re.compile(rf"\brequests\.{verb}\b|getattr\(\s*requests\b|^\s*from\s+requests\s+import\b[^\n]*\b{verb}\b", re.M)
    earlier = re.compile(rf"\bhttpx\.{verb}\b|getattr\(\s*httpx\b")
    for j in reached:
        target = results[j]
        old = target.old_text if target.changed else _text_of(target)
        if earlier.search(old):
            return PatchedCode(None, {verb: f"{target.path} called httpx.{verb} before the run: the patch would intercept it too"}, {})
        if not uses.search(old):
            continue
        if not target.changed:
            return PatchedCode(None, {verb: f"{target.path} still uses requests.{verb}"}, {})
        if j not in facts:
            facts[j] = patched_code(target.path, target.old_text, target.new_text)
        codes.append(facts[j])
    if not codes:
        return PatchedCode(None, {verb: _NOT_CALLED}, {})
    return merged(codes)


def _text_of(result) -> str:
    """A file's text as the run leaves it unchanged (its bytes are not kept: read again)."""
    if result.original:
        return result.original.decode("utf-8", "replace")
    try:
        with open(result.path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _migrated_code(results, package: str, feature: str) -> list:
    """The package's files, other than tests, that send requests through httpx (``feature``:
    "httpx-client" for a patch of requests' sessions, which only clients replace), as this run, or
    an earlier one, left them."""
    from codemods.mock_libraries import is_test_file

    return [r for r in results if r.kind == "code" and not is_test_file(r.path) and package_of(r.path) == package
            and feature in r.features]
