"""httpx code becomes httpx2 code: ``--target httpx2``, and ``--from httpx`` for code already on httpx.

## What it does
With ``--target httpx2`` it runs after every other codemod, on what they wrote; with
``--from httpx --target httpx2`` it runs alone, on files that import httpx (written by hand or by
this tool). httpx2 keeps httpx 0.28's API, so the move is a rename, done on the tree:

| httpx | httpx2 |
|---|---|
| ``import httpx``, ``import httpx as hx``, ``from httpx import Client``, ``from httpx._types import …`` | the same from ``httpx2`` (an alias stays the alias) |
| ``httpx.Client``, ``isinstance(r, httpx.Response)``, annotations, ``"httpx.Client"`` in a string annotation | ``httpx2.…`` |
| ``mock.patch("httpx.Client.send")``, ``monkeypatch.setattr("pkg.mod.httpx.get", …)``, ``pytest.importorskip("httpx")`` | ``httpx2`` in the dotted path |
| ``mock.patch.object(api.httpx, "get")``, ``monkeypatch.setattr(api.httpx, "get", fake)`` | ``api.httpx2`` |
| pytest-httpx: ``httpx_mock``, ``from pytest_httpx import HTTPXMock``, ``@pytest.mark.httpx_mock(...)`` | httpx2-pytest: ``httpx2_mock``, ``from pytest_httpx2 import HTTPXMock``, ``@pytest.mark.httpx2_mock(...)`` |
| respx: ``respx.mock(...)``, ``respx.MockRouter(...)`` | ``respx.mock(..., using="httpcore2")`` (pytest-httpx2's mocker) |
| respx's module-level router (``@respx.mock``, ``respx.get(...)``, ``respx.start()``) and its ``respx_mock`` fixture | the same, with an autouse fixture that sets ``respx.mocks.DEFAULT_MOCKER = "httpcore2"`` for each of the module's tests (``monkeypatch``); where the router may start before a test's fixtures (``respx.start()``, ``setup_class``, a module-scoped fixture) or the module does not import pytest, the assignment written once below the imports |
| in a file that does not import respx: its ``respx_mock`` fixture, ``@pytest.mark.respx(...)`` | pytest-httpx2's ``httpx2_mock`` fixture, ``@pytest.mark.httpx2(...)`` |

The package's dependency files follow: ``httpx`` becomes ``httpx2>=2.16`` (extras kept), test
dependencies gain ``pytest-httpx2`` beside respx, and ``pytest-httpx`` becomes ``httpx2-pytest``.

## Why
httpx has had no release since 0.28.1; httpx2 is its maintained successor under a new import
name. respx stays built on httpx: a route answers with an ``httpx.Response`` (an ``httpx2.Response``
as ``return_value`` is a TypeError) and records ``httpx.Request`` objects. So in a file that uses
respx, every response built with ``httpx.Response(...)`` stays httpx's (with its import): in a route's
``.mock()``, a side effect's function, a fixture or a variable alike (a mock standing in for the
code's client gets one too; it reads the same); exceptions a route raises (``side_effect=``) become
httpx2's, which is what the code under test catches, and ``isinstance(r, httpx.Response)`` becomes
httpx2's, the class of what the code under test returns.
``httpx2.alias_httpx()`` (an import hook) is not used: it would change every import of httpx in
the interpreter, the libraries' included.

## When it reports instead of rewriting
- ``httpx2-trust-store`` (every moved file, once; a warning where the code names certifi,
  ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE``): httpx2 verifies certificates against the system's
  trust store, where requests and httpx 0.28 used certifi's bundle.
- ``httpx2-not-moved`` (the file stays as it is): the name ``httpx`` or ``httpx2`` is bound by
  something other than its import; the file uses httpx-retries (its ``RetryTransport`` takes
  httpx's transports only); or it imports httpx under an alias and uses respx.
- ``httpx2-not-moved`` too, after the codemods ran: a respx router serves as a client's transport
  (``MockTransport(router.handler)``): it answers with httpx's responses, which httpx2's
  ``MockTransport`` rejects.
- ``httpx-package``: the file imports a package that, in the environment running the tool, is built
  on httpx and not httpx2: the clients, responses and exceptions it takes or returns are httpx's,
  a different class from httpx2's. Also at ``isinstance(x, httpx.Request)`` in a file that uses respx
  (respx records httpx's requests; the check now names httpx2's class).

An exception class a respx route raises (``side_effect=httpx.ConnectError``) is written built
(``httpx2.ConnectError("Mock Error")``): respx builds only httpx's own classes with a message.
"""

