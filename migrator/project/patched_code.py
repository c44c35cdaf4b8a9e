"""What a module the run migrated did with its ``requests`` name, for the tests that patch it.

A test that patches ``pkg.api.requests.get`` (or ``pkg.api.requests``) can follow the code only
when every call it intercepted became the same httpx function with arguments the tool can write
out for the test's assertions too, whatever their values: the URL, keywords kept as they were,
``allow_redirects`` renamed, positional arguments named, ``follow_redirects=True`` and
``timeout=`` added where absent. A call whose rewrite depends on an argument's value (a str body
becoming ``content=``, a timeout tuple becoming ``httpx.Timeout``, a CA path becoming an SSL
context, a body on GET going through ``httpx.request``) or that became something else (a
``stream()`` context, a kept call) cannot be followed: its tests are reported instead.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from codemods._helpers import VARIANTS
from codemods._request_args import _NO_BODY_VERBS, _POSITIONAL, VERBS

# keywords whose rewrite depends on the value, or that the tool refuses or drops: what becomes of them
_VALUE_DEPENDENT = {
    "stream": "the call becomes a stream() context, or stays on requests",
    "cert": "the call stays on requests",
    "hooks": "the response goes through _requests_hooks, which a mock response does not fit (or the call stays on requests)",
    "proxies": "proxies= becomes proxy= (or the call stays on requests)",
    "files": "files= is rewritten by its value",
}
# response attributes the migrated code may read where requests' code read another: (read now,
# what a test must set on its mock response for the code to see the same thing)
_RENAMED_READS = {"is_error": "ok"}
# what the migrated code reads on responses that an object of a test's own (a fake response class)
# may not have: httpx's names for requests' attributes, and iter_lines, whose lines are str now (on
# async streams; elsewhere ``_requests_iter_lines`` keeps them bytes, asking a fake for its own)
_FAKE_READS = {"is_error": "ok", "reason_phrase": "reason", "next_request": "next", "has_redirect_location": "is_redirect",
               "iter_bytes": "iter_content", "iter_text": "iter_content", "iter_lines": "iter_lines"}
_STR_URL = re.compile(r"\bstr\(\w+(?:\.\w+)*\.url\)")


@dataclasses.dataclass
class PatchedCode:
    """``module_why``: None when every use of ``requests`` was a call of one of its request
    functions (so a test may patch the whole name); ``verbs``: verb -> None when every call of
    ``requests.<verb>`` became ``httpx.<verb>`` exactly, else why not; ``reads``: verb -> the
    attributes the migrated code reads on its responses that a mock must have set (-> the name
    the test sets)."""

    module_why: str | None
    verbs: dict[str, str | None]
    reads: dict[str, dict[str, str]]
    reads_ok: bool = False  # ``.ok`` is still read somewhere (code the migration reported, say)
    fake_reads: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)  # verb -> _FAKE_READS found
    named: set[str] = dataclasses.field(default_factory=set)  # verbs whose calls pass positionals past the URL
    # verbs whose calls' params= the migration wrote into the URL (_requests_url(url, params))
    url_params: set[str] = dataclasses.field(default_factory=set)

    def fake_reads_of(self, what: str) -> dict[str, str]:
        if what == "requests":
            return {now: then for found in self.fake_reads.values() for now, then in found.items()}
        return self.fake_reads.get(what.removeprefix("requests."), {})

    def reads_of(self, what: str) -> dict[str, str]:
        if what == "requests":  # a mocked module: any of its functions may run
            return {now: then for found in self.reads.values() for now, then in found.items()}
        return self.reads.get(what.removeprefix("requests."), {})

    def why_not(self, what: str) -> str | None:
        """None when a patch of ``requests`` (``what`` = "requests") or ``requests.<verb>`` can follow."""
        if what == "requests":
            return self.module_why or next((why for why in self.verbs.values() if why), None)
        verb = what.removeprefix("requests.")
        if verb not in self.verbs:
            return f"the code calls no requests.{verb}" if verb in VERBS else f"{what} is not a request function the tool rewrites"
        return self.verbs[verb]


def patched_code(path: str, old_text: str, new_text: str) -> PatchedCode:
    """What ``path`` (migrated from ``old_text`` to ``new_text``) did with ``requests``."""
    try:
        tree = ast.parse(old_text)
    except (SyntaxError, ValueError):
        return PatchedCode(f"{path} cannot be read", {}, {})
    for helper in (text for texts in VARIANTS.values() for text in texts):  # the tool's helpers: what they read is judged where they are called
        new_text = new_text.replace(helper, "")
    # code moved to httpx2 (--target httpx2) is judged as the httpx code it was: the same API; a test
    # that follows it is written for httpx, then moved to httpx2 too (test_patches.report)
    new_text = re.sub(r"\bhttpx2\b", "httpx", new_text)
    module_why = None
    if not any(isinstance(n, ast.Import) and any(a.name == "requests" and a.asname is None for a in n.names) for n in tree.body):
        module_why = f"{path} does not import requests under that name at the top of the module"
    calls: dict[str, list[ast.Call]] = {}
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id == "requests" and isinstance(node.ctx, ast.Load)):
            continue
        attribute = parents.get(id(node))
        call = parents.get(id(attribute))
        if isinstance(attribute, ast.Attribute) and attribute.attr in VERBS and isinstance(call, ast.Call) and call.func is attribute:
            calls.setdefault(attribute.attr, []).append(call)
        elif module_why is None:
            shown = f"requests.{attribute.attr}" if isinstance(attribute, ast.Attribute) else "requests"
            module_why = f"{path} uses {shown} (line {node.lineno}), which a patch of the whole module replaces too"
    verbs = {verb: _why_not(path, verb, found) for verb, found in calls.items()}
    if re.search(r"^\s*import requests\b|^\s*from requests\b", new_text, re.M):
        verbs = {verb: why or f"{path} still imports requests" for verb, why in verbs.items()}
    elif not re.search(r"^import httpx$", new_text, re.M):
        verbs = {verb: why or f"{path} does not import httpx as httpx" for verb, why in verbs.items()}
    url_params: set[str] = set()
    if "_requests_url(" in new_text:  # params= written into the URL by requests' rules, where not exact as it was
        for verb, found in calls.items():
            passes = [c for c in found if _params_of(verb, c) is not None]
            in_url = [c for c in passes if not _params_exact(verb, c, _params_of(verb, c))]
            if in_url and len(in_url) < len(passes) and verbs[verb] is None:
                verbs[verb] = f"{path}:{in_url[0].lineno} passes params= that went into the URL, where other calls kept params="
            elif in_url:
                url_params.add(verb)
    for verb, found in calls.items():
        if verbs[verb] is None and len(re.findall(rf"\bhttpx\.{verb}\(", new_text)) != len(found):
            verbs[verb] = f"{path}'s requests.{verb} calls did not all become httpx.{verb}"
    if module_why is None and any(name not in VERBS for name in re.findall(r"\bhttpx\.(\w+)", new_text)):
        module_why = f"{path} uses httpx for more than its request functions now"
    fresh = {now: then for now, then in _FAKE_READS.items()
             if re.search(rf"\.{now}\b", new_text) and (now == "iter_lines" or not re.search(rf"\.{now}\b", old_text))}
    named = {verb for verb, found in calls.items() if any(len(c.args) > (2 if verb == "request" else 1) for c in found)}
    return PatchedCode(module_why, verbs, _reads(old_text, new_text, set(calls)), re.search(r"\.ok\b", new_text) is not None,
                       _by_verb(new_text, set(calls), fresh), named, url_params)


def _reads(old_text: str, new_text: str, verbs: set[str]) -> dict[str, dict[str, str]]:
    """verb -> the renamed attributes the migrated code reads on responses of that verb's calls
    that a mock response must set (``is_error``, ``str(r.url)``)."""
    new = {now: then for now, then in _RENAMED_READS.items()
           if re.search(rf"\.{now}\b", new_text) and not re.search(rf"\.{now}\b", old_text)}
    if len(_STR_URL.findall(new_text)) > len(_STR_URL.findall(old_text)):
        new["str(url)"] = "url"
    return _by_verb(new_text, verbs, new)


def _by_verb(new_text: str, verbs: set[str], new: dict[str, str]) -> dict[str, dict[str, str]]:
    """verb -> those of ``new`` read in the functions that make that verb's calls.

    Granularity: the function. A function reading one reads it on the responses of the calls it
    makes; a function making none (a helper handed responses), or the module's top level, on all."""
    out: dict[str, dict[str, str]] = {verb: {} for verb in verbs}
    if not new:
        return out
    try:
        tree = ast.parse(new_text)
    except SyntaxError:
        return {verb: dict(new) for verb in verbs}
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(sub) for f in functions for sub in ast.walk(f) if sub is not f}
    pieces = [ast.get_source_segment(new_text, f) or "" for f in functions]
    pieces.append("\n".join(ast.get_source_segment(new_text, n) or "" for n in tree.body if id(n) not in inside and n not in functions))
    for piece in pieces:
        found = {now: then for now, then in new.items()
                 if (_STR_URL.search(piece) if now == "str(url)" else re.search(rf"\.{now}\b", piece))}
        called = set(re.findall(r"\bhttpx\.(\w+)\(", piece)) & verbs
        for verb in called or verbs:
            out[verb].update(found)
    return out


