"""Test mocks: ``responses`` → ``respx``, so tests keep intercepting the (now httpx) calls.

## What it does
In test files (under ``tests/`` or named ``test_*.py``/``*_test.py``; ``--tests``/``--no-tests``
to choose):

| responses | respx |
|---|---|
| ``@responses.activate`` | ``@respx.mock`` |
| ``responses.add(responses.GET, url, json=..., status=201, headers=...)``, ``responses.get(url, ...)`` | ``respx.get(url).mock(return_value=httpx.Response(201, json=..., headers=...))`` |
| ``body="text"`` | ``content="text"`` with responses' default ``Content-Type: text/plain`` written out |
| ``match=[json_params_matcher(d)]`` (``strict_match=False``) | ``respx.post(url, json=d)`` (``json__a=..., json__b__c=...``: only the keys named) |
| ``query_param_matcher(d)`` (``strict_match=False``), ``query_string_matcher("a=1")`` | ``params__eq=d`` (``params__contains=d``), ``params__eq="a=1"`` |
| ``urlencoded_params_matcher(d)``, ``header_matcher(h)``, ``body_matcher("text")`` | ``data__eq=d``, ``headers__contains=h``, ``content="text"`` |
| several ``responses.add(GET, url, ...)`` of one route in a row | one route whose ``side_effect=itertools.chain([...], itertools.repeat(last))`` serves them in turn, the last one for every request after (respx keeps one route per pattern) |
| ``responses.start()``, ``responses.stop()``, ``responses.reset()`` (setUp, tearDown) | ``respx.start()``, ``respx.stop(clear=False, reset=False)`` (responses' stop keeps the registrations), ``respx.clear()`` and ``respx.reset()`` |
| a pytest fixture of the file yielding ``rsps`` of ``with responses.RequestsMock() as rsps:`` | the fixture yields respx's router; ``rsps_fixture.add(...)`` in the tests asking for it becomes a respx route |
| ``with responses.RequestsMock() as rsps: rsps.add(...)`` | ``with respx.mock(assert_all_called=True) as rsps: rsps.get(...).mock(...)`` |
| ``responses.calls``, ``len(responses.calls)``, ``calls[0].request.method`` | ``respx.calls``, the same |
| ``from responses import activate, add, calls, GET`` used bare | the same translations |
| ``calls[0].request.url`` | ``str(respx.calls[0].request.url)`` (an ``httpx.URL`` otherwise) |
| ``calls[i].response.status_code`` / ``.content`` / ``.json()``, ``json.loads(calls[i].request.body)`` | the same on respx's call; ``json.loads(...request.content)`` |
| ``match_querystring=True`` / ``False`` | the URL's query matched exactly (``params__eq=""`` for a URL without one) / the query dropped from the URL |
| ``responses.add_passthru(prefix)`` | ``respx.route(url__startswith=prefix).pass_through()`` (responses answers from a registration before letting a request through; respx tries routes oldest first, so a test registering a URL under the prefix afterwards keeps responses) |
| ``responses.add_callback(GET, url, callback=cb, content_type=ct)`` | ``respx.get(url).mock(side_effect=_respx_side_effect(cb, ct))``, a helper written once in the test file that turns the callback's ``(status, headers, body)`` into an ``httpx.Response`` as responses does (a callback whose request parameter is read other than for ``method`` and header lookups keeps its test) |
| ``assert responses.assert_call_count(url, n)`` | ``assert (sum(call.request.url == url for call in respx.calls) == n)`` (an ``httpx.URL`` compares with a str parsed alike) |

| requests_mock | respx |
|---|---|
| ``with requests_mock.Mocker() as m:`` (or its alias ``requests_mock.mock()``) | ``with respx.mock(assert_all_called=False) as m:`` |
| ``@requests_mock.Mocker()`` on a test (the mocker passed last, or by ``kw=``) | ``@respx.mock(assert_all_called=False)``, the parameter renamed ``respx_mock`` (the name respx passes its router by) |
| ``@requests_mock.Mocker()`` on a ``unittest.TestCase`` class | the same decorator on each ``test*`` method |
| the pytest fixture ``requests_mock`` | respx's fixture ``respx_mock`` |
| ``m.get(url, json=..., status_code=201, text=..., headers=...)``, ``m.register_uri("GET", url, ...)`` (by position or keyword) | ``m.get(url).mock(return_value=httpx.Response(201, json=..., content=..., headers=...))`` |
| ``register_uri("LIST", url)`` (a method of the server's own), ``register_uri(method, url)`` (a variable), ``register_uri(requests_mock.ANY, url)`` | ``m.route(method="LIST", url=url)``, ``m.route(method=method, url=url)``, ``m.route(url=url)`` |
| ``reason="Gone"`` | ``extensions={"reason_phrase": b"Gone"}`` (where httpx reads ``reason_phrase`` from) |
| ``m.get(url, [{"status_code": 503}, {"json": ...}])``, ``response_list=[...]`` | ``side_effect=itertools.chain([httpx.Response(503)], itertools.repeat(httpx.Response(200, json=...)))``: in turn, the last one repeating, as requests-mock serves them |
| ``m.get(requests_mock.ANY, ...)`` | ``m.get().mock(...)`` (a route for any URL) |
| ``exc=requests.ConnectTimeout`` | ``.mock(side_effect=httpx.ConnectTimeout)`` |
| ``m.called``, ``m.call_count``, ``m.last_request`` | ``m.calls.called``, ``m.calls.call_count``, ``m.calls.last.request`` |
| ``json=``/``text=``/``content=`` given a callback ``(request, context)`` | ``side_effect=_respx_body_callback("json", cb, status_code=..., headers=..., reason=...)``, a helper written once in the test file: the callback gets the request as requests-mock shows it (``method``, ``headers``, ``url``, ``text``, ``qs``, ``json()``) and a context whose ``status_code``, ``headers`` and ``reason`` make the response (a callback reading anything else keeps its test) |
| ``m.get("http://h/a?b=1")`` (a subset of the request's query), ``complete_qs=True`` | ``m.get("http://h/a", params__contains="b=1")``, ``params__eq=`` |
| ``m.called_once``; ``route = m.get(...)`` then ``route.last_request``, ``route.call_count`` | ``(m.calls.call_count == 1)``; the respx Route, ``route.calls.last.request``, ``route.calls.call_count`` |
| ``m.request_history[i]``, ``len(m.request_history)`` | ``m.calls[i].request``, ``len(m.calls)`` |
| ``last_request.json()``, ``json.loads(last_request.body)`` | ``json.loads(request.content)`` |
| ``last_request.body`` compared with bytes or a str the test spells out (a literal, or a name the test assigns one), before ``.decode()``, or tested against None | ``request.content``, ``request.content.decode("utf-8")``, ``(request.content or None)`` |
| ``last_request.qs`` (the lowercased URL's query, parsed) | ``urllib.parse.parse_qs(request.url.query.decode().lower(), keep_blank_values=True)`` |
| ``last_request.text`` (None without a body), ``.url``, ``.method``, ``.headers[...]`` | ``(request.content.decode("utf-8") or None)``, ``str(request.url)``, the same |
| ``last_request.timeout`` (what the call passed: a number, None, or ``(connect, read)``) | ``_requests_timeout(request)``, a helper written once in the test file that reads it back from the timeout httpx recorded (not with ``--timeout``, which gives calls a timeout requests did not record) |
| ``adapter = requests_mock.Adapter()``, ``session.mount("mock://", adapter)`` | ``adapter = respx.Router(assert_all_called=False)``, ``httpx.Client(mounts={"mock://": httpx.MockTransport(adapter.handler)})`` (the mount is moved into the client by ``client_configuration``) |

respx adds ``Content-Length`` (and ``Content-Type`` for ``json=``) to mocked responses, which
requests_mock did not.

With ``--mock-library pytest-httpx`` the same registrations become
``httpx_mock.add_response(method=..., url=..., status_code=..., json=..., is_optional=True,
is_reusable=True)`` (``add_exception`` for ``exc=``) on the ``httpx_mock`` fixture, which
``@responses.activate`` tests now take as a parameter; a URL without a query string is matched
as ``re.compile(r"<url>(\\?.*)?$")``, since responses ignored the query; recorded requests are
``httpx_mock.get_requests()``. Several registrations of one route stay several: pytest-httpx sends
the first matching response not yet sent, then the last one again, which is responses' order (in
a row, in a loop, or again after requests were made alike); for the same reason a requests-mock
response list becomes one ``add_response`` per response, in a tuple. A strict ``json_params_matcher``
becomes ``match_json=`` (the parsed body compared with ``==``, as responses does), a non-strict
``header_matcher`` ``match_headers=``, a ``body_matcher`` ``match_content=`` (its UTF-8 bytes); ``reason=``
becomes ``add_callback(lambda request: httpx.Response(..., extensions={"reason_phrase": ...}))``
(``add_response`` sets none); ``requests_mock.ANY`` registers no ``url``; callbacks (responses'
``add_callback``, requests-mock's ``json=callback``) go to ``add_callback`` through the same helpers.

## Why
``responses`` patches requests' transport adapter, so after the migration it intercepts nothing:
tests would hit the network or fail. ``respx`` patches httpx the same way.

## When it reports instead of rewriting
- ``responses.add`` with a matcher respx has no exact pattern for (``multipart_matcher``, a strict
  ``header_matcher``, ``allow_blank``, query or form values that are not str or int literals),
  ``stream=``, ``passthrough``, or arguments it cannot read; an ``add_callback`` whose callback the
  tool cannot find in the file or that reads its request where an ``httpx.Request`` differs; a route registered again after requests were made (responses then
  serves it by how many earlier responses were used, which the code does not show); ``calls[i].request.body`` (``.content`` in httpx, bytes); recorded
  calls used other than as ``len(calls)``, ``calls[i].request.method``/``.url`` or a header looked up
  by name (respx records ``httpx.Request`` objects: no ``path_url``; iterating them is not followed);
  ``assert_call_count`` outside an ``assert`` (its AssertionError would be lost), ``replace``,
  ``upsert``, ``remove``, ``add_passthru`` of a pattern, or of a prefix a later registration of
  the test may fall under: ``mock-not-migrated``;
- requests_mock's ``additional_matcher``, a registered query with capitals, ``request_history``
  other than indexed or counted, a mocker attribute respx has no spelling for (``m._adapter``,
  ``m.reset_mock()``), ``last_request.body`` used where the test does not show whether requests'
  body was bytes or str (that depends on how it was sent; httpx's is bytes), other request attributes; a ``Mocker(real_http=True)``;
  a ``Mocker`` decorator whose test takes the mocker through ``*args``/``**kwargs``, has another decorator
  between it and the ``def``, or whose class inherits from a base that may hold more tests:
  ``mock-not-migrated`` (a class's tests then stay together);
- with pytest-httpx: ``RequestsMock``/``Mocker`` context managers, registrations outside an
  ``@responses.activate`` test, ``responses.calls[i].response``, matchers other than a strict JSON,
  a non-strict header or a body matcher, and a response list whose registration's result is kept;
- two different registrations of one method that may answer the same request (the same URL once
  module constants are folded, queries and matchers aside; any URL; a regular expression):
  responses serves the first match, requests-mock the newest, respx its oldest route; a responses
  registration of a constant URL in a loop; several responses for one route of a ``RequestsMock``
  that asserts each was requested; a mock handed to a function the tool does not follow; a
  decorated test that binds its mocker's name again: ``mock-not-migrated``;
- an unmatched request raises ``AssertionError`` under respx where responses raised
  ``requests.ConnectionError``: ``mock-unmatched-request`` (info, once per file).

## Where a translated test is stricter
Three differences remain that can make a translated test fail, never pass where it failed: respx
compares a JSON matcher's body as JSON text, so ``1`` and ``1.0`` (or ``True`` and ``1``) differ
where responses' ``==`` found them equal; requests-mock matches a URL's path case-insensitively,
respx as written; and two requests-mock registrations of one URL are one respx route, whose
call count is the sum of both.
"""

