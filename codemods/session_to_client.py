"""requests.Session() → httpx.Client(...), closed by a ``with`` block where its life is one block.

## What it does
- ``requests.Session()`` / ``requests.session()`` become
  ``httpx.Client(follow_redirects=True, max_redirects=30, timeout=None)``: requests' defaults
  written out (httpx follows no redirects, stops after 20, and times out after 5 s by default).
  ``--timeout SECONDS`` writes that number instead of ``None``.
- ``with requests.Session() as s:`` maps directly to ``with httpx.Client(...) as s:``.
- With ``--async``, a session created in a coroutine and used only there (through its attributes,
  not from nested functions, never handed on) becomes an ``httpx.AsyncClient`` in ``async with``:
  its calls are awaited, ``close()`` becomes ``await s.aclose()``, and ``with s.get(url, stream=True)
  as r:`` becomes ``async with s.stream(...) as r:``. A module-level session used only inside
  coroutines becomes a module-level ``httpx.AsyncClient``, reported (``async-client-event-loop``):
  it serves one event loop.
- A session created in a function and used only through its attributes by the statements that
  follow it in the same block is wrapped: ``with httpx.Client(...) as s:`` around exactly those
  statements, and a final ``s.close()`` is dropped (the ``with`` closes it).
- A session is migrated together with everything it reaches in the file, or not at all (see
  below): the names and ``self`` attributes it is bound to (in the class and the file's subclasses
  of it), the private functions it is passed to or returned from (``self._session =
  self._make_session()``), and the calls made through any of them. Those calls get the
  request-argument mapping of ``module_functions``; ``s.head(url)`` gets ``follow_redirects=False``,
  since requests' ``Session.head`` does not follow redirects and the client does.
- ``params=`` on those calls is written into the URL as requests writes it,
  ``s.get(_requests_url(url, params))``, with the same helper as the module functions (see there).
- ``s.params = {...}`` becomes ``s_params = {...}`` (``self._session_params`` for ``self._session``):
  the session's params are kept beside the client, and every call writes them into its URL merged
  with its own, ``s.get(_requests_url(url, _requests_params(s_params, params)))``, as requests
  merges them (the call's keys win, ``None`` drops a key, a call's params that are not a dict go
  alone; empty ones count as none). An httpx client's own params would replace each URL's query.
  This is done when the session is bound to one local name of a function (not global) or one
  private ``self`` attribute (of a class without ``__slots__`` or decorators, never set on another
  object), is given its params by one assignment among the settings right after it is made, with
  no call in between that could send a request first, and sends only through its verb methods;
  the new name must be free in the file.

## Why
A Session and a Client differ in their defaults, so a bare ``httpx.Client()`` changes behaviour.
An httpx client also holds its connection pool until closed; a ``with`` block makes that explicit
where the tool can prove the client does not outlive the block.

## When it reports instead of rewriting
A session with a use that cannot be followed or migrated exactly stays on requests **whole** —
every name, attribute, call and response of it — with one ``session-kept`` error naming each
blocking line and why. Blocking are:
- uses the tool cannot follow: a verb taken as a bound method (``{"GET": s.get}``), the session
  stored in a container, yielded, passed to a function of another module or to a public function
  of this one (``make_session()`` returning it, ``fetch(session)`` taking it: callers elsewhere may
  hand in or expect a ``requests.Session``), a value that may come from a caller
  (``self.session = session or requests.Session()``), the requests module standing in for it
  (``(session or requests).post(...)``), ``isinstance`` checks, ``api.session`` read from outside its
  class, a class attribute;
- reads that would change type: ``s.auth`` read back (an ``httpx.Auth``), headers copied out
  (``{**s.headers}``, ``.items()``: names come out lowercased);
- instances pickled or copied (the class defines ``__getstate__``/``__deepcopy__``…, or calls
  ``copy.deepcopy(self)``): an httpx.Client cannot be;
- any error another codemod reports on one of its lines: a setting httpx takes only in its
  constructor (``client-attribute-unsupported``, ``client-setting-not-hoisted``), a request argument
  a client method does not take (``request-arg-unsupported``: ``verify=``, ``proxies=``, ``stream=``
  outside a ``with``...), ``**kwargs`` (``request-args-unknown``), a response attribute httpx lacks.

Reported on migrated sessions:
- ``s.params = {...}`` in any other case (set later, twice, read back, a session handed to a
  function): ``params-semantics``, since a client's params replace the query of every request URL
  in httpx (requests merges them into it); its calls' own ``params=`` stay, with the same warning;
- a client that is neither in a ``with`` block nor closed anywhere in the file: ``client-not-closed``.
"""

