"""Test mocks: ``responses`` → ``respx``, so tests keep intercepting the (now httpx) calls.

## What it does
In test files (under ``tests/`` or named ``test_*.py``/``*_test.py``; ``--tests``/``--no-tests``
to choose):

| responses | respx |
|---|---|
| ``@responses.activate`` | ``@respx.mock`` |
| ``responses.add(responses.GET, url, json=..., status=201, headers=...)``, ``responses.get(url, ...)`` | ``respx.get(url).mock(return_value=httpx.Response(201, json=..., headers=...))`` |
| ``body="text"`` | ``content="text"`` with responses' default ``Content-Type: text/plain`` written out |
| ``with responses.RequestsMock() as rsps: rsps.add(...)`` | ``with respx.mock(assert_all_called=True) as rsps: rsps.get(...).mock(...)`` |
| ``responses.calls``, ``len(responses.calls)``, ``calls[0].request.method`` | ``respx.calls``, the same |
| ``calls[0].request.url`` | ``str(respx.calls[0].request.url)`` (an ``httpx.URL`` otherwise) |

| requests_mock | respx |
|---|---|
| ``with requests_mock.Mocker() as m:`` (or its alias ``requests_mock.mock()``) | ``with respx.mock(assert_all_called=False) as m:`` |
| the pytest fixture ``requests_mock`` | respx's fixture ``respx_mock`` |
| ``m.get(url, json=..., status_code=201, text=..., headers=...)``, ``m.register_uri("GET", url, ...)`` | ``m.get(url).mock(return_value=httpx.Response(201, json=..., content=..., headers=...))`` |
| ``m.get(requests_mock.ANY, ...)`` | ``m.get().mock(...)`` (a route for any URL) |
| ``exc=requests.ConnectTimeout`` | ``.mock(side_effect=httpx.ConnectTimeout)`` |
| ``m.called``, ``m.call_count``, ``m.last_request`` | ``m.calls.called``, ``m.calls.call_count``, ``m.calls.last.request`` |
| ``adapter = requests_mock.Adapter()``, ``session.mount("mock://", adapter)`` | ``adapter = respx.Router(assert_all_called=False)``, ``httpx.Client(mounts={"mock://": httpx.MockTransport(adapter.handler)})`` (the mount is moved into the client by ``client_configuration``) |

respx adds ``Content-Length`` (and ``Content-Type`` for ``json=``) to mocked responses, which
requests_mock did not.

With ``--mock-library pytest-httpx`` the same registrations become
``httpx_mock.add_response(method=..., url=..., status_code=..., json=..., is_optional=True,
is_reusable=True)`` (``add_exception`` for ``exc=``) on the ``httpx_mock`` fixture, which
``@responses.activate`` tests now take as a parameter; a URL without a query string is matched
as ``re.compile(r"<url>(\\?.*)?$")``, since responses ignored the query; recorded requests are
``httpx_mock.get_requests()``.

## Why
``responses`` patches requests' transport adapter, so after the migration it intercepts nothing:
tests would hit the network or fail. ``respx`` patches httpx the same way.

## When it reports instead of rewriting
- ``responses.add`` with ``match=``, ``callback``/``add_callback``, ``stream=``, ``passthrough``, or
  arguments it cannot read; ``calls[i].request.body`` (``.content`` in httpx, bytes); recorded
  calls used other than as ``len(calls)``, ``calls[i].request.method``/``.url`` or a header looked up
  by name (respx records ``httpx.Request`` objects: no ``path_url``; iterating them is not followed);
  ``assert_call_count``, ``replace``, ``upsert``, ``remove``: ``mock-not-migrated``;
- requests_mock's ``reason=``, ``complete_qs``, ``additional_matcher``, the ``Mocker`` used as a
  decorator, ``request_history`` and ``last_request.json()``/``.qs``: ``mock-not-migrated``;
- with pytest-httpx: ``RequestsMock``/``Mocker`` context managers, registrations outside an
  ``@responses.activate`` test, and ``responses.calls[i].response``;
- an unmatched request raises ``AssertionError`` under respx where responses raised
  ``requests.ConnectionError``: ``mock-unmatched-request`` (info, once per file).
"""

from __future__ import annotations

import libcst as cst