def merged(codes: list[PatchedCode]) -> PatchedCode:
    """Several modules at once (a patch of ``requests.get`` itself reaches every one of them)."""
    verbs: dict[str, str | None] = {}
    reads: dict[str, dict[str, str]] = {}
    for code in codes:
        for verb, why in code.verbs.items():
            verbs[verb] = verbs.get(verb) or why
        for verb, found in code.reads.items():
            reads.setdefault(verb, {}).update(found)
    fake_reads: dict[str, dict[str, str]] = {}
    for code in codes:
        for verb, found in code.fake_reads.items():
            fake_reads.setdefault(verb, {}).update(found)
    module_why = next((c.module_why for c in codes if c.module_why), None)
    return PatchedCode(module_why, verbs, reads, any(c.reads_ok for c in codes), fake_reads, set().union(*(c.named for c in codes)),
                       set().union(*(c.url_params for c in codes)))


def _why_not(path: str, verb: str, calls: list[ast.Call]) -> str | None:
    names = _POSITIONAL["module"].get(verb, ())
    leading = 2 if verb == "request" else 1
    for call in calls:
        where = f"{path}:{call.lineno}"
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return f"{where} passes *args/**kwargs: the tool cannot tell which arguments its tests see"
        if len(call.args) > leading + len(names):
            return f"{where} passes more positional arguments than requests takes"
        keywords = {k.arg: k.value for k in call.keywords} | dict(zip(names, call.args[leading:]))
        for name, value in keywords.items():
            if name in _VALUE_DEPENDENT:
                return f"{where} passes {name}=: {_VALUE_DEPENDENT[name]}, which the tests' call assertions cannot follow"
            if name == "data" and _body_literal(value):
                return f"{where} passes a str or bytes body as data=, which becomes content="
            if name == "timeout" and isinstance(value, ast.Tuple):
                return f"{where} passes a timeout tuple, which becomes httpx.Timeout(...)"
            if name == "verify" and not (isinstance(value, ast.Constant) and isinstance(value.value, bool)):
                return f"{where} passes verify= that may be a CA path, which becomes an SSL context"
        if verb in _NO_BODY_VERBS and any(b in keywords for b in ("data", "json")):
            return f"{where} sends a body with {verb.upper()}, which goes through httpx.request"
    return None


def _body_literal(node: ast.expr) -> bool:
    """A str or bytes literal, or ``x.encode(...)``: what the migration turns into ``content=``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode":
        return True
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _params_of(verb: str, call: ast.Call) -> ast.expr | None:
    """The params= a call passes (``get``'s second positional too)."""
    given = next((k.value for k in call.keywords if k.arg == "params"), None)
    if given is None and verb == "get" and len(call.args) > 1:
        given = call.args[1]
    return None if isinstance(given, ast.Constant) and given.value is None else given


def _params_exact(verb: str, call: ast.Call, params: ast.expr) -> bool:
    """Kept as params= by the migration (``_request_args._params_exact``): a literal URL without a
    query, and a dict of str, int and float literals (or lists of them)."""
    at = 1 if verb == "request" else 0
    url = call.args[at] if len(call.args) > at else next((k.value for k in call.keywords if k.arg == "url"), None)

    def plain(node: ast.expr) -> bool:
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(plain(e) for e in node.elts)
        return isinstance(node, ast.Constant) and type(node.value) in (str, int, float)

    return (isinstance(url, ast.Constant) and isinstance(url.value, str) and "?" not in url.value
            and isinstance(params, ast.Dict) and None not in params.keys and all(plain(v) for v in params.values))