from __future__ import annotations

import libcst as cst

from codemods._client_containers import container_use
from codemods._units import creation_slot, name_slot, scope_path, target_slot
from codemods._request_args import ENVIRONMENT, PARAMS_SEMANTICS, VERBS, hooked, map_request_args
from codemods.async_calls import STILL_BLOCKING
from codemods._blocks import (
    only_direct_attribute_uses as _only_direct_attribute_uses,
    only_used_in_coroutines as _only_used_in_coroutines,
    region_end,
    simple_assign as _simple_assign,
    wrap_in_with,
)
from codemods.base import Codemod, append_args, await_expression, find_kwarg, kwarg
from codemods.streaming import check_stream_context, stream_args, stream_call, stream_flag
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code

_SESSION_FACTORIES = ("requests.Session", "requests.session")
_SESSION_TYPES = ("requests.Session",)

# Client attributes that keep their meaning in httpx (verbs are handled as calls).
_SAME_ATTRS = frozenset({"headers", "cookies", "auth", "params", "close", "__enter__", "__exit__", *VERBS})

ATTR_UNSUPPORTED = Code(
    "client-attribute-unsupported",
    "error",
    "This Session attribute has no exact httpx.Client equivalent after construction",
    "httpx takes ``verify``, ``cert``, ``proxies``/``proxy``, ``trust_env``, hooks and transports "
    "(``mount``) only in the Client constructor; setting them later is accepted and does nothing "
    "(``trust_env`` raises), and reading ``verify``, ``cert``, ``proxies``, ``hooks``, ``adapters`` or "
    "calling ``mount``/``prepare_request`` raises AttributeError. Hooks, adapters, ``prepare_request`` "
    "and ``send`` have other APIs. The lint checks report these uses on httpx clients too.",
    "Move the setting into ``httpx.Client(...)`` (e.g. ``httpx.Client(verify=False)``, "
    "``mounts={...}``, ``event_hooks={...}``), or use ``client.build_request``/``client.send``.",
)
KEPT = Code(
    "session-kept",
    "error",
    "A requests.Session stays on requests, with everything it reaches",
    "A session is migrated only together with every use of it in the file: the names and "
    "attributes it is bound to, the private functions it is passed to or returned from, the calls "
    "made through it and the responses they return. This one has a use the tool cannot follow or "
    "migrate exactly (listed in the message with its line): a bound method stored in a table, the "
    "session handed to code elsewhere or received from callers, a setting httpx takes only in its "
    "constructor, a request argument an httpx client does not take... Migrating the rest would "
    "leave an object half requests, half httpx, so none of it is touched.",
    "Change each listed line so that it can be migrated (or migrate the session by hand), then run "
    "the tool again. Silence the finding with ``# requests2httpx: ignore[session-kept]`` on the "
    "line where the session is made if it stays on requests on purpose.",
)
ASYNC_STREAM = Code(
    "async-stream-not-migrated",
    "error",
    "A stream on a session that became an AsyncClient, outside a with statement",
    "With ``--async`` a session used only in one coroutine becomes an ``httpx.AsyncClient``; its "
    "streams must be opened with ``async with client.stream(...) as r:``, and this one is not in a "
    "``with`` statement the tool can make async.",
    "Open the stream with ``async with client.stream(...) as r:`` and read it with ``async for``.",
)
EVENT_LOOP = Code(
    "async-client-event-loop",
    "warning",
    "A module-level AsyncClient is tied to the first event loop that uses it",
    "With ``--async`` a module-level session used only from coroutines becomes a module-level "
    "``httpx.AsyncClient``. Its pooled connections belong to the event loop that opened them: a "
    "program (or a test suite) that runs several loops, e.g. ``asyncio.run`` twice, gets "
    "``RuntimeError: Event loop is closed`` on the second. The requests session had no such tie.",
    "Create the client inside the coroutine that runs the loop (``async with httpx.AsyncClient() as "
    "client``) and pass it down, or make sure the program runs a single event loop.",
)
NOT_CLOSED = Code(
    "client-not-closed",
    "info",
    "The httpx.Client is never closed",
    "An httpx client keeps its connection pool (and sockets) until ``close()``. The tool wraps a "
    "client in ``with`` only where its whole life is one block; this one lives longer (module "
    "level, on ``self``, returned or shared) and no ``close()`` call on it was found.",
    "Close it when its owner is done (``client.close()``, a ``close()``/``__exit__`` on the owner), "
    "or create it in a ``with`` block.",
)