from __future__ import annotations

import re

import libcst as cst

from codemods.base import Codemod, kwarg, literal_text, with_function
from migrator.engine.findings import Code
from migrator.engine.names import dotted
from migrator.engine.visitors import Transformer, transform, walk

TRUST_STORE = Code(
    "httpx2-trust-store",
    "info",
    "httpx2 verifies certificates against the system's trust store",
    "requests (and httpx 0.28) verify HTTPS certificates against certifi's CA bundle, and requests "
    "also reads ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``. httpx2 uses the operating system's trust "
    "store (truststore on Windows and macOS, OpenSSL's default paths on Linux, ``SSL_CERT_FILE`` and "
    "``SSL_CERT_DIR`` honoured): a server certified by a CA only certifi trusts now fails to connect, "
    "and a CA the machine added (a company proxy) is now trusted. It is a warning where the code "
    "names certifi or requests' CA variables, an info elsewhere (once per file).",
    "Keep certifi's bundle where it matters: ``httpx2.Client(verify=ssl.create_default_context("
    "cafile=certifi.where()))``; or set SSL_CERT_FILE where REQUESTS_CA_BUNDLE was set.",
)
NOT_MOVED = Code(
    "httpx2-not-moved",
    "error",
    "The file stays on httpx",
    "The move renames the module ``httpx`` to ``httpx2`` everywhere in the file. It is not done when a "
    "name in the file other than the import is called ``httpx`` or ``httpx2`` (the rename would change "
    "what it names), when the file uses httpx-retries (whose ``RetryTransport`` accepts httpx's "
    "transports only: under httpx2 each request raises RuntimeError), or when respx is used with httpx "
    "imported under an alias (respx's responses must stay httpx's, and the alias cannot name both).",
    "Rename the local name, replace httpx-retries (``httpx2.HTTPTransport(retries=n)`` keeps connect "
    "retries), or import httpx under its own name; then run the tool again.",
)
HTTPX_PACKAGE = Code(
    "httpx-package",
    "warning",
    "A package the file imports is built on httpx, not httpx2",
    "Objects cross between the code and this package: an ``httpx2.Client`` passed where the package "
    "expects an ``httpx.Client`` (``http_client=``) is a different class, as are the responses and "
    "exceptions it returns or raises (``except httpx2.HTTPError`` does not catch its ``httpx`` errors). "
    "Found by reading the installed package's requirements in the environment running the tool.",
    "Upgrade the package to a release built on httpx2, or keep the objects you hand it on httpx.",
)
RESPX_SIDE_EFFECT = Code(
    "httpx2-respx-side-effect",
    "warning",
    "A respx route's side effect is given by name: respx cannot build an httpx2 exception class",
    "respx builds an exception class given as a side effect with a message when it is one of httpx's "
    "(``httpx.ConnectError``): the move writes httpx2's classes built (``httpx2.ConnectError(\"Mock Error\")``) "
    "where the side effect names them. Given through a name (a variable, a ``parametrize`` argument), "
    "the class cannot be seen: if it is an httpx2 one, respx calls it bare and the test fails with TypeError.",
    "Give the side effect built: ``side_effect=exc(\"Mock Error\")``, or build the classes where they are listed.",
)
MOCK_LIBRARIES = Code(
    "httpx2-mock-libraries",
    "error",
    "The package's tests use respx and pytest-httpx: it stays on httpx",
    "On httpx2, respx needs pytest-httpx2 (its mocker for httpcore2) and pytest-httpx's tests need "
    "httpx2-pytest. Both install the module ``pytest_httpx2`` and a fixture ``httpx2_mock``, so one "
    "environment can hold only one of them, and half of the tests would fail. The package's code "
    "migrates to httpx (as with ``--target httpx``) and code already on httpx stays; each file using "
    "either library is named. Counted with the tests this run migrates to ``--mock-library``.",
    "Move one set of tests to the other library (``respx_mock.get(url).respond(...)`` for "
    "``httpx_mock.add_response(url=...)``, or the other way), then run the tool again.",
)

_RESPX_KEEPS = frozenset({"Response"})  # respx's routes answer with httpx's Response
_PATCHERS = frozenset({"patch", "setattr", "delattr", "multiple", "importorskip", "import_module", "find_spec"})
_RESPX_GLOBAL = frozenset({"start", "stop", "clear", "reset", "get", "post", "put", "patch", "delete", "head", "options",
                           "route", "add", "pop", "request", "calls", "routes"})