from codemods._mock_names import ScopedNames
from codemods._mocked_tests import TEST_MOCKS_KEPT
from codemods._pytest_httpx import MockSpec, call_with, recorded_attribute, render_pytest_httpx
from codemods._recorded_calls import is_last_request, is_recorded_request, reads_the_same
from codemods.base import Codemod, find_kwarg, kwarg
from codemods.exceptions import as_raised_by_httpx
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.visitors import walk

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ADD_KWARGS = frozenset({"method", "url", "json", "body", "status", "headers", "content_type"})

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

    def _enabled(self, ctx) -> bool:
        return mocks_enabled(ctx.options, ctx.path)

    def _respx(self, ctx, *attrs: str) -> cst.BaseExpression:
        return ctx.stdlib("respx", *attrs)

    # --- @responses.activate, RequestsMock() ------------------------------------------------------
    def leave_Decorator(self, ctx, original: cst.Decorator, updated: cst.Decorator):
        if self._enabled(ctx) and ctx.resolve(original.decorator) == "responses.activate":
            ctx.report_once(UNMATCHED, original, "unmatched requests fail differently under the new mock library")
            if self._httpx_mock(ctx):
                return cst.RemoveFromParent()  # the httpx_mock fixture takes its place
            return updated.with_changes(decorator=self._respx(ctx, "mock"))
        return updated

    def _httpx_mock(self, ctx) -> bool:
        return ctx.options.mock_library == "pytest-httpx"

    def leave_FunctionDef(self, ctx, original: cst.FunctionDef, updated: cst.FunctionDef):
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

    def visit_FunctionDef(self, ctx, node: cst.FunctionDef) -> None:
        if self._enabled(ctx) and any(p.name.value == "requests_mock" for p in node.params.params):
            self.mocks.add(ctx, "requests_mock")  # requests-mock's pytest fixture, renamed below
            self.mockers.add(ctx, "requests_mock")

    def _forget(self, ctx, name: str) -> None:
        self.mocks.forget(ctx, name)
        self.mockers.forget(ctx, name)

    def _fixture(self, ctx) -> str:
        return "httpx_mock" if self._httpx_mock(ctx) else "respx_mock"

    def leave_Param(self, ctx, original: cst.Param, updated: cst.Param):
        if self._enabled(ctx) and original.name.value == "requests_mock":
            return updated.with_changes(name=cst.Name(self._fixture(ctx)))
        return updated

    def leave_Name(self, ctx, original: cst.Name, updated: cst.Name):
        # uses of the fixture (the import of the requests_mock module resolves, and is not renamed)
        if original.value == "requests_mock" and self.mockers.has(ctx, "requests_mock") and ctx.resolve(original) is None:
            parent = ctx.parent()
            if not isinstance(parent, cst.Param) and not (isinstance(parent, cst.Attribute) and parent.attr is original):
                return updated.with_changes(value=self._fixture(ctx))
        return updated

    def leave_Assign(self, ctx, original: cst.Assign, updated: cst.Assign):
        """``adapter = requests_mock.Adapter()`` → a respx router, mounted as a MockTransport."""
        value = original.value
        for target in original.targets:
            if isinstance(target.target, cst.Name):
                self._forget(ctx, target.target.value)
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

    def leave_WithItem(self, ctx, original: cst.WithItem, updated: cst.WithItem):
        if updated.asname is not None and isinstance(updated.asname.name, cst.Name):
            self._forget(ctx, updated.asname.name.value)  # bound anew: a mock again only if made one below
        item = original.item
        if self._enabled(ctx) and isinstance(item, cst.Call) and ctx.resolve(item.func) == "requests_mock.Mocker":
            if self._httpx_mock(ctx):
                ctx.report(NOT_MIGRATED, original, "pytest-httpx has no context manager: use the httpx_mock fixture")
                return updated
            if item.args:
                ctx.report(NOT_MIGRATED, original, "Mocker(...) arguments (real_http, ...) are not translated")
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
        ctx.report_once(UNMATCHED, original, "unmatched requests raise AssertionError under respx")
        return updated.with_changes(item=cst.Call(self._respx(ctx, "mock"), [kwarg("assert_all_called", value)]))

    # --- registering responses ------------------------------------------------------------------------
    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if not self._enabled(ctx) or not isinstance(original.func, cst.Attribute):
            return updated
        owner, attr = original.func.value, original.func.attr.value
        is_module = ctx.resolve(owner) == "responses"
        is_mock = isinstance(owner, cst.Name) and self.mocks.has(ctx, owner.value)
        if not (is_module or is_mock):
            return updated
        if self._httpx_mock(ctx) and is_module and not self._in_activated_test(ctx):
            ctx.report(NOT_MIGRATED, original, "outside an @responses.activate test there is no httpx_mock fixture to use")
            return updated
        router = (None if self._httpx_mock(ctx) else self._respx(ctx)) if is_module else owner
        if is_mock and self.mockers.has(ctx, owner.value):  # type: ignore[union-attr]
            return self._mocker_call(ctx, original, updated, attr)
        if attr == "add" or attr.upper() in _METHODS:
            return self._add(ctx, original, updated, router, None if attr == "add" else attr.upper())
        if attr in ("add_callback", "assert_call_count", "replace", "upsert", "remove", "add_passthru", "passthrough"):
            ctx.report(NOT_MIGRATED, original, f"responses.{attr}(...) has no direct respx translation")
        return updated

    def _add(self, ctx, original: cst.Call, updated: cst.Call, router, method: str | None):
        args = list(updated.args)
        positional = [a for a in args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
        if any(a.star for a in args):
            ctx.report(NOT_MIGRATED, original, "responses.add(*args/**kwargs): the registration cannot be read")
            return updated
        if set(keywords) - _ADD_KWARGS:
            extra = sorted(set(keywords) - _ADD_KWARGS)[0]
            ctx.report(NOT_MIGRATED, original, f"responses.add(..., {extra}=...) is not translated")
            return updated
        if method is None:
            first = positional.pop(0).value if positional else keywords.pop("method", None)
            method = _method_name(ctx, first)
        url = positional.pop(0).value if positional else keywords.pop("url", None)
        if method is None or url is None or positional:
            ctx.report(NOT_MIGRATED, original, "responses.add(...) with a method or url the tool cannot read")
            return updated
        spec = MockSpec(method, url, keywords.pop("status", None))
        content_type = keywords.pop("content_type", None)
        headers = keywords.pop("headers", None)
        if "json" in keywords:
            spec.body = ("json", keywords.pop("json"))
        else:
            if "body" in keywords and (exc := as_raised_by_httpx(ctx, keywords["body"])) is not None:
                spec.exc = exc  # responses raises an exception given as the body: respx's side_effect
                keywords.pop("body")
            elif "body" in keywords:
                spec.body = ("content", keywords.pop("body"))
            content_type = content_type or cst.SimpleString('"text/plain"')  # responses' default
        if content_type is not None:
            spec.headers.append(cst.DictElement(cst.SimpleString('"Content-Type"'), content_type))
        if headers is not None:
            if not isinstance(headers, cst.Dict):
                ctx.report(NOT_MIGRATED, original, "headers= that is not a dict literal")
                return updated
            spec.headers += list(headers.elements)
        return self._render(ctx, router, spec)

    def _render(self, ctx, router, spec: "MockSpec") -> cst.Call:
        """The registration of one mocked response, in the chosen mock library."""
        if ctx.options.mock_library == "pytest-httpx":
            return render_pytest_httpx(ctx, spec)
        route = cst.Call(cst.Attribute(router, cst.Name(spec.method.lower())), [cst.Arg(spec.url)] if spec.url is not None else [])
        if spec.exc is not None:
            return cst.Call(cst.Attribute(route, cst.Name("mock")), [kwarg("side_effect", spec.exc)])
        response_args = [cst.Arg(spec.status or cst.Integer("200"))]
        if spec.body is not None:
            response_args.append(kwarg(*spec.body))
        if spec.headers:
            response_args.append(kwarg("headers", cst.Dict(spec.headers)))
        response = call_with(ctx.httpx("Response"), response_args)
        return cst.Call(cst.Attribute(route, cst.Name("mock")), [kwarg("return_value", response)])

    def _mocker_call(self, ctx, original: cst.Call, updated: cst.Call, attr: str):
        """``m.get(url, json=..., status_code=...)`` / ``m.register_uri(method, url, ...)``."""
        args = list(updated.args)
        if attr == "register_uri":
            if len(args) < 2 or args[0].keyword is not None:
                ctx.report(NOT_MIGRATED, original, "register_uri(...) without a literal method")
                return updated
            method = _method_name(ctx, args[0].value)
            args = args[1:]
        elif attr.upper() in _METHODS:
            method = attr.upper()
        else:
            return updated
        keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
        positional = [a for a in args if a.keyword is None]
        allowed = {"status_code", "json", "text", "content", "headers", "exc"}
        if method is None:
            ctx.report(NOT_MIGRATED, original, f"{attr}(...) with a method the tool cannot read")
            return updated
        if len(positional) != 1 or set(keywords) - allowed or any(a.star for a in args):
            extra = sorted(set(keywords) - allowed) or ["*args"]
            ctx.report(NOT_MIGRATED, original, f"{attr}(..., {extra[0]}=...) is not translated")
            return updated
        url = positional[0].value
        if ctx.resolve(url) == "requests_mock.ANY":  # any URL: a respx route given none
            if ctx.options.mock_library == "pytest-httpx":
                ctx.report(NOT_MIGRATED, original, f"{attr}(requests_mock.ANY, ...) is not translated for pytest-httpx")
                return updated
            url = None
        spec = MockSpec(method, url, keywords.get("status_code"))
        if "exc" in keywords:
            spec.exc = as_raised_by_httpx(ctx, keywords["exc"]) or keywords["exc"]
        for source, target in (("json", "json"), ("text", "content"), ("content", "content")):
            if source in keywords and self._callback(ctx, keywords[source]):
                ctx.report(NOT_MIGRATED, original, f"{attr}(..., {source}=<a callback>): respx calls a side_effect with the request alone")
                return updated
            if source in keywords:
                spec.body = (target, keywords[source])
        if "headers" in keywords:
            if not isinstance(keywords["headers"], cst.Dict):
                ctx.report(NOT_MIGRATED, original, "headers= that is not a dict literal")
                return updated
            spec.headers = list(keywords["headers"].elements)
        return self._render(ctx, updated.func.value, spec)  # type: ignore[union-attr]

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
    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        if not self._enabled(ctx):
            return updated
        owner = original.value
        if self._httpx_mock(ctx):
            return self._pytest_httpx_attribute(ctx, original, updated)
        mockers = self.mockers.here(ctx)
        if isinstance(owner, cst.Name) and owner.value in mockers:
            attr = original.attr.value
            calls = cst.Attribute(updated.value, cst.Name("calls"))
            if attr in ("called", "call_count"):
                return cst.Attribute(calls, cst.Name(attr))
            if attr == "last_request":
                return cst.Attribute(cst.Attribute(calls, cst.Name("last")), cst.Name("request"))
            if attr in ("request_history", "called_once"):
                ctx.report(NOT_MIGRATED, original, f"{owner.value}.{attr} has no direct respx spelling")
            return updated
        if original.attr.value in ("url", "json", "qs", "text", "body") and is_last_request(original.value, mockers):
            if original.attr.value == "url":
                return cst.Call(cst.Name("str"), [cst.Arg(updated)])
            ctx.report(NOT_MIGRATED, original, f"last_request.{original.attr.value} differs on an httpx.Request")
            return updated
        if original.attr.value == "calls" and (ctx.resolve(original.value) == "responses" or isinstance(original.value, cst.Name) and self.mocks.has(ctx, original.value.value)):
            if not reads_the_same(ctx):
                ctx.report(NOT_MIGRATED, original, "recorded calls hold httpx requests and responses in respx: only len(), calls[i].request.method, .url and header lookups read the same")
            return self._respx(ctx, "calls") if ctx.resolve(original.value) == "responses" else updated
        if original.attr.value in ("url", "body") and is_recorded_request(ctx, original.value, self.mocks.here(ctx)):
            if original.attr.value == "body":
                ctx.report(NOT_MIGRATED, original, "request.body is request.content (bytes) in httpx")
                return updated
            return cst.Call(cst.Name("str"), [cst.Arg(updated)])
        return updated


def _method_name(ctx, node) -> str | None:
    if node is None:
        return None
    qual = ctx.resolve(node) or ""
    if qual.startswith(("responses.", "requests_mock.")) and qual.split(".")[1] in _METHODS:
        return qual.split(".")[1]  # responses.GET, requests_mock.POST: the method's name
    if isinstance(node, cst.SimpleString) and str(node.evaluated_value).upper() in _METHODS:
        return str(node.evaluated_value).upper()
    return None