def _is_session_call(ctx, node: cst.BaseExpression) -> bool:
    """``requests.Session()``, or an instance of a Session subclass this file migrates."""
    if not isinstance(node, cst.Call):
        return False
    if isinstance(node.func, cst.Name) and node.func.value in ctx.client_factories:
        return ctx.resolve_name(node.func.value) is None  # not shadowed by an import
    return not node.args and ctx.resolve(node.func) in _SESSION_FACTORIES


def client_defaults(ctx) -> list[cst.Arg]:
    """requests' defaults, as httpx.Client arguments."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [
        kwarg("follow_redirects", cst.Name("True")).with_changes(comma=comma),
        kwarg("max_redirects", cst.Integer("30")).with_changes(comma=comma),
        kwarg("timeout", ctx.options.timeout_node()),
    ]


class SessionToClient(Codemod):
    name = "session_to_client"
    codes = (KEPT, ATTR_UNSUPPORTED, ASYNC_STREAM, EVENT_LOOP, NOT_CLOSED)

    def __init__(self) -> None:
        self.created: list[tuple[str, cst.CSTNode]] = []  # (key, original call) not in a with
        self.closed: set[str] = set()
        self.slots: dict[int, object] = {}  # id(original Session() call) -> the slot it goes to
        self.async_withs: set[int] = set()  # ids of original with statements to make async with
        self.module_async: set[int] = set()  # ids of module-level Session() calls that become AsyncClients

    # --- knowing which names hold sessions ------------------------------------
    def visit_Module(self, ctx, node: cst.Module) -> None:
        for stmt in node.body:
            target, value = _simple_assign(stmt)
            if isinstance(target, cst.Name) and _is_session_call(ctx, value) and not ctx.unit_plan.kept(("name", (), target.value)):
                # with --async, a module-level session used only inside coroutines becomes an AsyncClient
                is_async = ctx.options.async_calls and _only_used_in_coroutines(node, stmt, target.value)
                if is_async:
                    self.module_async.add(id(value))
                ctx.bind_object(target, ObjectInfo("client", value, extra={"async": is_async}))
        self._bind_unit_names(ctx, node)

    def visit_ClassDef(self, ctx, node: cst.ClassDef) -> None:
        # self.<attr> of the class (or of a class it derives from in this file) holding a migrated session
        family = ctx.unit_plan.family(scope_path(ctx.scopes))
        creations = {}
        for item in node.body.body:
            if isinstance(item, cst.FunctionDef) and isinstance(item.body, cst.IndentedBlock):
                for stmt in item.body.body:
                    target, value = _simple_assign(stmt)
                    if isinstance(target, cst.Attribute) and _is_session_call(ctx, value):
                        creations[target.attr.value] = value
        for _, slot_family, attr in ctx.unit_plan.migrated_slots("attr"):
            if slot_family == family:
                target = cst.Attribute(cst.Name("self"), cst.Name(attr))
                ctx.bind_object(target, ObjectInfo("client", creations.get(attr, node)))

    def visit_FunctionDef(self, ctx, node: cst.FunctionDef) -> None:
        self._bind_unit_names(ctx, node)

    def _bind_unit_names(self, ctx, node: cst.CSTNode) -> None:
        """Names of this scope that hold a migrated session (parameters of private functions it
        is passed to, names bound from a function that builds it, ...)."""
        path = scope_path(ctx.scopes)
        for _, slot_path, name in ctx.unit_plan.migrated_slots("name"):
            if slot_path == path and name not in ctx.scope.objects:
                ctx.bind_object(cst.Name(name), ObjectInfo("client", node))

    # --- rewriting ------------------------------------------------------------
    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if _is_session_call(ctx, original):
            return self._new_client(ctx, original, updated)
        func = original.func
        if not isinstance(func, cst.Attribute):
            return updated
        info = ctx.object_info(func.value)
        if info is None or info.kind != "client":
            return updated
        attr = func.attr.value
        is_async = info.extra.get("async", False)
        if attr == "close":
            self.closed.add(_key(func.value))
            if is_async:  # an AsyncClient closes with aclose(), awaited
                return await_expression(ctx, updated.with_changes(func=updated.func.with_changes(attr=cst.Name("aclose"))))  # type: ignore[union-attr]
            return updated
        if attr not in VERBS:
            return updated
        if is_async:
            return self._async_call(ctx, original, updated, attr)
        coroutine = ctx.scope.node
        if ctx.options.async_calls and isinstance(coroutine, cst.FunctionDef) and coroutine.asynchronous is not None:
            ctx.report(STILL_BLOCKING, original, f"{_key(func.value)} is a synchronous client: this call blocks the event loop")
        if find_kwarg(original.args, "stream") is not None and stream_flag(original) is not False:
            if not check_stream_context(ctx, original):
                return updated
        mapped = map_request_args(ctx, original, updated, attr, on_client=True, client_sets=_client_sets(ctx, func.value),
                                  session_params=session_params(ctx, func.value))
        if mapped is None:
            return updated
        if mapped.stream:
            return stream_call(ctx, updated, updated.func.with_changes(attr=cst.Name("stream")), attr, mapped)  # type: ignore[union-attr]
        new_func = updated.func.with_changes(attr=cst.Name(mapped.method))  # type: ignore[union-attr]
        call = hooked(ctx, updated.with_changes(func=new_func, args=mapped.args), mapped)
        return ctx.mark(call, "response" if mapped.follows_redirects else "response-nofollow")

    def _async_call(self, ctx, original: cst.Call, updated: cst.Call, attr: str):
        """A call on a session that became an AsyncClient: awaited, or an async stream."""
        receiver = original.func.value  # type: ignore[attr-defined]
        mapped = map_request_args(ctx, original, updated, attr, on_client=True, client_sets=_client_sets(ctx, receiver),
                                  session_params=session_params(ctx, receiver))
        if mapped is None:
            return updated
        parent, grand = ctx.parent(), ctx.parent(2)
        if mapped.stream:
            if not (isinstance(parent, cst.WithItem) and isinstance(grand, cst.With) and len(grand.items) == 1):
                ctx.report(ASYNC_STREAM, original, "a stream on an AsyncClient must be opened with 'async with'")
                return updated
            self.async_withs.add(id(grand))
            func = updated.func.with_changes(attr=cst.Name("stream"))  # type: ignore[union-attr]
            return ctx.mark(updated.with_changes(func=func, args=stream_args(attr, mapped.method, mapped.args)), "stream-async")
        func = updated.func.with_changes(attr=cst.Name(mapped.method))  # type: ignore[union-attr]
        call = updated.with_changes(func=func, args=mapped.args)
        awaited = await_expression(ctx, call) if mapped.hooks is None else hooked(ctx, cst.Await(call), mapped)
        return ctx.mark(awaited, "response" if mapped.follows_redirects else "response-nofollow")

    def leave_With(self, ctx, original: cst.With, updated: cst.With):
        if id(original) in self.async_withs:
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def _async_life(self, ctx, original: cst.Call) -> bool:
        """With --async: can this Session() in a coroutine become an AsyncClient? Only when every
        use is ``s.attr`` in the coroutine itself (no nested function, no escape)."""
        func = ctx.scope.node
        if not (ctx.options.async_calls and isinstance(func, cst.FunctionDef) and func.asynchronous is not None):
            return False
        parent, grand = ctx.parent(), ctx.parent(2)
        if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
            name, region = parent.asname.name.value, [grand]
        elif isinstance(parent, cst.Assign) and isinstance(grand, cst.SimpleStatementLine):
            target, _ = _simple_assign(grand)
            block = ctx.parent(3)
            if not isinstance(target, cst.Name) or not isinstance(block, cst.IndentedBlock) or ctx.parent(4) is not func:
                return False
            body = list(block.body)
            index = next((k for k, stmt in enumerate(body) if stmt is grand), None)
            last = region_end(body, index, target.value) if index is not None else None
            if last is None:
                return False
            name, region = target.value, body[index + 1 : last + 1]
        else:
            return False
        return all(_only_direct_attribute_uses(stmt, name) for stmt in region)

    def _new_client(self, ctx, original: cst.Call, updated: cst.Call) -> cst.Call:
        slot = self.slots[id(original)] = creation_slot(ctx)
        if ctx.unit_plan.kept(slot):
            return updated  # it stays a requests.Session, with everything it reaches (session-kept)
        ctx.report_once(ENVIRONMENT, original, "REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and ~/.netrc are not read by httpx")
        if id(original) in self.module_async:
            self.created.append((_key(ctx.parent().targets[0].target), original))
            ctx.report(EVENT_LOOP, original, "this AsyncClient is made at import time and serves one event loop")
            return ctx.mark(cst.Call(func=ctx.httpx("AsyncClient"), args=client_defaults(ctx)), "async-client")
        if not (isinstance(original.func, cst.Name) and original.func.value in ctx.client_factories) and self._async_life(ctx, original):
            call = cst.Call(func=ctx.httpx("AsyncClient"), args=client_defaults(ctx), lpar=updated.lpar, rpar=updated.rpar)
            parent = ctx.parent()
            if isinstance(parent, cst.WithItem):
                self.async_withs.add(id(ctx.parent(2)))
            else:
                self.created.append((_key(parent.targets[0].target), original))
            return ctx.mark(call, "async-client")
        coroutine = ctx.scope.node
        if ctx.options.async_calls and isinstance(coroutine, cst.FunctionDef) and coroutine.asynchronous is not None:
            ctx.report(STILL_BLOCKING, original, "this session is used beyond the coroutine's own statements: it stays synchronous")
        if isinstance(original.func, cst.Name) and original.func.value in ctx.client_factories:
            # an instance of a Session subclass migrated to httpx.Client: requests' defaults are
            # written out here unless the class's __init__ passes them to super().__init__()
            call = updated
            if not ctx.client_factories[original.func.value]:
                call = updated.with_changes(args=append_args(updated.args, client_defaults(ctx)))
        else:
            call = cst.Call(func=ctx.httpx("Client"), args=client_defaults(ctx), lpar=updated.lpar, rpar=updated.rpar)
        return self._track(ctx, original, call)

    def _track(self, ctx, original: cst.Call, call: cst.Call) -> cst.Call:
        parent = ctx.parent()
        if isinstance(parent, cst.WithItem):
            return ctx.mark(call, "client")
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name) or (
                isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self"
            ):
                self.created.append((_key(target), original))
        return ctx.mark(call, "client")

    def leave_Assign(self, ctx, original: cst.Assign, updated: cst.Assign):
        if len(updated.targets) != 1:
            return updated
        target = updated.targets[0].target
        made = ctx.made_as(updated.value)
        if made in ("client", "async-client"):
            ctx.bind_object(target, ObjectInfo("client", original.value, extra={"async": made == "async-client"}))
        elif isinstance(target, cst.Name) and (info := ctx.object_info(target)) and info.kind == "client":
            if ctx.unit_plan.kept(name_slot(ctx, target.value)):
                ctx.bind_object(target, None)  # rebound to something else
        return updated

    def leave_WithItem(self, ctx, original: cst.WithItem, updated: cst.WithItem):
        made = ctx.made_as(updated.item)
        if made in ("client", "async-client") and updated.asname is not None:
            extra = {"async": made == "async-client"}
            ctx.bind_object(updated.asname.name, ObjectInfo("client", original.item, extra=extra))  # type: ignore[arg-type]
        return updated

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        info = ctx.object_info(original.value)
        if info is None or info.kind != "client" or ctx.in_claimed():
            # (send/prepare_request calls are claimed by prepared_requests when it runs)
            return updated
        if original.attr.value not in _SAME_ATTRS:
            ctx.report(
                ATTR_UNSUPPORTED,
                original,
                f"session.{original.attr.value} has no exact httpx.Client equivalent here",
            )
        elif original.attr.value == "params" and (kept_beside := session_params(ctx, original.value)) is not None:
            return kept_beside  # ``s.params = {...}`` → ``s_params = {...}``: written into each call's URL
        elif original.attr.value in ("params", "cookies", "headers") and (issue := container_use(ctx, original)):
            kind, where, message = issue
            ctx.report(ATTR_UNSUPPORTED if kind == "unsupported" else PARAMS_SEMANTICS, where, message)
        return updated

    # --- lifetime ---------------------------------------------------------------
    def leave_FunctionDef(self, ctx, original: cst.FunctionDef, updated: cst.FunctionDef):
        if not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = list(updated.body.body)
        changed = False
        i = 0
        while i < len(body):  # several sessions in one function each get their own block
            target, value = _simple_assign(body[i])
            made = ctx.made_as(value) if value is not None else None
            if isinstance(target, cst.Name) and made in ("client", "async-client"):
                # a name declared global/nonlocal outlives the function: no with block then
                wrapped = wrap_in_with(body, i, target.value) if target.value in ctx.scope.local else None
                if wrapped is not None and made == "async-client":
                    wrapped[i] = wrapped[i].with_changes(asynchronous=cst.Asynchronous())
                if wrapped is not None:
                    info = ctx.scope.objects.get(target.value)
                    self.created = [(k, n) for k, n in self.created if info is None or n is not info.node]
                    body, changed = wrapped, True
            i += 1
        return updated.with_changes(body=updated.body.with_changes(body=body)) if changed else updated

    def leave_Module(self, ctx, original: cst.Module, updated: cst.Module):
        for key, node in self.created:
            if key not in self.closed and not ctx.unit_plan.closed(self.slots.get(id(node))):
                ctx.report(NOT_CLOSED, node, f"httpx.Client bound to {key} is never closed")
        return updated


def _key(target: cst.BaseExpression) -> str:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        return f"{target.value.value}.{target.attr.value}"
    return "?"


def _client_sets(ctx, receiver: cst.BaseExpression) -> frozenset[str]:
    """Which of ``params``/``hooks`` the client a call is made on may have set (its unit uses them;
    not params kept beside it, see :func:`session_params`)."""
    slot = target_slot(ctx, receiver)
    kept_beside = ctx.unit_plan.params_variable(slot) is not None
    return frozenset(name for name in ("params", "hooks")
                     if ctx.unit_plan.uses_attribute(slot, name) and not (name == "params" and kept_beside))


def session_params(ctx, receiver: cst.BaseExpression) -> cst.BaseExpression | None:
    """Where the params of the session ``receiver`` holds are kept beside its client (``s_params``,
    ``self._session_params``), or None when the client keeps them (``codemods._unit_params``)."""
    variable = ctx.unit_plan.params_variable(target_slot(ctx, receiver))
    if variable is None:
        return None
    if isinstance(receiver, cst.Attribute):
        return receiver.with_changes(attr=cst.Name(variable))
    return cst.Name(variable)
