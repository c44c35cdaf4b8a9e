"""Session settings made after construction → arguments of ``httpx.Client(...)``.

## What it does
After ``s = requests.Session()`` (or ``self.s = ...``, or ``with requests.Session() as s:``), the
statements that configure the session in straight-line code are moved into the constructor:

- ``s.verify = False`` / ``s.trust_env = False`` / ``s.max_redirects = 5`` → the same keyword;
- ``s.verify = "ca.pem"`` → ``verify=ssl.create_default_context(cafile="ca.pem")``
  (a path ending in ``/`` becomes ``capath=``);
- ``s.cert = ("c.pem", "k.pem")`` → an SSL context built just before the client, with
  ``load_cert_chain("c.pem", "k.pem")``, passed as ``verify=``;
- ``s.proxies = {...}`` / ``s.proxies.update({...})`` → ``proxy=P`` when one proxy serves every
  scheme, else ``mounts={"http://": httpx.HTTPTransport(proxy=P1), ...}`` (requests' keys ``http``,
  ``https``, ``all`` and ``scheme://host`` are httpx's mount patterns ``http://``, ``https://``,
  ``all://`` and ``scheme://host``). ``s.proxies = PROXIES``, a dict literal bound once (in the
  function or at module level) and never changed, gives the same, each proxy read through the
  name: ``httpx.HTTPTransport(proxy=PROXIES["https"])``;
- ``s.mount("https://", HTTPAdapter(max_retries=3, pool_maxsize=20))`` → an
  ``httpx.HTTPTransport(retries=3, limits=httpx.Limits(...))``: ``transport=`` when the same
  adapter serves both schemes, ``mounts={...}`` otherwise. ``Retry(...)`` objects give their connect
  retries; with ``--retries httpx-retries`` they become an ``httpx_retries.RetryTransport`` that keeps
  status, backoff and method rules. Adapters and ``Retry`` objects bound to a name just for the mount
  are inlined. A transport gets the client's ``verify`` too, since httpx does not pass it down.

- ``s.hooks["response"].append(f)`` / ``s.hooks = {"response": [f]}`` → ``event_hooks={"response": [f]}``,
  when ``f`` is a lambda or a function of this file that takes the response and ``**kwargs`` without
  reading them (requests passes its send arguments, httpx none), does not read the body (httpx
  calls hooks before reading it) nor anything httpx's response lacks or gives differently,
  returns nothing (requests used a returned value as the response), and does not call
  ``raise_for_status()`` (which raises on every redirect in httpx, and hooks see redirects).

Header, auth, params and cookie settings in between stay where they are: httpx clients accept them
after construction (``session_to_client`` reports the params ones, which act differently).

## Why
httpx takes these settings only in the constructor. Set afterwards, ``client.verify`` and friends
are accepted and **do nothing** (``trust_env`` raises): the silent kind of difference this tool exists to prevent.

## When it reports instead of rewriting
- a setting whose value it cannot convert exactly (a ``verify`` that is neither a bool nor a string
  literal, a ``cert`` that is not a literal path or pair of paths, proxies that are not a dict
  literal (or a name bound once to one), a mount prefix with a path, an adapter it cannot read) stays where it was, reported as
  ``client-setting-not-hoisted``;
- settings made later, after the session is used, are reported by ``session_to_client``
  (``client-attribute-unsupported``);
- retry options httpx cannot express (``retries-narrower``), pool settings (``pool-settings``), and a
  custom transport that no longer sees environment proxies (``transport-env-proxies``) are reported
  on the migrated code. What the retries lost is also written above the client as a comment,
  ``# requests2httpx: note[retries-narrower] lost: status_forcelist, read``: the code no longer
  shows it, so later runs, ``--check`` and ``lint`` report the note again until a person deletes it;
- ``verify=False`` is kept and reported as ``tls-verify-disabled``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods._client_options import (
    ENV_PROXIES, POOL_SETTINGS, PROXIES_ENV, RETRIES_NARROWER, NotExact, TransportSpec, call_with_kwargs, mount_prefix,
    note_line, proxies_from, tls_verify, transport_from_adapter,
)
from codemods._hooks import check_hook, hooks_from
from codemods._request_args import VERIFY_DISABLED, proxies_of_name
from codemods.base import Codemod, kwarg, literal_text
from migrator.engine.findings import Code
from migrator.engine.names import dotted
from migrator.engine.visitors import Visitor, visit

_HOISTED_ATTRS = ("verify", "cert", "proxies", "trust_env", "max_redirects")
_STAY_ATTRS = ("headers", "auth", "params", "cookies")
_SESSION_FACTORIES = ("requests.Session", "requests.session")

NOT_HOISTED = Code(
    "client-setting-not-hoisted",
    "error",
    "A client setting left after httpx.Client(...), which ignores it (or raises)",
    "httpx reads ``verify``, ``cert``, proxies, ``trust_env``, hooks and transports only in the "
    "constructor: set afterwards they are ignored, and ``trust_env``, ``mount(...)`` and "
    "``proxies.update(...)`` raise AttributeError. The migration moves a session's settings into "
    "``httpx.Client(...)``; this one's value could not be converted exactly, so it stays after the "
    "constructor. The lint checks report such settings made right after a client in httpx code.",
    "Pass the setting to ``httpx.Client(...)`` yourself (see the message for what could not be converted).",
)
NEW_DEPENDENCY = Code(
    "new-dependency",
    "info",
    "The migrated code needs a package the project may not depend on yet",
    "``--retries httpx-retries`` writes ``httpx_retries.RetryTransport``, from the ``httpx-retries`` "
    "package; a SOCKS proxy needs httpx's ``socks`` extra.",
    "Add ``httpx-retries`` (or ``httpx[socks]``) to the project's dependencies.",
)


@dataclass
class _Plan:
    target: str  # "s" or "self.session"
    block: cst.CSTNode  # the block holding the creation statement
    index: int  # the creation statement's index in that block
    statements: list[tuple[cst.SimpleStatementLine, str, cst.BaseExpression | cst.Call]] = field(default_factory=list)
    helpers: dict[str, tuple[cst.SimpleStatementLine, cst.Call]] = field(default_factory=dict)
    prelude: list[cst.BaseStatement] = field(default_factory=list)
    notes: list[cst.EmptyLine] = field(default_factory=list)  # comments put right above the creation


class ClientConfiguration(Codemod):
    name = "client_configuration"
    codes = (NOT_HOISTED, RETRIES_NARROWER, POOL_SETTINGS, ENV_PROXIES, PROXIES_ENV, NEW_DEPENDENCY)

    def __init__(self) -> None:
        self.plans: dict[int, _Plan] = {}  # id(original Session() call) -> plan
        self.removed: set[int] = set()  # ids of original statements that move into constructors
        self.by_block: dict[int, list[_Plan]] = {}

    # --- finding the configuration statements (on the original tree, top-down) -----------------
    def visit_Module(self, ctx, node: cst.Module) -> None:
        self._scan(ctx, node, node.body)

    def visit_IndentedBlock(self, ctx, node: cst.IndentedBlock) -> None:
        self._scan(ctx, node, node.body)

    def _scan(self, ctx, block, body) -> None:
        for i, stmt in enumerate(body):
            creation = _creation(ctx, stmt)
            if creation is None:
                continue
            target, call, following = creation
            if following is None:
                following = body[i + 1 :]
            plan = _Plan(target, block, i)
            for later in following:
                kind = _classify(ctx, later, target)
                if kind == "stay":
                    continue
                if kind == "helper":
                    name, value = _helper(later)
                    plan.helpers[name] = (later, value)
                    continue
                if kind is None:
                    break
                plan.statements.append((later, *kind))
            if plan.statements:
                self.plans[id(call)] = plan
                for later, _, _ in plan.statements:
                    ctx.claimed.add(id(later))

    # --- building the constructor (when the Session() call is left) -------------------------------
    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        plan = self.plans.get(id(original))
        if plan is None or ctx.made_as(updated) != "client":
            return updated
        kwargs, transports, proxies, cert, hooks = {}, {}, {}, None, []
        use_helpers: set[str] = set()
        converted: dict[str, TransportSpec] = {}  # an adapter mounted twice is converted (and reported) once
        for stmt, kind, value in plan.statements:
            stmt_helpers: set[str] = set()  # helpers this statement inlines, kept only if it converts
            try:
                if kind in ("trust_env", "max_redirects"):
                    kwargs[kind] = value
                elif kind == "verify":
                    kwargs["verify"] = tls_verify(ctx, value)
                    if isinstance(value, cst.Name) and value.value == "False":
                        ctx.report(VERIFY_DISABLED, stmt, "verify=False: TLS certificates are not checked")
                elif kind == "cert":
                    cert = value
                elif kind == "proxies":
                    proxies = proxies_from(_proxies_literal(ctx, value))
                elif kind == "proxies_update":
                    proxies = {**proxies, **proxies_from(_proxies_literal(ctx, value))}
                elif kind in ("hooks", "hook_append"):
                    new_hooks = hooks_from(value)
                    for hook in new_hooks:
                        check_hook(ctx.module, hook)
                    hooks = hooks + new_hooks if kind == "hook_append" else new_hooks
                elif kind == "mount":
                    prefix, adapter = value.args[0].value, value.args[1].value  # type: ignore[union-attr]
                    router = ctx.object_info(adapter) if isinstance(adapter, cst.Name) else None
                    if router is not None and router.kind == "mock-router":
                        # a requests_mock Adapter turned respx router: its handler serves the prefix
                        transports[mount_prefix(prefix, any_scheme=True)] = TransportSpec(expr=cst.Call(
                            ctx.httpx("MockTransport"), [cst.Arg(cst.Attribute(adapter, cst.Name("handler")))]))
                        self.removed.add(id(stmt))
                        continue
                    pattern = mount_prefix(prefix)
                    helper = adapter.value if isinstance(adapter, cst.Name) and adapter.value in plan.helpers else None
                    if helper in converted:
                        transports[pattern] = converted[helper]
                        self.removed.add(id(stmt))
                        continue
                    if helper is not None:
                        stmt_helpers.add(helper)
                        adapter = plan.helpers[helper][1]
                    if not (isinstance(adapter, cst.Call) and ctx.resolve(adapter.func) == "requests.adapters.HTTPAdapter"):
                        raise NotExact("the mounted adapter is not an HTTPAdapter(...) the tool can read")
                    adapter = _inline_retry(adapter, plan, stmt_helpers)
                    use_retries = ctx.options.retries == "httpx-retries"
                    transports[pattern] = transport_from_adapter(ctx, adapter, stmt, use_retries)
                    if helper is not None:
                        converted[helper] = transports[pattern]
            except NotExact as exc:
                ctx.report(NOT_HOISTED, stmt, f"{plan.target}.{kind.split('_')[0]}: {exc}")
                continue
            use_helpers |= stmt_helpers
            self.removed.add(id(stmt))
        # A helper (``retry = Retry(...)``, ``adapter = HTTPAdapter(...)``) goes only when every use
        # of it went into the constructor: fixpoint, since a helper may be used by another helper.
        moved = {id(st) for st, _, _ in plan.statements if id(st) in self.removed}
        pending = set(use_helpers)
        while pending:
            removable = {n for n in pending if not _used_outside(plan, n, moved | {id(plan.helpers[n][0])})}
            if not removable:
                break
            for name in removable:
                moved.add(id(plan.helpers[name][0]))
                self.removed.add(id(plan.helpers[name][0]))
            pending -= removable
        if cert is not None:
            try:
                kwargs["verify"] = self._cert_context(ctx, plan, cert, kwargs.get("verify"))
            except NotExact as exc:
                stmt = next(s for s, k, _ in plan.statements if k == "cert")
                self.removed.discard(id(stmt))
                ctx.report(NOT_HOISTED, stmt, f"{plan.target}.cert: {exc}")
        if hooks:
            kwargs["event_hooks"] = cst.Dict([cst.DictElement(cst.SimpleString('"response"'), cst.List([cst.Element(h) for h in hooks]))])
        new_args = _merge(ctx, updated, kwargs, transports, proxies, original)
        notes = dict.fromkeys(note for spec in transports.values() for note in spec.notes)
        if notes:
            plan.notes = [note_line(RETRIES_NARROWER, note) for note in notes]
            self._place(plan)
        call = updated.with_changes(args=new_args)
        return ctx.mark(call, "client")

    def _cert_context(self, ctx, plan: _Plan, cert, verify) -> cst.Name:
        if isinstance(verify, cst.Name) and verify.value == "False":
            raise NotExact("a client certificate with verify=False needs a hand-built SSL context")
        files = [el.value for el in cert.elements] if isinstance(cert, cst.Tuple) else [cert]
        # only literal paths: a name may hold a path, a pair or None, and load_cert_chain takes one form
        if len(files) not in (1, 2) or not all(isinstance(literal_text(f), str) for f in files):
            raise NotExact("cert is neither a literal path nor a (cert, key) pair of literal paths")
        context = verify if isinstance(verify, cst.Call) else cst.Call(func=ctx.stdlib("ssl", "create_default_context"))
        name = "ssl_context"
        plan.prelude = [
            cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], context)]),
            cst.SimpleStatementLine([cst.Expr(call_with_kwargs(
                cst.Attribute(cst.Name(name), cst.Name("load_cert_chain")), [cst.Arg(f) for f in files]))]),
        ]
        self._place(plan)
        return cst.Name(name)

    def _place(self, plan: _Plan) -> None:
        """Have ``plan``'s prelude and notes put before its creation statement."""
        plans = self.by_block.setdefault(id(plan.block), [])
        if not any(p is plan for p in plans):
            plans.append(plan)

    # --- removing the moved statements, placing preludes ------------------------------------------
    def leave_SimpleStatementLine(self, ctx, original, updated):
        return cst.RemoveFromParent() if id(original) in self.removed else updated

    def leave_IndentedBlock(self, ctx, original, updated):
        updated = self._insert_preludes(original, updated)
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    def leave_Module(self, ctx, original, updated):
        return self._insert_preludes(original, updated)

    def _insert_preludes(self, original, updated):
        plans = self.by_block.get(id(original))
        if not plans:
            return updated
        body = list(updated.body)
        for plan in sorted(plans, key=lambda p: -p.index):
            shift = sum(1 for st in original.body[: plan.index] if id(st) in self.removed)
            at = plan.index - shift
            prelude = list(plan.prelude)
            if prelude:
                prelude[0] = prelude[0].with_changes(leading_lines=body[at].leading_lines)
                body[at] = body[at].with_changes(leading_lines=plan.notes)
            else:
                body[at] = body[at].with_changes(leading_lines=[*body[at].leading_lines, *plan.notes])
            body[at:at] = prelude
        return updated.with_changes(body=body)