_DEFAULT_MOCKER = ("# respx's module-level router (@respx.mock, respx.get) mocks httpx2 (pytest-httpx2's mocker)\n"
                   'respx.mocks.DEFAULT_MOCKER = "httpcore2"\n')
DEFAULT_MOCKER_FIXTURE = "_respx_mocks_httpx2"
# respx reads DEFAULT_MOCKER when a router starts, and it is process-wide: set by a fixture, it holds
# for this module's tests alone (a test file left on httpx, run in the same session, keeps httpcore)
_DEFAULT_MOCKER_FIXTURE_TEXT = '''@pytest.fixture(autouse=True)
def _respx_mocks_httpx2(monkeypatch):
    """respx's module-level router (@respx.mock, respx.get, respx_mock) mocks httpx2 in this
    module's tests: pytest-httpx2's mocker, set for each test and put back after it (written by
    requests2httpx)."""
    monkeypatch.setattr(respx.mocks, "DEFAULT_MOCKER", "httpcore2")
'''
# where respx's module-level router may start before a test's fixtures: DEFAULT_MOCKER is set for the module
_EARLY_FUNCTIONS = frozenset({"setUpClass", "setup_class", "setUpModule", "setup_module", "tearDownClass", "teardown_class",
                              "tearDownModule", "teardown_module"})


RESPX_HANDLER = "_respx_handler"
# respx matches httpx's requests and answers with httpx's responses; httpx2's MockTransport hands its
# handler httpx2's requests and takes httpx2's responses. The body goes as sent (still encoded):
# httpx2 decodes it by its headers, as httpx did.
_RESPX_HANDLER_TEXT = '''def _respx_handler(handler):
    """A respx router's handler for httpx2's MockTransport (written by requests2httpx): respx
    matches httpx's requests and answers with httpx's responses; the transport takes httpx2's.
    """

    def handle(request):
        sent = httpx.Request(
            request.method,
            str(request.url),
            headers=request.headers.raw,
            content=request.content,
        )
        response = handler(sent)
        return httpx2.Response(
            response.status_code,
            headers=response.headers.raw,
            content=b"".join(response.stream),
            extensions=response.extensions,
            request=request,
        )

    return handle
'''
# the classes respx builds with a message when given one (httpx.RequestError's); it calls the others bare
_REQUEST_ERRORS = frozenset({
    "CloseError", "ConnectError", "ConnectTimeout", "DecodingError", "LocalProtocolError", "NetworkError", "PoolTimeout",
    "ProtocolError", "ProxyError", "ReadError", "ReadTimeout", "RemoteProtocolError", "RequestError", "TimeoutException",
    "TooManyRedirects", "TransportError", "UnsupportedProtocol", "WriteError", "WriteTimeout"})
# a string naming httpx's objects: a dotted path (``"pkg.api.httpx.get"``) or a type (``"list[httpx.Client] | None"``)
_TYPE_TEXT = re.compile(r"[\w.\[\],|]+")
_LOGGERS = re.compile(r"(httpx|httpcore)(\.\w+)*")


class NotMovable(Exception):
    """What the codemods wrote cannot move to httpx2 (the file stays as it was): ``args[0]`` says why."""


class ToHttpx2(Codemod):
    name = "to_httpx2"
    codes = (TRUST_STORE, NOT_MOVED, HTTPX_PACKAGE, RESPX_SIDE_EFFECT, MOCK_LIBRARIES)


def speak(text: str) -> str:
    """Prose about httpx (a finding, a helper's comments) about httpx2 instead."""
    text = text.replace("pytest-httpx", "httpx2-pytest").replace("httpx_mock", "httpx2_mock").replace("httpx 0.28", "httpx")
    return re.sub(r"(?<![\w-])httpx(?![\w-])", "httpx2", text)


