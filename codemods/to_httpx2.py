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
| ``mock.patch(target="pkg.api.httpx.get")``, ``TARGET = "pkg.api.httpx.get"``, ``f"{pkg}.httpx.get"``, ``cast("httpx.Client", c)``, ``TypeVar("C", bound="httpx.Client")`` | ``httpx2`` in the name (a project's own ``pkg/httpx.py`` keeps its name; prose in a string stays) |
| ``logging.getLogger("httpx")``, ``getLogger("httpcore.connection")`` | ``"httpx2"``, ``"httpcore2.connection"``: the loggers httpx2 logs to |
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
code's client gets one too; it reads the same), but not in a function or lambda that serves
``httpx.MockTransport`` as its handler (directly or through ``mock.Mock(side_effect=...)``): httpx2's
``MockTransport`` takes httpx2's responses; exceptions a route raises (``side_effect=``) become
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
  httpx's transports only); it imports httpx under an alias and uses respx; or its ``__all__``
  re-exports httpx. Under ``--from httpx``, the files linked to such a file by imports (it imports
  them, or they import it, directly or through other modules) stay with it: httpx2's classes are
  not httpx's.
- ``httpx2-mock-libraries``: the package's tests use respx and pytest-httpx (counting the tests
  this run migrates to ``--mock-library``). On httpx2 they need pytest-httpx2 and httpx2-pytest,
  which install the same module: the package stays on httpx (its requests code migrates to httpx).
- ``httpx2-respx-side-effect``: a respx route's side effect is given by a name (a variable, a
  ``parametrize`` argument): an httpx2 exception class in it would reach respx unbuilt.
- ``httpx2-not-moved`` too, after the codemods ran: a respx router serves as a client's transport
  (``MockTransport(router.handler)``): it answers with httpx's responses, which httpx2's
  ``MockTransport`` rejects.
- ``httpx-package``: the file imports a package that, in the environment running the tool, is built
  on httpx and not httpx2: the clients, responses and exceptions it takes or returns are httpx's,
  a different class from httpx2's. Also at ``isinstance(x, httpx.Request)`` in a file that uses respx
  (respx records httpx's requests; the check now names httpx2's class).

An exception class a respx route raises (``side_effect=httpx.ConnectError``) is written built
(``httpx2.ConnectError("Mock Error")``): respx builds only httpx's own ``RequestError`` classes with a
message (it calls the others bare, as it did for httpx's).
"""

from __future__ import annotations

import re

import libcst as cst

from codemods._httpx2.mover import Mover
from codemods._httpx2.respx import (
    DEFAULT_MOCKER_FIXTURE_TEXT, DEFAULT_MOCKER_TEXT, RESPX_HANDLER, RESPX_HANDLER_TEXT, imported_at_runtime, sets_default_mocker,
    transport_handlers,
)
from codemods._httpx2.tree import (
    NAMES, PATCHERS, DropAlias, Scan, after_imports, imports_pytest, inserted, names_from_httpx, uses_name,
)
from codemods.base import Codemod, with_function
from migrator.engine.findings import Code
from migrator.engine.names import dotted
from migrator.engine.visitors import transform

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
    """``module`` with its httpx code on httpx2 (:func:`codemods._httpx2.checks.refusal` said it can move). ``respx``: the
    file's text imports respx (its tree is searched for respx's fixture too). ``text_of``: a
    top-level statement's code where known (else None): one that names nothing the move acts on is
    left alone unseen. ``own_module``: is a dotted name (``pkg.httpx``) a module of the project's own?"""
    from_httpx = names_from_httpx(module, everywhere=respx)
    names = NAMES | from_httpx.keys()
    words = re.compile("|".join(sorted(map(re.escape, {*names, "httpx", "httpcore"}))))
    scan = Scan(module, names, (lambda st: (t := text_of(st)) is None or words.search(t) is not None) if text_of else None)
    has_httpx2 = any(isinstance(s, cst.SimpleStatementLine) and any(
        isinstance(b, cst.Import) and any(dotted(a.name) == "httpx2" and a.asname is None for a in b.names) for b in s.body)
        for s in module.body)
    mover = Mover(respx or scan.fixture, has_httpx2)
    mover.imports_respx = respx and imported_at_runtime(module, "respx")  # (not only for type checkers)
    mover.own_module = own_module
    mover.from_httpx = from_httpx
    mover.patchers = PATCHERS | scan.patchers
    if respx or scan.fixture:
        mover.transport_handlers = transport_handlers(module)
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
        body = inserted(body, cst.parse_statement("import httpx\n"))
    if mover.split_done and not has_httpx2 and not uses_name(body, "httpx2"):  # nothing but respx's types
        body = list(cst.Module(body=body).visit(DropAlias("httpx2")).body)
    if mover.global_router and not any(sets_default_mocker(s) for s in body):
        if mover.router_started_early or not imports_pytest(body):
            body = inserted(body, cst.parse_statement(DEFAULT_MOCKER_TEXT))
        else:
            body = with_function(body, after_imports(body), DEFAULT_MOCKER_FIXTURE_TEXT)
    if mover.respx_handler and not any(isinstance(s, cst.FunctionDef) and s.name.value == RESPX_HANDLER for s in body):
        at = max((i + 1 for i, s in enumerate(body) if sets_default_mocker(s)), default=after_imports(body))
        body = with_function(body, at, RESPX_HANDLER_TEXT)
    return moved.with_changes(body=body)