def _creation(ctx, stmt):
    """(target text, Session() call, the statements after it) for a session creation statement."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        target = dotted(assign.targets[0].target) if len(assign.targets) == 1 else None
        if target and target.count(".") <= 1 and (target.count(".") == 0 or target.startswith("self.")):
            if _is_session_call(ctx, assign.value):
                return target, assign.value, None
    if isinstance(stmt, cst.With) and len(stmt.items) == 1:
        item = stmt.items[0]
        if _is_session_call(ctx, item.item) and item.asname is not None and isinstance(item.asname.name, cst.Name):
            return item.asname.name.value, item.item, stmt.body.body
    return None


def _proxies_literal(ctx, value: cst.BaseExpression) -> cst.BaseExpression:
    """``s.proxies = PROXIES``: the dict literal PROXIES is bound to once and never changed, its
    values read through the name (``_request_args.proxies_of_name``)."""
    if isinstance(value, cst.Name):
        literal = proxies_of_name(ctx, value)
        if literal is None:
            raise NotExact(f"{value.value} is not a dict literal bound once and never changed")
        return literal
    return value


def _is_session_call(ctx, node) -> bool:
    return isinstance(node, cst.Call) and not node.args and ctx.resolve(node.func) in _SESSION_FACTORIES


def _classify(ctx, stmt, target: str):
    """("verify", value) etc. for a setting to hoist; "stay", "helper", or None (stop)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        where = small.targets[0].target
        text = dotted(where) or (dotted(where.value) if isinstance(where, cst.Subscript) else None)
        if text and text.startswith(target + "."):
            attr = text[len(target) + 1 :]
            if attr in _HOISTED_ATTRS and isinstance(where, cst.Attribute):
                return (attr, small.value)
            if attr == "hooks" and isinstance(where, cst.Attribute):
                return ("hooks", small.value)
            if attr == "hooks" and isinstance(where, cst.Subscript):
                key = where.slice[0].slice
                if isinstance(key, cst.Index) and literal_text(key.value) == "response":
                    return ("hooks", small.value)
            if attr.split(".")[0] in _STAY_ATTRS:
                return "stay"
            return None
        if isinstance(where, cst.Name) and isinstance(small.value, cst.Call):
            if ctx.resolve(small.value.func) in ("urllib3.Retry", "requests.adapters.HTTPAdapter"):
                return "helper"
        return None
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        func = dotted(call.func) or ""
        if func == f"{target}.mount" and len(call.args) == 2 and not any(a.keyword or a.star for a in call.args):
            return ("mount", call)
        if func == f"{target}.proxies.update" and len(call.args) == 1 and not call.args[0].keyword:
            return ("proxies_update", call.args[0].value)
        hooks_list = call.func.value if isinstance(call.func, cst.Attribute) else None
        if (
            isinstance(hooks_list, cst.Subscript)
            and dotted(hooks_list.value) == f"{target}.hooks"
            and call.func.attr.value in ("append", "extend")
            and len(call.args) == 1
        ):
            key = hooks_list.slice[0].slice
            if isinstance(key, cst.Index) and literal_text(key.value) == "response":
                value = call.args[0].value
                return ("hook_append", value if call.func.attr.value == "extend" else cst.List([cst.Element(value)]))
        if func.startswith(target + ".") and func[len(target) + 1 :].split(".")[0] in _STAY_ATTRS:
            return "stay"
    return None