def retarget(module: cst.Module, respx: bool, text_of=None, own_module=None) -> cst.Module:
    """``module`` with its httpx code on httpx2 (:func:`codemods._httpx2_checks.refusal` said it can move). ``respx``: the
    file's text imports respx (its tree is searched for respx's fixture too). ``text_of``: a
    top-level statement's code where known (else None): one that names nothing the move acts on is
    left alone unseen. ``own_module``: is a dotted name (``pkg.httpx``) a module of the project's own?"""
    from_httpx = _from_httpx(module, everywhere=respx)
    names = _NAMES | from_httpx.keys()
    words = re.compile("|".join(sorted(map(re.escape, {*names, "httpx", "httpcore"}))))
    scan = _Scan(module, names, (lambda st: (t := text_of(st)) is None or words.search(t) is not None) if text_of else None)
    has_httpx2 = any(isinstance(s, cst.SimpleStatementLine) and any(
        isinstance(b, cst.Import) and any(dotted(a.name) == "httpx2" and a.asname is None for a in b.names) for b in s.body)
        for s in module.body)
    mover = _Mover(respx or scan.fixture, has_httpx2)
    mover.imports_respx = respx
    mover.own_module = own_module
    mover.from_httpx = from_httpx
    mover.patchers = _PATCHERS | scan.patchers
    if respx or scan.fixture:
        mover.response_names = {local for local, name in mover.from_httpx.items() if name == "Response"}
    # only the statements that name something the move renames are transformed (most do not)
    body: list = []
    for i, statement in enumerate(module.body):
        result = transform(statement, mover) if i in scan.touched else statement
        if isinstance(result, cst.FlattenSentinel):
            body += list(result.nodes)
        elif isinstance(result, cst.SimpleStatementLine) and not result.body or isinstance(result, cst.RemovalSentinel):
            continue  # an import of httpx beside httpx2's
        else:
            body.append(result)
    moved = module.with_changes(body=body)
    moved = mover.leave_Module(module, moved)
    if mover.unmovable:
        raise NotMovable(mover.unmovable)
    body = list(moved.body)  # (what leave_Module made of it)
    if mover.kept_httpx and not mover.kept_import:  # respx's types stay httpx's: so does their import
        body = _inserted(body, cst.parse_statement("import httpx\n"))
    if mover.split_done and not has_httpx2 and not _uses_name(body, "httpx2"):  # nothing but respx's types
        body = list(cst.Module(body=body).visit(_DropAlias("httpx2")).body)
    if mover.global_router and not any(_sets_default_mocker(s) for s in body):
        if mover.router_started_early or not _imports_pytest(body):
            body = _inserted(body, cst.parse_statement(_DEFAULT_MOCKER))
        else:
            body = with_function(body, _after_imports(body), _DEFAULT_MOCKER_FIXTURE_TEXT)
    if mover.respx_handler and not any(isinstance(s, cst.FunctionDef) and s.name.value == RESPX_HANDLER for s in body):
        at = max((i + 1 for i, s in enumerate(body) if _sets_default_mocker(s)), default=_after_imports(body))
        body = with_function(body, at, _RESPX_HANDLER_TEXT)
    return moved.with_changes(body=body)


def _sets_default_mocker(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, cst.FunctionDef):
        return statement.name.value == DEFAULT_MOCKER_FIXTURE
    return (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign)
            and any(dotted(t.target) == "respx.mocks.DEFAULT_MOCKER" for t in statement.body[0].targets))


def _uses_name(body: list, name: str) -> bool:
    """Is ``name`` used by a statement that is not an import?"""
    return any(type(n) is cst.Name and n.value == name for s in body
               if not (isinstance(s, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in s.body))
               for n in walk(s))


def _imports_pytest(body: list) -> bool:
    return any(isinstance(s, cst.SimpleStatementLine) and any(
        isinstance(b, cst.Import) and any(dotted(a.name) == "pytest" and a.asname is None for a in b.names) for b in s.body)
        for s in body)


def _after_imports(body: list) -> int:
    at = 0
    for i, s in enumerate(body):
        if isinstance(s, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in s.body):
            at = i + 1
    return at


def _inserted(body: list, stmt: cst.BaseStatement) -> list:
    """``stmt`` after the last top-level import (the imports' block: isort order is the formatter's)."""
    at = _after_imports(body)
    if at < len(body) and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
        return body[:at] + [stmt.with_changes(leading_lines=[cst.EmptyLine(), *stmt.leading_lines])] + body[at:]
    return body[:at] + [stmt] + body[at:]