from __future__ import annotations

import functools

import libcst as cst

from codemods import _requests_mock, _responses_callbacks, _responses_mock
from codemods._mock_names import ScopedNames, binding_node, handed_on, mock_fixtures
from codemods._mock_routes import RouteTable
from codemods._mock_spec import MockSpec, NotTranslated, render_respx
from codemods._mocked_tests import TEST_MOCKS_KEPT
from codemods._pytest_httpx import PYTEST_HTTPX_MATCHES as _PYTEST_HTTPX_MATCHES, recorded_attribute, render_pytest_httpx
from codemods._recorded_calls import (
    JSON_CALL, body_read, is_last_request, is_recorded_request, json_of, mocker_read, reads_the_same, request_read,
)
from codemods._requests_mock import METHODS, ROUTER_PARAM, DecoratedTests
from codemods._responses_mock import ResponsesBlocks, route_of
from codemods._units import scope_path
from codemods.base import Codemod, find_kwarg, kwarg
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.visitors import walk


NOT_MIGRATED = Code(
    "mock-not-migrated",
    "error",
    "A responses feature the tool cannot translate to respx",
    "Matchers, callbacks, streaming and registry edits have respx counterparts with other shapes "
    "(``respx.route(...)`` patterns, ``side_effect=``); translating them blindly could change what a "
    "test checks.",
    "Port by hand: ``match=[json_params_matcher(...)]`` → ``respx.post(url, json=...)``; "
    "``add_callback`` → ``.mock(side_effect=fn)``; ``request.body`` → ``request.content``.",
)
UNMATCHED = Code(
    "mock-unmatched-request",
    "info",
    "An unmatched request raises AssertionError under respx",
    "Under responses a request with no registered response raised ``requests.ConnectionError``; "
    "under respx it raises ``respx.models.AllMockedAssertionError`` (an AssertionError). Tests that "
    "expect the connection error for unmatched URLs need adjusting. Reported once per file.",
    "Register the URL with ``side_effect=httpx.ConnectError`` where a test wants a connection error.",
)