def _helper(stmt) -> tuple[str, cst.Call]:
    assign = stmt.body[0]
    return assign.targets[0].target.value, assign.value


def _inline_retry(adapter: cst.Call, plan: _Plan, used: set[str]) -> cst.Call:
    """``HTTPAdapter(max_retries=retry)`` with ``retry = Retry(...)`` defined just above."""
    args = []
    for arg in adapter.args:
        if arg.keyword is not None and arg.keyword.value == "max_retries" and isinstance(arg.value, cst.Name):
            if arg.value.value in plan.helpers:
                used.add(arg.value.value)
                arg = arg.with_changes(value=plan.helpers[arg.value.value][1])
        args.append(arg)
    return adapter.with_changes(args=args)


class _NameUses(Visitor):
    def __init__(self, name: str):
        self.name, self.count = name, 0

    def visit_Name(self, node: cst.Name) -> None:
        self.count += node.value == self.name


def _used_outside(plan: _Plan, name: str, moved: set[int]) -> bool:
    """Is a helper name used outside the statements that move into the constructor?"""
    body = plan.block.body
    for stmt in body[plan.index + 1 :]:
        if id(stmt) in moved:
            continue
        uses = _NameUses(name)
        visit(stmt, uses)
        if uses.count:
            return True
    return False


