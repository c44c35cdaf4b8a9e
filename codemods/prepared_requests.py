"""``requests.Request`` / ``prepare_request`` / ``prepare`` / ``send`` → httpx's request objects.

## What it does
- ``requests.Request("GET", url, params=..., json=...)`` → ``httpx.Request("GET", url, ...)``, with
  the request-argument mapping of ``module_functions`` (``data=b"..."`` → ``content=``);
- ``session.prepare_request(req)`` → ``session.build_request("GET", url, ...)`` with the arguments
  ``req`` was created with (httpx's ``build_request`` merges the client's headers, cookies and
  params, as ``prepare_request`` merged the session's); the ``req = requests.Request(...)`` line
  goes when that was its only use, so its arguments are evaluated once, as before;
- ``req.prepare()`` → ``req``: an ``httpx.Request`` needs no preparing;
- ``session.send(prepared, allow_redirects=False)`` → ``session.send(prepared, follow_redirects=False)``;
  ``send(prepared, timeout=T)`` moves ``timeout=T`` to the ``build_request`` that made ``prepared``
  (httpx reads a request's timeout from the request).

## Why
httpx has one request type, built by ``client.build_request`` (or ``httpx.Request``) and sent with
``client.send``; requests' two-step ``Request``/``PreparedRequest`` maps onto it directly.

## When it reports instead of rewriting
``prepared-request-not-migrated``, the code left as it was, when:
- ``Request(...)`` takes ``auth=`` or ``hooks=`` (httpx puts auth on ``send``, hooks on the client),
  or arguments the tool cannot read;
- ``prepare_request`` gets a request whose arguments the tool did not see created in the same
  function;
- ``send`` gets ``timeout=`` for a request not built by ``build_request`` in the same or an
  enclosing block (or sent twice with different timeouts), ``stream=``, ``verify=``, ``proxies=`` or ``cert=``.
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import map_request_args
from codemods.base import Codemod, append_args, find_kwarg, kwarg
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.visitors import walk

NOT_MIGRATED = Code(
    "prepared-request-not-migrated",
    "error",
    "A prepared-request step the tool could not migrate exactly",
    "httpx builds requests with ``client.build_request(method, url, ..., timeout=...)`` and sends "
    "them with ``client.send(request, follow_redirects=..., auth=...)``. This step passes something "
    "those do not take in the same place (``timeout`` on ``send``, ``auth`` on the request, hooks), "
    "or its request was built where the tool could not see its arguments.",
    "Build the request with ``client.build_request(...)`` (timeout there), send it with "
    "``client.send(request, auth=..., follow_redirects=...)``.",
)

ATTRIBUTE = Code(
    "request-attribute",
    "warning",
    "An attribute of a request object that differs on httpx.Request",
    "``url`` is an ``httpx.URL`` (not a str), the body is ``content`` (not ``body``), and "
    "``hooks``, ``prepare_*`` and ``path_url`` do not exist.",
    "Use ``str(request.url)``, ``request.content``, ``request.url.raw_path``.",
)

_SEND_OK = frozenset({"allow_redirects"})
# what reads differently on an httpx.Request (checked with both libraries: requests.Request("GET",
# "http://h").prepare().url is "http://h/", str(httpx.Request("GET", "http://h").url) "http://h")
_DIFFERS = {
    "url": "an httpx.URL, whose str() also differs (no '/' added to an empty path, a trailing '?' kept)",
    "body": "httpx has .content (bytes) instead",
    "path_url": "httpx.Request has no path_url",
    "hooks": "httpx.Request has no hooks",
    "prepare_body": "httpx.Request has no prepare_* methods",
    "prepare_headers": "httpx.Request has no prepare_* methods",
    "prepare_url": "httpx.Request has no prepare_* methods",
}


class PreparedRequests(Codemod):
    name = "prepared_requests"
    codes = (NOT_MIGRATED, ATTRIBUTE)

    def __init__(self) -> None:
        # id(original statement of ``p = client.build_request(...)``) -> (statement, code, timeout)
        self.timeouts: dict[int, tuple] = {}
        # id(a request the migration built) -> id(the requests.Request(...) call it came from)
        self.origin: dict[int, int] = {}
        # ids of original ``req = requests.Request(...)`` assignments whose only use was inlined
        # into build_request(...): the httpx.Request they would make is never used
        self.dead: set[int] = set()

    def visit_Call(self, ctx, node: cst.Call) -> None:
        # take charge of client.send/prepare_request before session_to_client reports them
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("send", "prepare_request"):
            info = ctx.object_info(func.value)
            if info is not None and info.kind == "client":
                ctx.claimed.add(id(node))

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        if ctx.resolve(original.func) == "requests.Request":
            return self._request(ctx, original, updated)
        func = original.func
        if not isinstance(func, cst.Attribute):
            return updated
        attr = func.attr.value
        if attr == "prepare" and not original.args and ctx.made_as(updated.func.value) == "request":  # type: ignore[union-attr]
            return updated.func.value  # type: ignore[union-attr]
        receiver = ctx.object_info(func.value)
        if receiver is None:
            return updated
        if receiver.kind == "client" and attr == "prepare_request":
            return self._prepare_request(ctx, original, updated)
        if receiver.kind == "client" and attr == "send":
            return self._send(ctx, original, updated)
        if receiver.kind == "request" and attr == "prepare" and not original.args:
            return updated.func.value  # type: ignore[union-attr]
        return updated

    def _request(self, ctx, original: cst.Call, updated: cst.Call):
        if id(original) in ctx.kept_nodes:  # a use of it would read differently on an httpx.Request
            ctx.report(NOT_MIGRATED, original, ctx.kept_nodes[id(original)])
            return updated
        for bad in ("auth", "hooks"):
            if find_kwarg(original.args, bad) is not None:
                ctx.report(NOT_MIGRATED, original, f"Request(..., {bad}=...): httpx takes {bad} elsewhere")
                return updated
        positional = [a for a in updated.args if a.keyword is None]
        if len(positional) != 2 or any(a.star for a in updated.args):
            ctx.report(NOT_MIGRATED, original, "Request(...) without a literal method and url the tool can read")
            return updated
        mapped = map_request_args(ctx, original, updated.with_changes(args=updated.args), "request", on_client=True)
        if mapped is None:
            return updated
        args = [a for a in mapped.args if not (a.keyword and a.keyword.value == "follow_redirects")]
        call = updated.with_changes(func=ctx.httpx("Request"), args=args)
        self.origin[id(call)] = id(original)
        return ctx.mark(call, "request")

    def _prepare_request(self, ctx, original: cst.Call, updated: cst.Call):
        arg = original.args[0].value if len(original.args) == 1 and not original.args[0].keyword else None
        info = ctx.object_info(arg) if isinstance(arg, cst.Name) else None
        built = info.extra.get("args") if info is not None and info.kind == "request" else None
        if built is None and isinstance(updated.args[0].value, cst.Call) and ctx.made_as(updated.args[0].value) == "request":
            built = updated.args[0].value.args
        if built is None:
            ctx.report(NOT_MIGRATED, original, "prepare_request() of a request built where the tool cannot see it")
            return updated
        new_func = updated.func.with_changes(attr=cst.Name("build_request"))  # type: ignore[union-attr]
        call = updated.with_changes(func=new_func, args=built)
        if info is not None and isinstance(info.node, cst.Assign) and _only_use(ctx.scopes[-1].node, arg.value):
            self.dead.add(id(info.node))  # (req = Request(...); prepare_request(req): one build_request)
        origin = info.extra.get("origin") if info is not None else self.origin.get(id(updated.args[0].value))
        if origin is not None:
            self.origin[id(call)] = origin
        return ctx.mark(call, "request")

    def _send(self, ctx, original: cst.Call, updated: cst.Call):
        args = []
        for arg in updated.args:
            name = arg.keyword.value if arg.keyword is not None else None
            if name == "timeout" and self._move_timeout(ctx, original, arg.value):
                continue  # moved to the build_request() that made the request
            if arg.star or (name is not None and name not in _SEND_OK):
                ctx.report(NOT_MIGRATED, original, f"send(..., {name or '**'}=...) has no place on httpx's send()")
                return updated
            args.append(arg.with_changes(keyword=cst.Name("follow_redirects")) if name == "allow_redirects" else arg)
        if args and len(args) < len(updated.args):  # timeout moved: keep the call's own trailing comma
            args[-1] = args[-1].with_changes(comma=updated.args[-1].comma)
        follows = find_kwarg(args, "follow_redirects")
        nofollow = follows is not None and isinstance(follows.value, cst.Name) and follows.value.value == "False"
        return ctx.mark(updated.with_changes(args=args), "response-nofollow" if nofollow else "response")

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        value = original.value
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "prepare" and not value.args:
            value = value.func.value  # req.prepare().url reads the prepared req
        info = ctx.object_info(value)
        if info is not None and info.kind == "request":
            origin = info.extra.get("origin")
        elif ctx.made_as(updated.value) == "request":  # requests.Request(...).prepare().url
            origin = self.origin.get(id(updated.value))
        else:
            return updated
        attr = original.attr.value
        if attr in ("headers", "method", "prepare"):
            return updated
        if origin is not None and attr in _DIFFERS:
            # the request stays requests' own, so this reads as before (the call that made it says why)
            ctx.keep_next[origin] = f"its .{attr} is read where an httpx.Request differs: {_DIFFERS[attr]}"
        ctx.report(ATTRIBUTE, original, f"request.{attr} differs on an httpx.Request")
        return updated

    def _move_timeout(self, ctx, original: cst.Call, timeout: cst.BaseExpression) -> bool:
        """``send(prepared, timeout=T)``: httpx takes the timeout in ``build_request``. Possible when
        ``prepared`` was built by ``client.build_request`` in this block or one enclosing it."""
        target = original.args[0].value if original.args and original.args[0].keyword is None else None
        info = ctx.object_info(target) if isinstance(target, cst.Name) else None
        if info is None or info.kind != "request" or not info.extra.get("built_in") or info.extra["built_in"] not in ctx.parents:
            return False
        code = ctx.module.code_for_node(timeout)
        moved = self.timeouts.setdefault(id(info.extra["statement"]), (info.extra["statement"], code, timeout))
        return moved[1] == code  # sent twice with different timeouts: not movable

    def leave_Assign(self, ctx, original: cst.Assign, updated: cst.Assign):
        made = ctx.made_as(updated.value)
        if made == "request" and len(updated.targets) == 1:
            extra = {"args": updated.value.args}
            if isinstance(updated.value, cst.Call) and isinstance(updated.value.func, cst.Attribute) and updated.value.func.attr.value == "build_request":
                extra.update(built_in=ctx.parent(2), statement=ctx.parent(1))  # the block and the line
            extra["origin"] = self.origin.get(id(updated.value))
            ctx.bind_object(updated.targets[0].target, ObjectInfo("request", original, extra=extra))
        return updated

    def _apply_timeouts(self, original, updated):
        """Add each moved timeout to the build_request() call of its statement."""
        if not self.timeouts:
            return updated
        body = list(updated.body)
        for index, stmt in enumerate(original.body):
            entry = self.timeouts.get(id(stmt))
            if entry is None or index >= len(body):
                continue
            line = body[index]
            assign = line.body[0] if isinstance(line, cst.SimpleStatementLine) and line.body else None
            if not (isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call)):
                raise RuntimeError("lost track of a build_request() whose send() had a timeout")
            call = assign.value
            new_call = call.with_changes(args=append_args(call.args, [kwarg("timeout", entry[2])]))
            body[index] = line.with_changes(body=[assign.with_changes(value=new_call), *line.body[1:]])
        return updated.with_changes(body=body)

    def _drop_dead(self, original, updated):
        """Without the ``req = httpx.Request(...)`` lines whose only use build_request(...) took over."""
        if not self.dead or len(original.body) != len(updated.body):
            return updated
        body = [new for old, new in zip(original.body, updated.body)
                if not (isinstance(old, cst.SimpleStatementLine) and len(old.body) == 1 and id(old.body[0]) in self.dead)]
        return updated.with_changes(body=body) if body and len(body) < len(updated.body) else updated

    def leave_IndentedBlock(self, ctx, original, updated):
        return self._drop_dead(original, self._apply_timeouts(original, updated))

    def leave_Module(self, ctx, original, updated):
        return self._drop_dead(original, self._apply_timeouts(original, updated))


def _only_use(scope: cst.CSTNode, name: str) -> bool:
    """``name`` appears twice in ``scope``: where it is assigned, and the one use being rewritten
    (any other appearance, even as an attribute or keyword name, keeps its assignment)."""
    return sum(1 for node in walk(scope) if isinstance(node, cst.Name) and node.value == name) == 2
