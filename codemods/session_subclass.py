"""``class X(requests.Session)`` → ``class X(httpx.Client)``, where its overrides still fit.

## What it does
A subclass of ``requests.Session`` becomes a subclass of ``httpx.Client`` when:

- its ``__init__`` (if any) calls ``super().__init__()`` with no arguments: the call gets requests'
  defaults, ``super().__init__(follow_redirects=True, max_redirects=30, timeout=None)``;
- the only other override of the session API is ``request(self, method, url, *args, **kwargs)``
  (or ``**kwargs`` alone) passing its arguments through — httpx's ``get``/``post``/… call
  ``self.request`` with keywords, as requests' do;
- nothing in the class names a requests-only request argument (``"allow_redirects"``,
  ``"proxies"``, ``"verify"``, ``"stream"``, ``"cert"``, ``"hooks"``).

Instances (``s = X(...)``) are then followed like sessions: their calls get the argument mapping of
``session_to_client``.

## Why
Sessions are subclassed to add a base URL, default headers or logging; the same subclass of
``httpx.Client`` keeps doing that, while a half-migrated one would mix both libraries' APIs.

## When it reports instead of rewriting
Any other override (``send``, ``prepare_request``, ``merge_environment_settings``, ``rebuild_auth``,
…), ``super().__init__(...)`` with arguments, requests-only argument names in the class, or an
attribute httpx.Client defines differently (``self.base_url`` is an ``httpx.URL`` property in httpx,
``self.timeout``, ``self.verify``, ``self.params``…, or a cookie-jar method httpx lacks):
``session-subclass-not-migrated``, and the class stays a ``requests.Session``. Its responses are
then requests' too, wherever they go: in that file, parameters and functions annotated
``requests.Response`` or ``requests.Session`` are not taken for httpx objects, and those
annotations stay (the catch-all reports them).
"""

from __future__ import annotations

import libcst as cst

from codemods._client_containers import MISSING
from codemods.base import Codemod, kwarg
from migrator.engine.findings import Code
from migrator.engine.visitors import Transformer, Visitor, transform, visit

_SESSION_API = frozenset({
    "request", "send", "prepare_request", "merge_environment_settings", "get_adapter", "mount", "close",
    "rebuild_auth", "rebuild_proxies", "rebuild_method", "resolve_redirects", "should_strip_auth",
    "get_redirect_target", "__enter__", "__exit__", "get", "post", "put", "patch", "delete", "head", "options",
})
_REQUESTS_ONLY_ARGS = frozenset({"allow_redirects", "proxies", "verify", "stream", "cert", "hooks"})

NOT_MIGRATED = Code(
    "session-subclass-not-migrated",
    "error",
    "A requests.Session subclass the tool could not turn into an httpx.Client subclass",
    "Its overrides do not fit httpx.Client: httpx's ``send``, ``build_request`` and hooks differ "
    "from requests' ``send``, ``prepare_request`` and adapters, and requests-only argument names "
    "(``allow_redirects``, ``proxies``, ``stream``…) mean nothing to httpx. The class stays a "
    "requests.Session, and so does everything built on it.",
    "Port the overrides by hand: ``request(self, method, url, **kwargs)`` maps directly; ``send`` "
    "becomes ``send(self, request, **kwargs)``; ``prepare_request`` becomes ``build_request``.",
)


class SessionSubclass(Codemod):
    name = "session_subclass"
    codes = (NOT_MIGRATED,)

    def __init__(self) -> None:
        self.ok_classes: set[str] = set()

    def visit_Module(self, ctx, node: cst.Module) -> None:
        # decided up front, so instances created anywhere in the file are known to be clients
        kept = ctx.unit_plan.kept_classes
        for name, (stmt, problem) in class_problems(ctx, node).items():
            if problem is None and name in kept:
                problem = "an instance of it stays on requests (see session-kept)"
            if problem is None:
                self.ok_classes.add(name)
                ctx.client_factories[name] = any(
                    isinstance(i, cst.FunctionDef) and i.name.value == "__init__" for i in stmt.body.body)
            else:
                ctx.report(NOT_MIGRATED, stmt, f"{name}: {problem}")
                ctx.session_class_kept = True

    def leave_ClassDef(self, ctx, original: cst.ClassDef, updated: cst.ClassDef):
        if original.name.value not in self.ok_classes or not _is_session_subclass(ctx, original):
            return updated
        bases = [b.with_changes(value=ctx.httpx("Client")) for b in updated.bases]
        return updated.with_changes(bases=bases, body=transform(updated.body, _SuperInit(ctx)))