def _merge(ctx, updated: cst.Call, kwargs, transports: dict[str, TransportSpec], proxies, original) -> list[cst.Arg]:
    """The client's arguments with the hoisted settings folded in."""
    args = [a for a in updated.args if not (a.keyword and a.keyword.value in kwargs)]
    extra = dict(kwargs)
    if proxies and not transports:
        values = {ctx.module.code_for_node(v) for v in proxies.values()}
        if len(values) == 1 and set(proxies) in ({"http://", "https://"}, {"all://"}):
            extra["proxy"] = next(iter(proxies.values()))
        else:
            transports = {p: TransportSpec() for p in proxies}
    trust_env = kwargs.get("trust_env")
    if proxies and not (isinstance(trust_env, cst.Name) and trust_env.value == "False"):
        ctx.report(PROXIES_ENV, original, "where HTTP(S)_PROXY is set, requests sent through it instead of these proxies; httpx uses these")
    for pattern, proxy in proxies.items():
        text = literal_text(proxy) or ""
        if text.startswith("socks"):
            ctx.report_once(NEW_DEPENDENCY, original, "a SOCKS proxy needs httpx[socks] (the socksio package)")
        if transports:
            transports.setdefault(pattern, TransportSpec()).kwargs["proxy"] = proxy
    if transports:
        for spec in transports.values():
            if spec.expr is not None:
                continue  # a mock transport: no network, nothing to configure
            if "verify" in kwargs:
                spec.kwargs["verify"] = kwargs["verify"]
            if "trust_env" in kwargs:
                spec.kwargs["trust_env"] = kwargs["trust_env"]
        trust_env = kwargs.get("trust_env")
        mocked = all(spec.expr is not None for spec in transports.values())
        if not proxies and not mocked and not (isinstance(trust_env, cst.Name) and trust_env.value == "False"):
            ctx.report(ENV_PROXIES, original, "HTTP(S)_PROXY from the environment no longer applies to this client")
        exprs = {p: _transport_expr(ctx, spec) for p, spec in transports.items()}
        keys = {p: spec.key(ctx.module) for p, spec in transports.items()}
        if set(exprs) == {"http://", "https://"} and keys["http://"] == keys["https://"]:
            extra["transport"] = exprs["https://"]
        else:
            extra["mounts"] = cst.Dict([cst.DictElement(cst.SimpleString(f'"{p}"'), e) for p, e in exprs.items()])
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = [a.with_changes(comma=comma) for a in args]
    new += [kwarg(k, v).with_changes(comma=comma) for k, v in extra.items()]
    new[-1] = new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return new


def _transport_expr(ctx, spec: TransportSpec) -> cst.BaseExpression:
    if spec.expr is not None:
        return spec.expr
    transport = call_with_kwargs(ctx.httpx("HTTPTransport"), spec.kwargs)
    if spec.retry_policy is None:
        return transport
    ctx.report_once(NEW_DEPENDENCY, ctx.parents[-1], "httpx_retries.RetryTransport needs the httpx-retries package")
    policy = call_with_kwargs(ctx.stdlib("httpx_retries", "Retry"), spec.retry_policy)
    return call_with_kwargs(ctx.stdlib("httpx_retries", "RetryTransport"), {"transport": transport, "retry": policy})
