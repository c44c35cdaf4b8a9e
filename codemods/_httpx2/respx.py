"""What respx needs once httpx code moves to httpx2: its answers stay httpx's, its mocker becomes
pytest-httpx2's ``httpcore2``, and the helpers the move writes into a module for it."""

from __future__ import annotations

import libcst as cst

from codemods.base import literal_text
from migrator.engine.names import dotted

RESPX_KEEPS = frozenset({"Response"})  # respx's routes answer with httpx's Response

RESPX_GLOBAL = frozenset({"start", "stop", "clear", "reset", "get", "post", "put", "patch", "delete", "head", "options",
                           "route", "add", "pop", "request", "calls", "routes"})

DEFAULT_MOCKER_TEXT = ("# respx's module-level router (@respx.mock, respx.get) mocks httpx2 (pytest-httpx2's mocker)\n"
                       'respx.mocks.DEFAULT_MOCKER = "httpcore2"\n')

DEFAULT_MOCKER_FIXTURE = "_respx_mocks_httpx2"

# respx reads DEFAULT_MOCKER when a router starts, and it is process-wide: set by a fixture, it holds
# for this module's tests alone (a test file left on httpx, run in the same session, keeps httpcore)
DEFAULT_MOCKER_FIXTURE_TEXT = '''@pytest.fixture(autouse=True)
def _respx_mocks_httpx2(monkeypatch):
    """respx's module-level router (@respx.mock, respx.get, respx_mock) mocks httpx2 in this
    module's tests: pytest-httpx2's mocker, set for each test and put back after it (written by
    requests2httpx)."""
    monkeypatch.setattr(respx.mocks, "DEFAULT_MOCKER", "httpcore2")
'''

# where respx's module-level router may start before a test's fixtures: DEFAULT_MOCKER is set for the module
EARLY_FUNCTIONS = frozenset({"setUpClass", "setup_class", "setUpModule", "setup_module", "tearDownClass", "teardown_class",
                              "tearDownModule", "teardown_module"})

RESPX_HANDLER = "_respx_handler"

# respx matches httpx's requests and answers with httpx's responses; httpx2's MockTransport hands its
# handler httpx2's requests and takes httpx2's responses. The body goes as sent (still encoded):
# httpx2 decodes it by its headers, as httpx did.
RESPX_HANDLER_TEXT = '''def _respx_handler(handler):
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
REQUEST_ERRORS = frozenset({
    "CloseError", "ConnectError", "ConnectTimeout", "DecodingError", "LocalProtocolError", "NetworkError", "PoolTimeout",
    "ProtocolError", "ProxyError", "ReadError", "ReadTimeout", "RemoteProtocolError", "RequestError", "TimeoutException",
    "TooManyRedirects", "TransportError", "UnsupportedProtocol", "WriteError", "WriteTimeout"})

def sets_default_mocker(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, cst.FunctionDef):
        return statement.name.value == DEFAULT_MOCKER_FIXTURE
    return (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign)
            and any(dotted(t.target) == "respx.mocks.DEFAULT_MOCKER" for t in statement.body[0].targets))

def wider_fixture(decorator: cst.BaseExpression) -> bool:
    """``@pytest.fixture(scope="module")`` (any scope but a test's own)."""
    if not isinstance(decorator, cst.Call) or not (dotted(decorator.func) or "").endswith("fixture"):
        return False
    scope = next((a.value for a in decorator.args if a.keyword is not None and a.keyword.value == "scope"), None)
    return scope is not None and literal_text(scope) != "function"

def built(value: cst.BaseExpression, from_httpx: dict[str, str]) -> cst.BaseExpression:
    """``httpx2.ConnectError`` → ``httpx2.ConnectError("Mock Error")`` (respx's own message); also a
    class imported by name from httpx (now httpx2)."""
    name = dotted(value) or ""
    if isinstance(value, cst.Name) and value.value in from_httpx:
        name = "httpx2." + from_httpx[value.value]
    if name.startswith("httpx2.") and name.count(".") == 1 and name[7:] in REQUEST_ERRORS:
        return cst.Call(value, [cst.Arg(cst.SimpleString('"Mock Error"'))])
    return value


def transport_handlers(module: cst.Module) -> tuple[set[str], set[int]]:
    """The functions (by name) and lambdas (by id) that serve ``httpx.MockTransport`` as its
    handler, directly or through ``mock.Mock(side_effect=f)``/``Mock(wraps=f)``: in a file that uses
    respx too, the responses they build are httpx2's (httpx2's MockTransport takes no other)."""
    from migrator.engine.visitors import walk

    calls = [n for n in walk(module) if isinstance(n, cst.Call)]
    wrapped: dict[str, str] = {}  # name = Mock(side_effect=f) -> f
    for node in walk(module):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) \
                and isinstance(node.value, cst.Call) and (dotted(node.value.func) or "").rsplit(".", 1)[-1] in ("Mock", "MagicMock"):
            inner = next((a.value for a in node.value.args if a.keyword is not None and a.keyword.value in ("side_effect", "wraps")), None)
            if isinstance(inner, cst.Name):
                wrapped[node.targets[0].target.value] = inner.value
    names: set[str] = set()
    lambdas: set[int] = set()
    for call in calls:
        if (dotted(call.func) or "").rsplit(".", 1)[-1] != "MockTransport" or not call.args:
            continue
        handler = call.args[0].value
        if isinstance(handler, cst.Lambda):
            lambdas.add(id(handler))
        elif isinstance(handler, cst.Name):
            names.add(wrapped.get(handler.value, handler.value))
    return names, lambdas


def imported_at_runtime(module: cst.Module, name: str) -> bool:
    """Does the module import ``name`` where the code runs (not only under ``if TYPE_CHECKING:``)?
    (todoist-api-python imports respx for its annotations alone and uses respx's fixture.)"""
    from migrator.engine.visitors import walk

    hidden: set[int] = set()
    imports = []
    for node in walk(module):
        if isinstance(node, cst.If) and (dotted(node.test) or "").endswith("TYPE_CHECKING"):
            hidden |= {id(n) for n in walk(node.body)}
        elif isinstance(node, cst.Import) and any(dotted(a.name) == name for a in node.names) \
                or isinstance(node, cst.ImportFrom) and node.module is not None and dotted(node.module) == name:
            imports.append(node)
    return any(id(node) not in hidden for node in imports)