def class_problems(ctx, module: cst.Module) -> dict[str, tuple[cst.ClassDef, str | None]]:
    """The module's requests.Session subclasses: name -> (class, why it cannot be migrated, or None)."""
    return {
        stmt.name.value: (stmt, _problem(stmt))
        for stmt in module.body
        if isinstance(stmt, cst.ClassDef) and _is_session_subclass(ctx, stmt)
    }


def _is_session_subclass(ctx, cls: cst.ClassDef) -> bool:
    return len(cls.bases) == 1 and ctx.resolve(cls.bases[0].value) == "requests.Session"


def _problem(cls: cst.ClassDef) -> str | None:
    for item in cls.body.body:
        if not isinstance(item, cst.FunctionDef):
            continue
        name = item.name.value
        if name == "__init__":
            calls = _SuperInitCalls()
            visit(item, calls)
            if calls.with_args:
                return "super().__init__() is called with arguments requests.Session does not take"
        elif name == "request":
            if not _pass_through_signature(item.params):
                return "request() does not take (self, method, url, *args, **kwargs)"
        elif name in _SESSION_API:
            return f"it overrides {name}(), whose httpx counterpart differs"
    settings = _SelfSettings()
    visit(cls, settings)
    if settings.found:
        return f"it uses self.{sorted(settings.found)[0]}, which httpx.Client reads only in its constructor or defines differently"
    strings = _Strings()
    visit(cls, strings)
    if strings.found:
        return f"it uses the requests-only argument name {sorted(strings.found)[0]!r}"
    return None


def _pass_through_signature(params: cst.Parameters) -> bool:
    names = [p.name.value for p in params.params]
    return (
        names[:3] == ["self", "method", "url"]
        and len(names) == 3
        and isinstance(params.star_kwarg, cst.Param)
        and not params.kwonly_params
    )


class _SuperInitCalls(Visitor):
    with_args = False

    def visit_Call(self, node: cst.Call) -> None:
        if _is_super_init(node) and node.args:
            self.with_args = True


class _SelfSettings(Visitor):
    """``self.verify = ...``, ``self.mount(...)``, and attributes that httpx.Client already has
    with another meaning (``self.base_url`` becomes an ``httpx.URL`` through httpx's property)."""

    _ATTRS = frozenset({
        "verify", "cert", "proxies", "trust_env", "max_redirects", "mount", "hooks", "adapters", "stream",
        "base_url", "timeout", "event_hooks", "follow_redirects", "is_closed",
        "_base_url", "_auth", "_params", "_headers", "_cookies", "_timeout", "_event_hooks", "_trust_env",
        "_default_encoding", "_state", "_transport", "_mounts",
    })

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if _is_self(node.value) and (node.attr.value in self._ATTRS or node.attr.value == "params"):
            # (httpx's params are immutable and replace each request URL's query)
            self.found.add(node.attr.value)
        elif isinstance(node.value, cst.Attribute) and _is_self(node.value.value):
            container, method = node.value.attr.value, node.attr.value
            if method in MISSING.get(container, ()):  # self.cookies.set_cookie(...)
                self.found.add(f"{container}.{method}")


def _is_self(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


class _Strings(Visitor):
    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if value in _REQUESTS_ONLY_ARGS:
            self.found.add(value)  # type: ignore[arg-type]

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value in _REQUESTS_ONLY_ARGS:
            self.found.add(node.keyword.value)


def _is_super_init(node: cst.Call) -> bool:
    func = node.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "__init__"
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
    )


class _SuperInit(Transformer):
    """``super().__init__()`` gets requests' defaults written out."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not _is_super_init(original) or original.args:
            return updated
        timeout = self.ctx.options.timeout_node()
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return updated.with_changes(args=[
            kwarg("follow_redirects", cst.Name("True")).with_changes(comma=comma),
            kwarg("max_redirects", cst.Integer("30")).with_changes(comma=comma),
            kwarg("timeout", timeout),
        ])