def _moved_path(path: str, own_module=None) -> str:
    """``pkg.api.httpx.get`` -> ``pkg.api.httpx2.get`` (not a project's own ``pkg/httpx.py``)."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "httpx" and (i == 0 or own_module is None or not own_module(".".join(parts[: i + 1]))):
            parts[i] = "httpx2"
    return ".".join(parts)


def _with_text(node: cst.SimpleString, change) -> cst.SimpleString:
    """The string with its text changed by ``change`` (prefix and quotes kept)."""
    raw = node.value
    prefix = raw[: len(raw) - len(raw.lstrip("rRbBuU"))]
    quote = raw[len(prefix) : len(prefix) + 3] if raw[len(prefix) : len(prefix) + 3] in ('"""', "'''") else raw[len(prefix)]
    text = raw[len(prefix) + len(quote) : len(raw) - len(quote)]
    return node.with_changes(value=f"{prefix}{quote}{change(text)}{quote}")


class _Mover(Transformer):
    def __init__(self, respx: bool, has_httpx2: bool):
        super().__init__()
        self.respx = respx
        self.has_httpx2 = has_httpx2
        self.not_names: set[int] = set()  # attribute and keyword names: never a reference
        self.kept_httpx = False  # respx's types stayed httpx.<name>
        self.kept_import = False  # ... and ``import httpx`` stayed for them
        self.global_router = False
        self.router_started_early = False  # respx's module-level router may start before a test's fixtures
        self.early_scopes: list[bool] = []  # per function: does it run before a test's fixtures?
        self.fixture_scopes: list[bool] = []  # per function: does respx_mock name pytest-httpx2's fixture?
        self.called: set[int] = set()  # ids of the func of every call
        self.split: set[int] = set()  # ids of ``import httpx`` statements that become two
        self.unmovable = ""
        self.respx_handler = False  # a respx router serves as a MockTransport's handler: _respx_handler is needed
        self.annotations = 0  # depth of annotations around the node
        self.imports_respx = respx  # (else respx is used through its fixture alone)
        self.from_httpx: dict[str, str] = {}  # local name -> httpx's name, of ``from httpx import ...``
        self.patchers = _PATCHERS  # the names of calls whose first argument is a dotted path to patch
        self.response_names: set[str] = set()  # (in a file using respx) local names of httpx.Response
        self.own_module = None  # (retarget's own_module)
        self.split_done = False  # ``import httpx`` became httpx's and httpx2's
        self.docstrings: set[int] = set()  # ids of strings standing as statements

    # ---- names -------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.not_names.add(id(node.attr))
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None:
            self.not_names.add(id(node.keyword))
        return True

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if self.respx and any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "side_effect" for t in original.targets):
            return updated.with_changes(value=_built(updated.value, self.from_httpx))  # ``route.side_effect = httpx.ConnectError``
        return updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if self.respx and original.keyword is not None and original.keyword.value == "side_effect":
            # respx builds an exception class it is given with httpx's arguments (``message``
            # only for httpx's own classes): an httpx2 class is given built, the client adds the request
            value = updated.value
            if isinstance(value, (cst.List, cst.Tuple)):
                elements = [e.with_changes(value=_built(e.value, self.from_httpx)) for e in value.elements]
                return updated.with_changes(value=value.with_changes(elements=elements))
            return updated.with_changes(value=_built(value, self.from_httpx))
        return updated


    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if id(original) in self.not_names:
            return updated
        value = updated.value
        if value == "httpx":
            return updated.with_changes(value="httpx2")
        if value == "httpx_mock":
            return updated.with_changes(value="httpx2_mock")
        if value == "pytest_httpx":
            return updated.with_changes(value="pytest_httpx2")
        if value == "respx_mock" and self.fixture_scopes and self.fixture_scopes[-1]:
            return updated.with_changes(value="httpx2_mock")
        if value in self.response_names and id(original) not in self.called and not self.annotations:
            # ``from httpx import Response`` stays httpx's for respx: a use that is no route's answer
            # (an isinstance check of what the code returns) would need httpx2's under the same name
            self.unmovable = (f"{value} (httpx.Response, imported by name) answers respx's routes and is also used "
                              "otherwise: the first must stay httpx's class, the other becomes httpx2's")
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        head = dotted(original)
        if head is not None and head.endswith(".mark.httpx_mock"):
            return updated.with_changes(attr=cst.Name("httpx2_mock"))
        if head is not None and head.endswith(".mark.respx") and not self.imports_respx:
            return updated.with_changes(attr=cst.Name("httpx2"))
        if head is not None and head.startswith("respx.") and head.count(".") == 1:
            attr = original.attr.value
            if attr in _RESPX_GLOBAL or attr == "mock" and id(original) not in self.called:
                self.global_router = True
                self.router_started_early |= attr in ("start", "stop") or not self.early_scopes or self.early_scopes[-1]
        return updated

    # ---- calls: patch targets, respx routers ----------------------------------
    def visit_Call(self, node: cst.Call) -> bool:
        self.called.add(id(node.func))
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = dotted(original.func) or ""
        if self.respx and func == "httpx.MockTransport" and original.args and isinstance(original.args[0].value, cst.Attribute):
            handler = original.args[0].value.attr.value
            if handler == "async_handler":
                self.unmovable = ("a respx router's async_handler serves as an httpx transport: it answers with httpx's "
                                  "responses, which httpx2's MockTransport rejects")
            elif handler == "handler":  # ``MockTransport(router.handler)``: through an adapter written once
                self.respx_handler = self.kept_httpx = True
                arg = updated.args[0]
                return updated.with_changes(args=[arg.with_changes(value=cst.Call(cst.Name(RESPX_HANDLER), [cst.Arg(arg.value)])),
                                                  *updated.args[1:]])
        if func == "httpx.Response" and self.respx:
            # in a file that uses respx, a response built is what a route answers with (directly, from
            # a side effect's function, a fixture, a variable): respx takes httpx's class alone
            self.kept_httpx = True
            return updated.with_changes(func=original.func)
        last = func.rsplit(".", 1)[-1]
        if last in ("object", "setattr", "delattr") and updated.args and isinstance(updated.args[0].value, cst.Attribute) \
                and updated.args[0].value.attr.value == "httpx":
            # ``patch.object(api.httpx, "get")``: the module api imports httpx2 now
            args = list(updated.args)
            args[0] = args[0].with_changes(value=args[0].value.with_changes(attr=cst.Name("httpx2")))
            return updated.with_changes(args=args)
        if last in self.patchers or last == "getLogger":
            # the dotted path patched (first, or ``target=``); a logger's name (httpx2 logs as "httpx2")
            at = next((k for k, a in enumerate(updated.args) if a.keyword is None and k == 0
                       or a.keyword is not None and a.keyword.value in ("target", "name")), None)
            first = updated.args[at].value if at is not None else None
            if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str) and (
                    re.fullmatch(r"[\w.]+", first.evaluated_value) if last != "getLogger" else _LOGGERS.fullmatch(first.evaluated_value)):
                if last == "getLogger":
                    moved = _with_text(first, lambda t: re.sub(r"^(httpx|httpcore)\b", r"\g<1>2", t))
                else:
                    moved = _with_text(first, lambda t: _moved_path(t, self.own_module))
                if moved.value != first.value:
                    args = list(updated.args)
                    args[at] = args[at].with_changes(value=moved)
                    return updated.with_changes(args=args)
        using = next((a for a in updated.args if a.keyword and a.keyword.value == "using"), None)
        if func in ("respx.mock", "respx.MockRouter") and using is not None and literal_text(using.value) in ("httpcore", "httpx"):
            args = [a.with_changes(value=cst.SimpleString('"httpcore2"')) if a is using else a for a in updated.args]
            return updated.with_changes(args=args)  # the mocker for httpx2's transport
        if func in ("respx.mock", "respx.MockRouter") and using is None:
            if any(a.keyword is None for a in updated.args):
                return updated  # @respx.mock(func) form: the module-level router (DEFAULT_MOCKER)
            args = list(updated.args)
            if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return updated.with_changes(args=[*args, kwarg("using", cst.SimpleString('"httpcore2"'))])
        return updated

    # ---- string annotations ----------------------------------------------
    def visit_Annotation(self, node: cst.Annotation) -> bool:
        self.annotations += 1
        return True

    def leave_Annotation(self, original: cst.Annotation, updated: cst.Annotation) -> cst.Annotation:
        self.annotations -= 1
        return updated

    def leave_FormattedStringText(self, original, updated):
        # ``f"{package}.httpx.get"``: a patch target built from parts
        if "httpx" in updated.value and re.fullmatch(r"[\w.]+", updated.value) and "." in updated.value:
            return updated.with_changes(value=_moved_path(updated.value))
        return updated

    def visit_Expr(self, node: cst.Expr) -> bool:
        self.docstrings.add(id(node.value))
        return True

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        if "httpx." not in updated.value:
            return updated
        if self.annotations:  # a forward reference: ``"httpx.Client"``
            return updated.with_changes(value=re.sub(r"(?<![\w.])httpx\.", "httpx2.", updated.value))
        text = original.evaluated_value
        if id(original) in self.docstrings or not isinstance(text, str) or not _TYPE_TEXT.fullmatch(
                text.replace(" | ", "|").replace(", ", ",")):
            return updated
        # ``cast("httpx.Client", x)``, ``TypeVar("C", bound="httpx.Client")``, ``Alias = "httpx.Client"``, a patch
        # target kept in a constant: the names httpx's objects have now
        return _with_text(updated, lambda t: re.sub(r"[\w.]+", lambda m: _moved_path(m.group(), self.own_module), t))

    # ---- functions: respx's fixture -----------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node.name.value == RESPX_HANDLER:  # written by an earlier run: its httpx names are respx's
            self.kept_httpx = True
            self.fixture_scopes.append(False)
            self.early_scopes.append(False)
            return False
        self.early_scopes.append(bool(self.early_scopes and self.early_scopes[-1]) or node.name.value in _EARLY_FUNCTIONS
                                 or any(_wider_fixture(d.decorator) for d in node.decorators))
        takes = any(p.name.value == "respx_mock" for p in (*node.params.params, *node.params.kwonly_params))
        decorated = any((dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "").startswith("respx.")
                        for d in node.decorators)
        # respx's fixture: where respx is imported, its default mocker (set for the module) serves it
        self.fixture_scopes.append(self.respx and takes and not decorated and not self.imports_respx)
        self.global_router |= self.respx and takes and not decorated and self.imports_respx
        return True

    def leave_FunctionDef(self, original, updated):
        self.fixture_scopes.pop()
        self.early_scopes.pop()
        return updated

    # ---- imports -----------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        names = []
        for alias in updated.names:
            name = dotted(alias.name) or ""
            if name == "httpx" and alias.asname is None and self.has_httpx2:
                if self.respx:  # stays for respx's types (dropped at the end if they are not used)
                    names.append(alias)
                    self.kept_import = True
                continue  # httpx2 is imported already
            if name == "httpx" and alias.asname is None and self.respx and len(updated.names) == 1:
                # respx's types stay httpx's: ``import httpx`` stays beside httpx2's if they are used
                self.split.add(id(original))
            if name == "httpx" or name.startswith("httpx."):
                names.append(alias.with_changes(name=_renamed_module(alias.name, "httpx", "httpx2")))
            elif name == "pytest_httpx" or name.startswith("pytest_httpx."):
                names.append(alias.with_changes(name=_renamed_module(alias.name, "pytest_httpx", "pytest_httpx2")))
            else:
                names.append(alias)
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        names = [n.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for n in names[:-1]] + names[-1:]
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if updated.relative or updated.module is None:
            return updated
        name = dotted(updated.module) or ""
        for old, new in (("httpx", "httpx2"), ("pytest_httpx", "pytest_httpx2")):
            if name == old or name.startswith(old + "."):
                return updated.with_changes(module=_renamed_module(updated.module, old, new))
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        if self.response_names and len(original.body) == 1 and isinstance(original.body[0], cst.ImportFrom):
            return self._split_response_import(original, updated)
        if len(original.body) == 1 and id(original.body[0]) in self.split and not self.kept_import:
            self.kept_import = self.split_done = True
            old = original.with_changes(leading_lines=[])
            return cst.FlattenSentinel([updated.with_changes(body=[original.body[0]]), old.with_changes(body=updated.body)])
        return updated

    def _split_response_import(self, original, updated):
        """``from httpx import Response, ConnectError`` in a file using respx: Response stays httpx's
        (respx's answers), the rest comes from httpx2."""
        node = original.body[0]
        if isinstance(node.names, cst.ImportStar) or dotted(node.module) != "httpx" or node.relative:
            return updated
        kept = [a for a in node.names if (a.asname.name.value if a.asname else a.name.value) in self.response_names]
        if not kept:
            return updated
        self.kept_httpx = True
        moved = [a for a in updated.body[0].names if a.name.value not in _RESPX_KEEPS or a.asname is not None and
                 a.asname.name.value not in self.response_names]
        kept = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(kept) - 1 else a for i, a in enumerate(kept)]
        lines = [original.with_changes(body=[node.with_changes(names=kept, rpar=None, lpar=None)])]
        if moved:
            moved[-1] = moved[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            lines.append(updated.with_changes(leading_lines=[], body=[updated.body[0].with_changes(names=moved)]))
        return cst.FlattenSentinel(lines)

    def leave_Module(self, original, updated):
        if self.kept_import and not self.kept_httpx:
            updated = updated.visit(_DropAlias("httpx"))
        return updated


class _DropAlias(Transformer):
    """Drops ``import <name>`` (unaliased) where it stands beside other names, or alone."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def leave_Import(self, original, updated):
        names = [a for a in updated.names if not (dotted(a.name) == self.name and a.asname is None)]
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=names)


# names whose statements the move transforms (with the names ``from httpx import`` binds)
_NAMES = frozenset({"httpx", "httpx_mock", "pytest_httpx", "respx", "respx_mock", "pytest", "mock", "patch", "monkeypatch", "mocker"})


class _Scan:
    """One walk over the module: the top-level statements the move must transform (those naming
    httpx, its test libraries or a patcher, or holding a string that says httpx), respx's fixture,
    and aliases of ``patch``."""

    def __init__(self, module: cst.Module, names: frozenset[str] | set[str], may_name=None):
        self.touched: set[int] = set()
        self.fixture = False
        self.patchers: set[str] = set()
        for index, statement in enumerate(module.body):
            if may_name is not None and not may_name(statement):
                continue  # its code names none of them (every alias of patch included: "patch" is one)
            for node in walk(statement):
                kind = type(node)
                if kind is cst.Name:
                    if node.value in names or node.value in self.patchers:
                        self.touched.add(index)
                        self.fixture |= node.value == "respx_mock"
                elif kind is cst.SimpleString:
                    if "httpx" in node.value or "httpcore" in node.value:
                        self.touched.add(index)
                elif kind is cst.ImportFrom and node.module is not None and not isinstance(node.names, cst.ImportStar):
                    if dotted(node.module) in ("unittest.mock", "mock"):
                        self.patchers |= {a.asname.name.value for a in node.names  # type: ignore[union-attr]
                                          if a.asname is not None and dotted(a.name) == "patch"}
                        self.touched.add(index)
        if self.patchers:  # an alias used before its import was seen: look again for it
            self.touched |= {i for i, st in enumerate(module.body)
                             if any(type(n) is cst.Name and n.value in self.patchers for n in walk(st))}


def _wider_fixture(decorator: cst.BaseExpression) -> bool:
    """``@pytest.fixture(scope="module")`` (any scope but a test's own)."""
    if not isinstance(decorator, cst.Call) or not (dotted(decorator.func) or "").endswith("fixture"):
        return False
    scope = next((a.value for a in decorator.args if a.keyword is not None and a.keyword.value == "scope"), None)
    return scope is not None and literal_text(scope) != "function"


def _from_httpx(module: cst.Module, everywhere: bool = False) -> dict[str, str]:
    """Local name -> name in httpx, of the module's top-level ``from httpx import ...`` (``everywhere``:
    in functions too: a respx file's ``Response`` imported in a test stays httpx's as well)."""
    out = {}
    smalls = (n for n in walk(module) if isinstance(n, cst.ImportFrom)) if everywhere else (
        small for statement in module.body if isinstance(statement, cst.SimpleStatementLine) for small in statement.body)
    for small in smalls:
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None \
                and dotted(small.module) == "httpx" and not isinstance(small.names, cst.ImportStar):
            for alias in small.names:
                name = dotted(alias.name) or ""
                out[alias.asname.name.value if alias.asname else name] = name  # type: ignore[union-attr]
    return out


def _built(value: cst.BaseExpression, from_httpx: dict[str, str]) -> cst.BaseExpression:
    """``httpx2.ConnectError`` → ``httpx2.ConnectError("Mock Error")`` (respx's own message); also a
    class imported by name from httpx (now httpx2)."""
    name = dotted(value) or ""
    if isinstance(value, cst.Name) and value.value in from_httpx:
        name = "httpx2." + from_httpx[value.value]
    if name.startswith("httpx2.") and name.count(".") == 1 and name[7:] in _REQUEST_ERRORS:
        return cst.Call(value, [cst.Arg(cst.SimpleString('"Mock Error"'))])
    return value


def _renamed_module(node: cst.BaseExpression, old: str, new: str) -> cst.BaseExpression:
    if isinstance(node, cst.Name):
        return node.with_changes(value=new) if node.value == old else node
    if isinstance(node, cst.Attribute):
        return node.with_changes(value=_renamed_module(node.value, old, new))
    return node