def mocks_enabled(options, path: str) -> bool:
    """Are test mocks migrated in this file? (``--tests``/``--no-tests``, else by its path)"""
    return options.tests if options.tests is not None else is_test_file(path)


@functools.lru_cache(maxsize=65536)  # (asked for each pair of files a test's reach follows)
def is_test_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return "tests" in parts[:-1] or "test" in parts[:-1] or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


class MockLibraries(Codemod):
    name = "mock_libraries"
    codes = (NOT_MIGRATED, UNMATCHED, TEST_MOCKS_KEPT)

    def __init__(self) -> None:
        self.mocks = ScopedNames()  # names bound to a RequestsMock()/Mocker()/respx router (``rsps``)
        self.mockers = ScopedNames()  # those that were requests_mock Mockers (or its fixture)
        self.recorded: set[int] = set()  # ids of original ``responses.calls[i].request`` nodes
        self.functions: set[str] | None = None  # names of the file's functions (found when needed)
        self.decorated = DecoratedTests()  # tests given a requests_mock Mocker by a decorator
        self.blocks = ResponsesBlocks()  # what responses' registrations and resets need of their block
        self.routes = RouteTable()  # the registrations of each test, to find two that may answer alike
        self.json_reads: set[int] = set()  # ids of original ``m.last_request.json()`` calls
        self.helpers: set[str] = set()  # the callback helpers the file needs (_responses_callbacks)
        self.providers: dict[str, str] = {}  # fixtures of the file yielding a mock -> what makes it

    def _enabled(self, ctx) -> bool:
        return mocks_enabled(ctx.options, ctx.path)

    def _respx(self, ctx, *attrs: str) -> cst.BaseExpression:
        return ctx.stdlib("respx", *attrs)

    # --- @responses.activate, RequestsMock() ------------------------------------------------------
    def leave_Decorator(self, ctx, original: cst.Decorator, updated: cst.Decorator):
        if id(original) in self.decorated.decorators:  # a requests_mock Mocker that can be translated
            if isinstance(ctx.parent(), cst.ClassDef):
                if ctx.mocked_tests.kept_at(scope_path(ctx.scopes)):
                    return updated  # one of its tests stays on requests_mock: so do they all
                return cst.RemoveFromParent()  # each test method gets its own decorator instead
            return updated.with_changes(decorator=self._router_decorator(ctx))
        if self._enabled(ctx) and ctx.resolve(original.decorator) == "responses.activate":
            ctx.report_once(UNMATCHED, original, "unmatched requests fail differently under the new mock library")
            if self._httpx_mock(ctx):
                return cst.RemoveFromParent()  # the httpx_mock fixture takes its place
            return updated.with_changes(decorator=self._respx(ctx, "mock"))
        return updated

    def _httpx_mock(self, ctx) -> bool:
        return ctx.options.mock_library == "pytest-httpx"

    def _router_decorator(self, ctx) -> cst.Call:
        return cst.Call(self._respx(ctx, "mock"), [kwarg("assert_all_called", cst.Name("False"))])

    # --- @requests_mock.Mocker() on a test or on its class: @respx.mock(...) passing respx_mock ------
    def visit_ClassDef(self, ctx, node: cst.ClassDef) -> None:
        if self._enabled(ctx) and not (ctx.mocked_tests.kept and ctx.mocked_tests.kept_at(scope_path(ctx.scopes))):
            self.decorated.visit_class(ctx, node, self._report_mock)

    def _report_mock(self, ctx, node: cst.CSTNode, why: str) -> None:
        ctx.report(NOT_MIGRATED, node, why)

    def leave_FunctionDef(self, ctx, original: cst.FunctionDef, updated: cst.FunctionDef):
        if id(original) in self.decorated.from_class:  # the class's Mocker, as this method's own decorator
            first = cst.Decorator(self._router_decorator(ctx))
            return updated.with_changes(decorators=[first, *updated.decorators])
        return self._fixture_parameter(ctx, original, updated)

    def _fixture_parameter(self, ctx, original: cst.FunctionDef, updated: cst.FunctionDef):
        """pytest-httpx: a test that was @responses.activate asks for the httpx_mock fixture."""
        if not (self._enabled(ctx) and self._httpx_mock(ctx)):
            return updated
        activated = any(ctx.resolve(d.decorator) == "responses.activate" for d in original.decorators)
        if not activated or any(p.name.value == "httpx_mock" for p in updated.params.params):
            return updated
        params = list(updated.params.params)
        if params:
            params[-1] = params[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        params.append(cst.Param(cst.Name("httpx_mock")))
        return updated.with_changes(params=updated.params.with_changes(params=params))

    def _in_activated_test(self, ctx) -> bool:
        return any(
            isinstance(p, cst.FunctionDef) and any(ctx.resolve(d.decorator) == "responses.activate" for d in p.decorators)
            for p in ctx.parents
        )

    def visit_Module(self, ctx, node: cst.Module) -> None:
        self.providers = mock_fixtures(ctx, node) if self._enabled(ctx) else {}

    def visit_FunctionDef(self, ctx, node: cst.FunctionDef) -> None:
        if self._enabled(ctx) and any(p.name.value == "requests_mock" for p in node.params.params):
            self.mocks.add(ctx, "requests_mock")  # requests-mock's pytest fixture, renamed below
            self.mockers.add(ctx, "requests_mock")
        for param in node.params.params if self.providers else ():
            if param.name.value in self.providers:  # a fixture of this file yielding a mock: the mock
                self.mocks.add(ctx, param.name.value)
                if self.providers[param.name.value] == "requests_mock.Mocker":
                    self.mockers.add(ctx, param.name.value)
        name = self.decorated.visit_function(ctx, node, self._report_mock) if self._enabled(ctx) else None
        if name is not None:
            self.mocks.add(ctx, name)
            self.mockers.add(ctx, name)

    def _forget(self, ctx, name: str) -> None:
        self.mocks.forget(ctx, name)
        self.mockers.forget(ctx, name)

    def _fixture(self, ctx) -> str:
        return "httpx_mock" if self._httpx_mock(ctx) else "respx_mock"

    def leave_Param(self, ctx, original: cst.Param, updated: cst.Param):
        if self._enabled(ctx) and original.name.value == "requests_mock":
            return updated.with_changes(name=cst.Name(self._fixture(ctx)))
        if self.decorated.renamed.get(id(ctx.scopes[-1].node)) == original.name.value:
            return updated.with_changes(name=cst.Name(ROUTER_PARAM))  # the mocker's parameter
        return updated

    def leave_Name(self, ctx, original: cst.Name, updated: cst.Name):
        # uses of the fixture (the import of the requests_mock module resolves, and is not renamed)
        # and of a decorated test's mocker parameter
        name = original.value
        if self._enabled(ctx) and not self._httpx_mock(ctx) and ctx.resolve(original) == "responses.calls":
            parent = ctx.parent()  # ``from responses import calls``: respx records them too
            if not (isinstance(parent, cst.ImportAlias) or isinstance(parent, cst.Attribute) and parent.attr is original):
                if not reads_the_same(ctx):
                    ctx.report(NOT_MIGRATED, original, "recorded calls hold httpx requests and responses in respx: only len(), calls[i].request.method, .url and header lookups read the same")
                return self._respx(ctx, "calls")
        if self._enabled(ctx) and self.mocks.has(ctx, name) and ctx.resolve(original) is None and handed_on(ctx, original):
            # a helper registering on it (``register(m)``) is not followed: it would keep requests' API
            ctx.report(NOT_MIGRATED, original, f"{name} is handed to a function the tool does not follow")
        if name == "requests_mock" and self.mockers.has(ctx, "requests_mock") and ctx.resolve(original) is None:
            new = self._fixture(ctx)
        elif self.decorated.renamed and self.mockers.has(ctx, name) and self.decorated.renamed.get(id(binding_node(ctx, name))) == name:
            new = ROUTER_PARAM
        else:
            return updated
        parent = ctx.parent()
        if isinstance(parent, cst.Param) or (isinstance(parent, cst.Attribute) and parent.attr is original):
            return updated
        if isinstance(parent, cst.Arg) and parent.keyword is original:
            return updated
        return updated.with_changes(value=new)

    def leave_Assign(self, ctx, original: cst.Assign, updated: cst.Assign):
        """``adapter = requests_mock.Adapter()`` → a respx router, mounted as a MockTransport."""
        value = original.value
        for target in original.targets:
            if isinstance(target.target, cst.Name):
                self._forget(ctx, target.target.value)
        if self._registers_on_mocker(ctx, value) and len(original.targets) == 1 and isinstance(original.targets[0].target, cst.Name):
            # ``route = m.get(...)``: requests-mock's matcher, now a respx Route; both record their calls,
            # read like the mocker's (``route.last_request`` → ``route.calls.last.request``)
            self.mockers.add(ctx, original.targets[0].target.value)
            return updated
        if not (self._enabled(ctx) and isinstance(value, cst.Call) and ctx.resolve(value.func) == "requests_mock.Adapter"):
            return updated
        target = original.targets[0].target if len(original.targets) == 1 else None
        if value.args or not isinstance(target, cst.Name) or self._httpx_mock(ctx):
            ctx.report(NOT_MIGRATED, original, "requests_mock.Adapter(...) the tool cannot translate here")
            return updated
        self.mocks.add(ctx, target.value)
        self.mockers.add(ctx, target.value)
        ctx.bind_object(target, ObjectInfo("mock-router", original))
        router = cst.Call(self._respx(ctx, "Router"), [kwarg("assert_all_called", cst.Name("False"))])
        return updated.with_changes(value=router)

    def _registers_on_mocker(self, ctx, value: cst.BaseExpression) -> bool:
        if not (self._enabled(ctx) and isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return False
        owner, attr = value.func.value, value.func.attr.value
        registers = attr == "register_uri" or attr.upper() in METHODS
        return registers and isinstance(owner, cst.Name) and self.mocks.has(ctx, owner.value) and self.mockers.has(ctx, owner.value)

    def leave_WithItem(self, ctx, original: cst.WithItem, updated: cst.WithItem):
        if updated.asname is not None and isinstance(updated.asname.name, cst.Name):
            self._forget(ctx, updated.asname.name.value)  # bound anew: a mock again only if made one below
        item = original.item
        if self._enabled(ctx) and isinstance(item, cst.Call) and ctx.resolve(item.func) == "requests_mock.Mocker":
            if self._httpx_mock(ctx):
                ctx.report(NOT_MIGRATED, original, "pytest-httpx has no context manager: use the httpx_mock fixture")
                return updated
            if item.args:
                ctx.report(NOT_MIGRATED, original, _mocker_args_why(item))
                return updated
            if updated.asname is not None and isinstance(updated.asname.name, cst.Name):
                self.mocks.add(ctx, updated.asname.name.value)
                self.mockers.add(ctx, updated.asname.name.value)
            return updated.with_changes(item=cst.Call(self._respx(ctx, "mock"), [kwarg("assert_all_called", cst.Name("False"))]))
        if not (self._enabled(ctx) and isinstance(item, cst.Call) and ctx.resolve(item.func) == "responses.RequestsMock"):
            return updated
        if self._httpx_mock(ctx):
            ctx.report(NOT_MIGRATED, original, "pytest-httpx has no context manager: use the httpx_mock fixture")
            return updated
        fired = find_kwarg(item.args, "assert_all_requests_are_fired")
        if any(a.keyword is None or a.keyword.value != "assert_all_requests_are_fired" for a in item.args):
            ctx.report(NOT_MIGRATED, original, "RequestsMock(...) arguments other than assert_all_requests_are_fired")
            return updated
        value = fired.value if fired is not None else cst.Name("True")  # RequestsMock's default
        if updated.asname is not None and isinstance(updated.asname.name, cst.Name):
            self.mocks.add(ctx, updated.asname.name.value)
            if isinstance(value, cst.Name) and value.value == "False":
                self.blocks.relaxed.add(updated.asname.name.value)
        ctx.report_once(UNMATCHED, original, "unmatched requests raise AssertionError under respx")
        return updated.with_changes(item=cst.Call(self._respx(ctx, "mock"), [kwarg("assert_all_called", value)]))

    # --- registering responses ------------------------------------------------------------------------
    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if id(original) in self.json_reads:
            return json_of(ctx, updated.func.value)  # type: ignore[attr-defined]
        if not self._enabled(ctx) or not isinstance(original.func, (cst.Attribute, cst.Name)):
            return updated
        if isinstance(original.func, cst.Name):  # ``from responses import add``: responses' own
            qual = ctx.resolve(original.func) or ""
            if not qual.startswith("responses.") or qual.count(".") != 1:
                return updated
            owner, attr, is_module = cst.Name("responses"), qual.partition(".")[2], True
        else:
            owner, attr = original.func.value, original.func.attr.value
            is_module = ctx.resolve(owner) == "responses"
        is_mock = not is_module and isinstance(owner, cst.Name) and self.mocks.has(ctx, owner.value)
        if not (is_module or is_mock):
            return updated
        if self._httpx_mock(ctx) and is_module and not self._in_activated_test(ctx):
            ctx.report(NOT_MIGRATED, original, "outside an @responses.activate test there is no httpx_mock fixture to use")
            return updated
        router = (None if self._httpx_mock(ctx) else self._respx(ctx)) if is_module else owner
        if is_mock and self.mockers.has(ctx, owner.value):  # type: ignore[union-attr]
            return self._mocker_call(ctx, original, updated, attr)
        if attr == "add" or attr.upper() in METHODS:
            return self._add(ctx, original, updated, router, None if attr == "add" else attr.upper())
        if is_module and attr in ("start", "stop", "reset") and not self._httpx_mock(ctx):
            return self._lifecycle(ctx, original, updated, attr)
        if attr == "assert_call_count" and not self._httpx_mock(ctx):
            try:
                return _responses_mock.call_count_assertion(ctx, list(updated.args), cst.Attribute(router, cst.Name("calls")))
            except NotTranslated as exc:
                ctx.report(NOT_MIGRATED, original, f"responses.assert_call_count(...): {exc}")
                return updated
        if attr == "add_callback":
            try:
                spec = _responses_mock.callback_registration(ctx, list(updated.args))
                if not self._httpx_mock(ctx):  # (pytest-httpx chooses among responses' registrations as responses does)
                    self.routes.add(ctx, spec, route_of(ctx, original, spec), in_turn=True)
            except NotTranslated as exc:
                ctx.report(NOT_MIGRATED, original, f"responses.add_callback(...): {exc}")
                return updated
            self.helpers.add(_responses_callbacks.NAME)
            new = self._render(ctx, router, spec)
            self.blocks.record(ctx, new, spec, router, original)
            return new
        if attr == "add_passthru" and not self._httpx_mock(ctx):
            try:
                return _responses_mock.passthru(ctx, list(updated.args), router, self.routes)
            except NotTranslated as exc:
                ctx.report(NOT_MIGRATED, original, f"responses.add_passthru(...): {exc}")
                return updated
        if attr in ("add_callback", "assert_call_count", "replace", "upsert", "remove", "add_passthru", "passthrough"):
            ctx.report(NOT_MIGRATED, original, f"responses.{attr}(...) has no direct respx translation")
        return updated

    def _add(self, ctx, original: cst.Call, updated: cst.Call, router, method: str | None):
        try:
            spec = _responses_mock.registration(ctx, method, list(updated.args))
            if self._httpx_mock(ctx) and any(k not in _PYTEST_HTTPX_MATCHES for k, _ in spec.patterns):
                raise NotTranslated("match= other than a strict JSON, a non-strict header or a body matcher is not translated for pytest-httpx")
            if not self._httpx_mock(ctx):  # (pytest-httpx chooses among responses' registrations as responses does)
                self.routes.add(ctx, spec, route_of(ctx, original, spec), in_turn=True)
        except NotTranslated as exc:
            ctx.report(NOT_MIGRATED, original, f"responses.{'add' if method is None else method.lower()}(...): {exc}")
            return updated
        new = self._render(ctx, router, spec)
        self.blocks.record(ctx, new, spec, router, original)
        return new

    def _lifecycle(self, ctx, original: cst.Call, updated: cst.Call, attr: str):
        try:
            new = _responses_mock.lifecycle(ctx, original, attr, self.blocks)
        except NotTranslated as exc:
            ctx.report(NOT_MIGRATED, original, f"responses.{attr}(...): {exc}")
            return updated
        if attr == "start":
            ctx.report_once(UNMATCHED, original, "unmatched requests raise AssertionError under respx")
        return new

    def leave_Module(self, ctx, original: cst.Module, updated: cst.Module):
        return _responses_callbacks.with_helper(original, updated, ctx.httpx_alias, self.helpers) if self.helpers else updated

    # --- several registrations of one route: served in turn; responses.reset() --------------------------
    def leave_IndentedBlock(self, ctx, original: cst.IndentedBlock, updated: cst.IndentedBlock):
        if not (self.blocks.registered or self.blocks.resets):
            return updated
        return self.blocks.leave(ctx, updated, lambda node, why: ctx.report(NOT_MIGRATED, node, why))

    def _render(self, ctx, router, spec: MockSpec) -> cst.Call:
        """The registration of one mocked response, in the chosen mock library."""
        if self._httpx_mock(ctx):
            return render_pytest_httpx(ctx, spec)
        return render_respx(ctx, router, spec)

    def _mocker_call(self, ctx, original: cst.Call, updated: cst.Call, attr: str):
        """``m.get(url, json=..., status_code=...)`` / ``m.register_uri(method, url, ...)``."""
        try:
            spec = _requests_mock.registration(ctx, attr, list(updated.args), lambda value: self._callback(ctx, value))
            if spec is not None and self._httpx_mock(ctx) and spec.sequence and len(spec.sequence) > 1 and not isinstance(ctx.parent(), cst.Expr):
                raise NotTranslated("a response list whose registration is kept has no pytest-httpx spelling here")
            if spec is not None:  # (requests-mock tries the newest registration first; respx the oldest)
                self.routes.add(ctx, spec, route_of(ctx, original, spec), in_turn=False)
            if spec is not None and isinstance(spec.exc, cst.Call) and getattr(spec.exc.func, "value", None) == _responses_callbacks.BODY_NAME:
                self.helpers.add(_responses_callbacks.BODY_NAME)
        except NotTranslated as exc:
            ctx.report(NOT_MIGRATED, original, f"{attr}(...): {exc}")
            return updated
        return updated if spec is None else self._render(ctx, updated.func.value, spec)  # type: ignore[union-attr]

    def _callback(self, ctx, value: cst.BaseExpression) -> bool:
        """A lambda, or a name of a function of this file: requests-mock calls it for the body."""
        if isinstance(value, cst.Lambda):
            return True
        if not isinstance(value, cst.Name):
            return False
        if self.functions is None:
            self.functions = {n.name.value for n in walk(ctx.module) if isinstance(n, cst.FunctionDef)}
        return value.value in self.functions

    def _pytest_httpx_attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        return recorded_attribute(ctx, original, updated, self.mockers.here(ctx), self.recorded, NOT_MIGRATED)

    # --- recorded calls ---------------------------------------------------------------------------------
    def leave_Subscript(self, ctx, original: cst.Subscript, updated: cst.Subscript):
        """``m.request_history[i]`` → ``m.calls[i].request``."""
        if self._enabled(ctx) and not self._httpx_mock(ctx) and is_last_request(original, self.mockers.here(ctx)):
            return cst.Attribute(updated, cst.Name("request"))
        return updated

    def _request_read(self, ctx, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        """``m.last_request.<attr>`` on the httpx.Request respx recorded: the same value, or reported."""
        if original.attr.value == "timeout" and ctx.options.timeout is None and not self._httpx_mock(ctx):
            # (with --timeout, calls requests sent without one record that timeout: not the same)
            self.helpers.add(_responses_callbacks.TIMEOUT_NAME)
            return cst.Call(cst.Name(_responses_callbacks.TIMEOUT_NAME), [cst.Arg(updated.value)])
        new = request_read(ctx, original, updated)
        if new is None:
            ctx.report(NOT_MIGRATED, original, f"last_request.{original.attr.value} differs on an httpx.Request")
            return updated
        if new is JSON_CALL:
            self.json_reads.add(id(ctx.parent()))  # the call becomes json.loads(request.content)
            return updated
        return new

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        if not self._enabled(ctx):
            return updated
        owner = original.value
        if self._httpx_mock(ctx):
            return self._pytest_httpx_attribute(ctx, original, updated)
        mockers = self.mockers.here(ctx)
        if isinstance(owner, cst.Name) and owner.value in mockers and ctx.resolve(owner) is None:  # (not the module itself)
            new = mocker_read(ctx, original, updated)
            if new is None:
                ctx.report(NOT_MIGRATED, original, f"{owner.value}.{original.attr.value} has no respx spelling the tool knows to read the same")
                return updated
            return new
        if is_last_request(original.value, mockers):
            return self._request_read(ctx, original, updated)
        if original.attr.value == "calls" and (ctx.resolve(original.value) == "responses" or isinstance(original.value, cst.Name) and self.mocks.has(ctx, original.value.value)):
            if not reads_the_same(ctx):
                ctx.report(NOT_MIGRATED, original, "recorded calls hold httpx requests and responses in respx: only len(), calls[i].request.method, .url and header lookups read the same")
            return self._respx(ctx, "calls") if ctx.resolve(original.value) == "responses" else updated
        if original.attr.value in ("url", "body") and is_recorded_request(ctx, original.value, self.mocks.here(ctx)):
            if original.attr.value == "body":  # (bytes or str in requests by how it was sent)
                read = body_read(ctx, updated)
                if read is None:
                    ctx.report(NOT_MIGRATED, original, "request.body is request.content (bytes) in httpx")
                return read or updated
            return cst.Call(cst.Name("str"), [cst.Arg(updated)])
        return updated


def _mocker_args_why(mocker: cst.Call) -> str:
    """Why a ``Mocker(...)`` with arguments stays."""
    if find_kwarg(mocker.args, "real_http") is not None:
        return _requests_mock.REAL_HTTP
    return "Mocker(...) arguments are not translated"
