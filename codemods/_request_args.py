"""Mapping one request call's arguments from requests to httpx.

Shared by ``module_functions`` (``requests.get(...)``) and ``session_to_client``
(``session.get(...)``): both take the same arguments in requests, and httpx's
module functions and client methods take the same ones back, except where noted.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods._client_options import NotExact, tls_verify
from codemods._helpers import HOOKS, PARAMS, SESSION_PARAMS, call_helper
from codemods._hooks import check_hook, hooks_from
from codemods.base import append_args, body_literal_kind, find_kwarg, has_star_args, kwarg, literal_text, with_keyword
from migrator.engine.findings import Code
from migrator.engine.names import dotted
from migrator.engine.visitors import walk

VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# httpx's helpers for these verbs take no body: such calls go through request("VERB", ...)
_NO_BODY_VERBS = ("get", "head", "options", "delete")
_BODY_ARGS = ("data", "json", "files", "content")

# requests' positional parameters after the url, per verb; module function and Session method
_POSITIONAL = {
    "module": {
        "get": ("params",),
        "post": ("data", "json"),
        "put": ("data",),
        "patch": ("data",),
    },
    "client": {
        "request": ("params", "data", "headers", "cookies", "files", "auth", "timeout",
                    "allow_redirects", "proxies", "hooks", "stream", "verify", "cert", "json"),
        "post": ("data", "json"),
        "put": ("data",),
        "patch": ("data",),
    },
}
_SAME = {"headers", "cookies", "files", "auth", "json", "params", "data", "timeout", "verify"}

ARGS_UNKNOWN = Code(
    "request-args-unknown",
    "error",
    "The call passes *args or **kwargs; it was not migrated",
    "Arguments hidden in ``*args``/``**kwargs`` may include ``allow_redirects``, ``stream``, "
    "``proxies`` or other names httpx spells differently or does not take, so the call cannot be "
    "rewritten exactly.",
    "Spell the arguments out (or migrate the call by hand): allow_redirects→follow_redirects, "
    "proxies→proxy/mounts, stream=True→httpx.stream(...).",
)
ARG_UNSUPPORTED = Code(
    "request-arg-unsupported",
    "error",
    "A request argument httpx does not take here: the call was not migrated, or raises TypeError",
    "``stream``, ``cert``, ``hooks`` that cannot run on httpx's response as they ran on requests', "
    "``proxies`` with a different proxy per scheme, and ``verify`` "
    "other than a bool or a CA path literal change how httpx must be called (a stream context, a "
    "client with mounts, an SSL context); on client methods httpx takes none of them. Rewriting the "
    "call anyway would drop the argument. In httpx code (the lint checks) the call raises TypeError: "
    "client methods take no ``verify``, ``cert``, ``proxies``, ``allow_redirects``, ``stream`` or "
    "``hooks``, ``client.send`` no ``verify``, ``cert``, ``proxies``, ``allow_redirects`` or "
    "``timeout``, and the module functions no ``cert``, ``allow_redirects``, ``stream`` or ``hooks``.",
    "Migrate the call by hand: allow_redirects → ``follow_redirects``; stream=True → ``with httpx.stream(...) as r``; proxies → a client "
    "with ``proxy=``/``mounts=``; verify='ca.pem'/cert → ``verify=ssl.create_default_context(...)``.",
)
PARAMS_SEMANTICS = Code(
    "params-semantics",
    "warning",
    "params= behaves differently in httpx unless the URL has no query and no value is None or bool",
    "requests merges ``params=`` into a query already in the URL, drops keys whose value is None "
    "and sends True as ``True``; httpx replaces the URL's query, sends None as ``k=`` and True as "
    "``true``. The call was migrated; the tool could not prove the URL and values are safe.",
    "Check the URL never carries a query string and no value is None or a bool; otherwise merge "
    "them yourself (``httpx.URL(url).copy_merge_params(params)``) and drop None values.",
)
DATA_TYPE_UNKNOWN = Code(
    "data-type-unknown",
    "warning",
    "data= holds a value of unknown type: fine for a dict, not for bytes/str or a list of pairs",
    "httpx takes form fields in ``data=`` (a dict) and raw bodies in ``content=``. A list of "
    "``(key, value)`` pairs raises TypeError in httpx; bytes/str still work but are deprecated.",
    "If the value is bytes or str, pass it as ``content=``; if it is a list of pairs, turn it "
    "into a dict of lists.",
)
DATA_PAIRS = Code(
    "data-list-of-pairs",
    "error",
    "data= is a list or tuple of pairs, which httpx rejects; the call was not migrated",
    "requests accepts form fields as a list of ``(key, value)`` tuples; httpx raises TypeError.",
    "Turn the pairs into a dict of lists, ``{'a': ['1', '2']}``, then run the tool again.",
)
DATA_STR_ENCODING = Code(
    "data-str-encoding",
    "warning",
    "A str body may hold non-ASCII text, which requests and httpx encode differently",
    "requests sends a ``str`` body encoded as ISO-8859-1 (and fails on characters outside it); "
    "httpx's ``content=`` encodes a str as UTF-8. For ASCII text the bytes are the same, so only "
    "bodies that are not provably ASCII are reported. The call was migrated to ``content=``.",
    "Encode explicitly: ``content=text.encode('iso-8859-1')`` keeps requests' bytes; "
    "``.encode('utf-8')`` is what most servers expect.",
)
JSON_BODY = Code(
    "json-body-compact",
    "info",
    "A json= body is serialised differently: compact, with non-ASCII characters as they are",
    "requests writes ``json=`` with ``json.dumps(value)``: ``{\"a\": 1}``, non-ASCII characters as "
    "``\\u`` escapes. httpx writes ``{\"a\":1}`` and keeps them as UTF-8. Servers that parse the JSON "
    "see the same value; a signature computed over the body, or a test comparing the raw bytes, "
    "does not.",
    "Where the exact bytes matter, send them yourself: ``content=json.dumps(value).encode()`` with "
    "``headers={\"Content-Type\": \"application/json\"}``.",
)
TIMEOUT_MAYBE_TUPLE = Code(
    "timeout-maybe-tuple",
    "warning",
    "timeout= is not a literal: if it is a (connect, read) tuple httpx reads it differently",
    "requests takes ``timeout=(connect, read)``; httpx rejects a 2-tuple and needs "
    "``httpx.Timeout(connect=..., read=..., write=None, pool=None)``.",
    "If the value can be a tuple, build an ``httpx.Timeout`` from it.",
)
AUTH_ENCODING = Code(
    "auth-encoding",
    "info",
    "Basic-auth credentials are encoded as UTF-8 by httpx, ISO-8859-1 by requests",
    "For ASCII user names and passwords the header is the same; with other characters the bytes "
    "differ and the server may reject them. Reported once per file, where the credentials are not "
    "ASCII literals.",
    "If credentials can hold non-ASCII text, check the server accepts UTF-8 Basic credentials.",
)
ENVIRONMENT = Code(
    "environment-differences",
    "info",
    "httpx reads a different environment than requests",
    "requests honours REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE and reads credentials from ~/.netrc; "
    "httpx reads SSL_CERT_FILE/SSL_CERT_DIR and no .netrc (only through httpx.NetRCAuth). Their "
    "default User-Agent and Accept-Encoding headers differ too. Reported once per file, at the first "
    "migrated request or client.",
    "Where the program runs with REQUESTS_CA_BUNDLE set, set SSL_CERT_FILE too (or pass "
    "verify=ssl.create_default_context(cafile=...)); pass auth=httpx.NetRCAuth() where .netrc "
    "credentials are used; set headers={'User-Agent': ...} if a server cares.",
)
REDIRECT_CONTENT_TYPE = Code(
    "redirect-content-type",
    "info",
    "A redirected request with a body keeps its Content-Type header in httpx",
    "When a 301/302/303 redirect turns a request with a body into a GET, requests drops the "
    "body's ``Content-Type`` header from the follow-up request; httpx drops the body but keeps "
    "``Content-Type``. Only servers that look at Content-Type on a bodiless GET can tell. "
    "Reported once per file, at the first request with a body that follows redirects.",
    "Nothing, usually. If the redirect target is strict about it, follow the redirect yourself "
    "(``follow_redirects=False``, then a plain GET of ``r.headers['location']``).",
)
VERIFY_DISABLED = Code(
    "tls-verify-disabled",
    "warning",
    "TLS certificate verification is disabled (verify=False), kept as it was",
    "The migration keeps ``verify=False`` because removing it would change behaviour, but it "
    "is a security risk worth a second look while the code is being touched anyway.",
    "Verify against a CA bundle instead: ``verify=ssl.create_default_context(cafile=...)``.",
)


FILES_PART = Code(
    "files-part-differs",
    "warning",
    "Multipart file parts get other headers in httpx",
    "requests sends a file part without a Content-Type unless the ``files`` entry gives one as a "
    "3-tuple; httpx always sends one, guessed from the file name (``application/octet-stream`` when "
    "it cannot tell). A str or bytes value, or a file with no name, is named after its key by "
    "requests and ``upload`` by httpx. (Checked by building the same request with both libraries.) "
    "A str or bytes literal is rewritten as ``(key, value)``, which keeps its name.",
    "Give each part's content type as the 3-tuple's third item (``{'f': ('a.txt', data, "
    "'text/plain')}``) if the server reads it, and a file name for nameless file objects.",
)


def _files(value: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    """``files=`` with its str/bytes literals named after their key as requests names them; and
    whether every part now has the same headers in both libraries (all 3- or 4-tuples)."""
    if not isinstance(value, cst.Dict):
        return value, False
    elements, exact = [], True
    for el in value.elements:
        if not isinstance(el, cst.DictElement):
            return value, False
        part = el.value
        if isinstance(part, cst.Tuple) and len(part.elements) in (3, 4):
            elements.append(el)
            continue
        exact = False
        if literal_text(el.key) is not None and isinstance(part, (cst.SimpleString, cst.ConcatenatedString)):
            el = el.with_changes(value=cst.Tuple([cst.Element(el.key, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(part)]))
        elements.append(el)
    return value.with_changes(elements=elements), exact


@dataclass
class MappedCall:
    method: str  # the httpx function/method name to call
    args: list[cst.Arg]
    follows_redirects: bool
    stream: bool = False  # stream=True was given: the caller makes it a stream() context
    hooks: cst.BaseExpression | None = None  # hooks= to call on the response (``_helpers.HOOKS``)


def hooked(ctx, call: cst.BaseExpression, mapped: MappedCall) -> cst.BaseExpression:
    """The call's response through the call's own ``hooks=`` (``_helpers.HOOKS``), if it had any."""
    return call if mapped.hooks is None else call_helper(ctx, HOOKS, call, mapped.hooks)


def map_request_args(
    ctx, original: cst.Call, updated: cst.Call, verb: str, *, on_client: bool,
    client_sets: frozenset[str] = frozenset({"params", "hooks"}),
    session_params: cst.BaseExpression | None = None,
) -> MappedCall | None:
    """httpx arguments for a requests call, or None (with one error finding) when not exact.

    ``client_sets``: for a client's call, which of its ``params``/``hooks`` the session may have
    set (the call's own then join them, differently in httpx); by default, both.
    ``session_params``: where the session's params are kept instead of on the client
    (``_units.Unit.params_variable``): every call writes them into its URL, merged with its own.

    Review warnings about a call are only kept when the call is migrated: a call left as it
    was gets the one error that says why.
    """
    mark = len(ctx.pending)
    mapped = _map(ctx, original, updated, verb, on_client, client_sets if on_client else frozenset(), session_params)
    if mapped is None:
        errors = [p for p in ctx.pending[mark:] if p.code.severity == "error"]
        for dropped in ctx.pending[mark:]:
            ctx.forget_once(dropped.code)  # a once-per-file finding may still come from a later call
        del ctx.pending[mark:]
        ctx.pending.extend(errors[:1])
    return mapped


def _map(ctx, original: cst.Call, updated: cst.Call, verb: str, on_client: bool, client_sets: frozenset[str],
         session_params: cst.BaseExpression | None) -> MappedCall | None:
    if not on_client:  # (a client's calls: reported where the client is made)
        ctx.report_once(ENVIRONMENT, original, "REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and ~/.netrc are not read by httpx")
    args = list(updated.args)
    if has_star_args(args):
        ctx.report(ARGS_UNKNOWN, original, f"{verb}() gets *args/**kwargs; not migrated")
        return None
    leading = 2 if verb == "request" else 1  # method and url stay positional
    names = _POSITIONAL["client" if on_client else "module"].get(verb, ())
    positional = [a for a in args if a.keyword is None]
    if len(positional) > leading + len(names):
        ctx.report(ARGS_UNKNOWN, original, f"{verb}() gets more positional arguments than requests takes")
        return None
    out: list[cst.Arg] = positional[:leading]
    extra = positional[leading:]
    for arg, name in zip(extra, names):
        out.append(with_keyword(arg, name))
    out += [a for a in args if a.keyword is not None]
    # the url is positional or, in both libraries alike, url=
    url_arg = positional[leading - 1] if len(positional) >= leading else find_kwarg(args, "url")
    url = url_arg.value if url_arg is not None else None

    mapped: list[cst.Arg] = []
    stream = False
    hooks: cst.List | None = None
    in_url: cst.BaseExpression | None = None
    for arg in out:
        if arg.keyword is None or arg.keyword.value in ("url", "method"):
            mapped.append(arg)  # (url= and request()'s method= are keywords in httpx too)
            continue
        name = arg.keyword.value
        value = arg.value
        if name == "stream" and _bool_literal(value) is not None:
            stream = bool(_bool_literal(value))  # dropped: httpx streams with stream(), not a flag
        elif name == "allow_redirects":
            mapped.append(arg.with_changes(keyword=cst.Name("follow_redirects")))
        elif name == "data":
            kind = body_literal_kind(value)
            if kind is not None:
                if kind == "str":
                    ctx.report(DATA_STR_ENCODING, original, "a str body is sent as ISO-8859-1 by requests, UTF-8 by httpx")
                mapped.append(arg.with_changes(keyword=cst.Name("content")))
            elif isinstance(value, (cst.List, cst.Tuple)):
                ctx.report(DATA_PAIRS, original, "data= is a sequence of pairs; httpx raises TypeError")
                return None
            else:
                if not isinstance(value, cst.Dict) and not (isinstance(value, cst.Name) and value.value == "None"):
                    ctx.report(DATA_TYPE_UNKNOWN, original, "data= may be bytes/str or a list of pairs")
                mapped.append(arg)
        elif name == "json" and not (isinstance(value, cst.Name) and value.value == "None"):
            ctx.report(JSON_BODY, original, "json= is sent as compact JSON with non-ASCII as UTF-8 (requests: {\"a\": 1}, \\u escapes)")
            mapped.append(arg)
        elif name == "params" and session_params is not None:
            in_url = call_helper(ctx, SESSION_PARAMS, session_params, value)
        elif name == "params":
            if _params_exact(url, value) or (isinstance(value, cst.Name) and value.value == "None"):
                mapped.append(arg)
            elif "params" in client_sets:  # the client's own params would drop the URL's query
                ctx.report(PARAMS_SEMANTICS, original, "params= joins the client's params, which replace the URL's query in httpx")
                mapped.append(arg)
            else:
                in_url = value  # written into the URL as requests writes it (_helpers.PARAMS)
        elif name == "timeout":
            mapped.append(_timeout_arg(ctx, original, arg))
        elif name == "verify" and not on_client and _bool_literal(value) is not None:
            if _bool_literal(value) is False:
                ctx.report(VERIFY_DISABLED, original, "verify=False: TLS certificates are not checked")
            mapped.append(arg)
        elif name == "verify" and not on_client and literal_text(value) is not None:
            mapped.append(arg.with_changes(value=tls_verify(ctx, value)))
        elif name == "proxies" and not on_client:
            proxy = _single_proxy(ctx, value)
            if proxy is None and isinstance(value, cst.Name):
                proxy = _single_proxy_of_name(ctx, value)
            if proxy is None:
                ctx.report(ARG_UNSUPPORTED, original, f"{verb}(..., proxies=...): httpx's functions take one proxy= for every scheme, and these proxies are "
                           "not one dict literal (or a name bound once to one) giving every scheme the same proxy; a client takes one per scheme "
                           "(mounts=); not migrated")
                return None
            mapped.append(arg.with_changes(keyword=cst.Name("proxy"), value=proxy))
        elif name == "auth" and isinstance(value, cst.Tuple):
            if not all(ascii_literal(el.value) for el in value.elements):
                ctx.report_once(AUTH_ENCODING, original, "non-ASCII Basic credentials would be encoded differently")
            mapped.append(arg)
        elif name == "hooks":  # (dropped: the response goes through _helpers.HOOKS instead)
            hooks = _hooks(ctx, value, client_sets)
            if isinstance(hooks, str):
                ctx.report(ARG_UNSUPPORTED, original, f"{verb}(..., hooks=...): {hooks}; not migrated")
                return None
        elif name == "files":
            value, exact = _files(value)
            if not exact:
                ctx.report(FILES_PART, original, "httpx gives each file part a Content-Type (and names a str, bytes or nameless file part 'upload')")
            mapped.append(arg.with_changes(value=value))
        elif name in _SAME and name != "verify":
            mapped.append(arg)
        else:
            ctx.report(
                ARG_UNSUPPORTED,
                original,
                f"{verb}(..., {name}=...) has no exact httpx equivalent"
                + (" on a client method" if on_client else "")
                + "; not migrated",
            )
            return None

    if session_params is not None and in_url is None:  # no params of its own: the session's alone
        in_url = call_helper(ctx, SESSION_PARAMS, session_params)
    if in_url is not None:
        at = next((i for i, a in enumerate(mapped) if (a.keyword is None and i == leading - 1) or (a.keyword and a.keyword.value == "url")), None)
        if at is None:
            ctx.report(PARAMS_SEMANTICS, original, "params= merge/None/bool semantics differ in httpx")
            mapped.append(kwarg("params", in_url))
        else:
            mapped[at] = mapped[at].with_changes(value=call_helper(ctx, PARAMS, mapped[at].value, in_url))
    if mapped and len(mapped) < len(out):
        # an argument was dropped (stream=, params=): the last one keeps the call's original trailing comma
        mapped[-1] = mapped[-1].with_changes(comma=out[-1].comma)
    method = verb
    if verb in _NO_BODY_VERBS and any(find_kwarg(mapped, b) for b in _BODY_ARGS):
        method = "request"
        mapped.insert(0, cst.Arg(cst.SimpleString(f'"{verb.upper()}"'), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))

    follow_arg = find_kwarg(mapped, "follow_redirects")
    extra_args: list[cst.Arg] = []
    if follow_arg is not None:
        follows = _bool_literal(follow_arg.value) is not False
    elif verb == "head":
        follows = False
        if on_client:  # the client follows redirects; requests' Session.head does not
            extra_args.append(kwarg("follow_redirects", cst.Name("False")))
    else:
        follows = True
        if not on_client:
            extra_args.append(kwarg("follow_redirects", cst.Name("True")))
    if not on_client and find_kwarg(mapped, "timeout") is None:
        extra_args.append(kwarg("timeout", ctx.options.timeout_node()))
    if follows and any(find_kwarg(mapped, b) for b in _BODY_ARGS):
        ctx.report_once(REDIRECT_CONTENT_TYPE, original, "if redirected to a GET, httpx still sends this body's Content-Type")
    if hooks is not None and stream:
        ctx.report(ARG_UNSUPPORTED, original, f"{verb}(..., hooks=..., stream=True): a stream's hooks would run before its body is read; not migrated")
        return None
    return MappedCall(method, append_args(_fix_commas(mapped), extra_args), follows, stream, hooks)


def _fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Positional-to-keyword moves can leave a comma missing between two args."""
    out = []
    for i, arg in enumerate(args):
        if i < len(args) - 1 and not isinstance(arg.comma, cst.Comma):
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        out.append(arg)
    return out


def _single_proxy(ctx, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The one proxy a ``proxies={...}`` literal gives every scheme, else None."""
    from codemods._client_options import NotExact, proxies_from

    try:
        patterns = proxies_from(value)
    except NotExact:
        return None
    codes = {ctx.module.code_for_node(v) for v in patterns.values()}
    if len(codes) == 1 and set(patterns) in ({"http://", "https://"}, {"all://"}):
        return next(iter(patterns.values()))
    return None


def _single_proxy_of_name(ctx, name: cst.Name) -> cst.BaseExpression | None:
    """``proxies=PROXIES`` (see :func:`proxies_of_name`): ``PROXIES["http"]`` when it gives every
    scheme the same proxy."""
    literal = _bound_dict(ctx, name)
    if literal is None or _single_proxy(ctx, literal) is None:
        return None
    return _read_through(name, literal).elements[0].value  # type: ignore[union-attr]


def proxies_of_name(ctx, name: cst.Name) -> cst.Dict | None:
    """``PROXIES``, a dict literal the name is bound to once, in the function where the engine is
    or at module level, and never changed: that literal, each value read through the name
    (``{"http": PROXIES["http"], ...}``, the keys as written), so the values are read where the
    code keeps them. None for anything else (a parameter, a dict bound again or changed)."""
    literal = _bound_dict(ctx, name)
    return None if literal is None else _read_through(name, literal)


def _read_through(name: cst.Name, literal: cst.Dict) -> cst.Dict:
    return literal.with_changes(elements=[
        el.with_changes(value=cst.Subscript(name, [cst.SubscriptElement(cst.Index(el.key))])) for el in literal.elements  # type: ignore[union-attr]
    ])


def _bound_dict(ctx, name: cst.Name) -> cst.Dict | None:
    for scope in reversed(ctx.scopes):
        if scope.kind == "class" or scope.node is None:
            continue
        if scope.kind == "function" and any(p.name.value == name.value for p in _all_params(scope.node.params)):
            return None  # a parameter: the caller's dict
        bound, changed = _bindings(scope.node, name.value)
        if not bound:
            continue
        if len(bound) != 1 or changed or not isinstance(bound[0].value, cst.Dict):
            return None  # bound again, changed in place (PROXIES["http"] = ..., .update()), or not a literal
        literal = bound[0].value
        if not literal.elements or not all(isinstance(el, cst.DictElement) for el in literal.elements):
            return None
        return literal
    return None


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return [*params.posonly_params, *params.params, *params.kwonly_params, *star]


_MUTATORS = frozenset({"update", "pop", "popitem", "clear", "setdefault", "__setitem__", "__delitem__"})


def _bindings(scope: cst.CSTNode, name: str) -> tuple[list[cst.Assign], bool]:
    """The assignments binding ``name`` among ``scope``'s own statements, and whether anything else
    in it (nested functions included) may change or rebind it."""
    bound: list[cst.Assign] = []
    changed = False
    body = scope.body.body if isinstance(scope, cst.FunctionDef) else scope.body  # type: ignore[union-attr]
    for stmt in body:
        # (nested functions too: a module constant changed in a function is changed)
        for node in walk(stmt):
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
                if any(isinstance(t, cst.Name) and t.value == name for t in targets) and isinstance(stmt, cst.SimpleStatementLine) and node in stmt.body:
                    bound.append(node)
                elif any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    changed = True  # (bound inside a compound statement)
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and isinstance(node.target, cst.Name) and node.target.value == name:
                changed = True
            elif isinstance(node, (cst.Global, cst.Nonlocal)) and any(n.name.value == name for n in node.names):
                changed = True
            elif (isinstance(node, cst.Del) or isinstance(node, cst.AssignTarget) and not isinstance(node.target, cst.Name)) \
                    and _roots_at(node.target, name):
                changed = True  # PROXIES["http"] = ..., del PROXIES["http"]
            elif isinstance(node, (cst.For, cst.CompFor, cst.WithItem)) and _roots_at(getattr(node, "target", None) or getattr(getattr(node, "asname", None), "name", None), name):
                changed = True
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _MUTATORS \
                    and isinstance(node.func.value, cst.Name) and node.func.value.value == name:
                changed = True
    return bound, changed or _escapes(body, name)


def _escapes(body, name: str) -> bool:
    """Is ``name`` used other than read by item (``PROXIES["http"]``) or handed as proxies
    (``proxies=PROXIES``, ``s.proxies = PROXIES``, ``s.proxies.update(PROXIES)``)? Bound to another
    name or passed to a function, it may be changed there."""
    allowed: set[int] = set()
    uses: list[cst.Name] = []
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, cst.Attribute):
                allowed.add(id(node.attr))
            elif isinstance(node, cst.Arg):
                if node.keyword is not None:
                    allowed.add(id(node.keyword))
                    if node.keyword.value == "proxies":
                        allowed.add(id(node.value))
            elif isinstance(node, cst.Subscript) or isinstance(node, cst.AssignTarget):
                allowed.add(id(node.value if isinstance(node, cst.Subscript) else node.target))
            elif isinstance(node, cst.Assign) and any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "proxies" for t in node.targets):
                allowed.add(id(node.value))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "update" \
                    and (dotted(node.func.value) or "").endswith(".proxies") and len(node.args) == 1:
                allowed.add(id(node.args[0].value))
            elif isinstance(node, cst.Name) and node.value == name:
                uses.append(node)
    return any(id(use) not in allowed for use in uses)


def _roots_at(target: cst.BaseExpression | None, name: str) -> bool:
    """Does ``target`` (an assignment or del target) name ``name``, or an item or attribute of it?"""
    while isinstance(target, (cst.Subscript, cst.Attribute)):
        target = target.value
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_roots_at(e.value, name) for e in target.elements)
    return isinstance(target, cst.Name) and target.value == name


def ascii_literal(node: cst.BaseExpression) -> bool:
    text = literal_text(node)
    return text is not None and text.isascii()


def _bool_literal(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _plain_value(node: cst.BaseExpression) -> bool:
    """A literal that requests and httpx encode identically in a query string."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        return isinstance(node, cst.SimpleString) is False or isinstance(literal_text(node), str)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(_plain_value(el.value) for el in node.elements)
    return False


def _hooks(ctx, value: cst.BaseExpression, client_sets: frozenset[str]) -> cst.List | str | None:
    """The hooks of ``hooks={"response": ...}`` as a list to call on the response, None when there
    are none, or why they cannot be called so (a str)."""
    if isinstance(value, cst.Name) and value.value == "None":
        return None
    if not isinstance(value, cst.Dict):
        return "the hooks are not a dict literal the tool can read"
    try:
        found = hooks_from(value)
        for hook in found:
            if isinstance(hook, cst.Name) and any(scope.kind == "function" and hook.value in scope.local for scope in ctx.scopes):
                raise NotExact(f"{hook.value} is a name of the function around, not the module's function")
            check_hook(ctx.module, hook, body_read=True)
    except NotExact as why:
        return str(why)
    if "hooks" in client_sets:  # requests runs the call's hooks instead of the session's; httpx would run both
        return "the session has hooks of its own, which requests replaces with the call's and httpx would run too"
    if not found:
        return None
    elements = [cst.Element(h, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for h in found[:-1]]
    return cst.List(elements + [cst.Element(found[-1])])


def _params_exact(url: cst.BaseExpression | None, params: cst.BaseExpression) -> bool:
    text = literal_text(url) if url is not None else None
    if text is None or "?" in text:
        return False
    if not isinstance(params, cst.Dict):
        return False
    return all(isinstance(el, cst.DictElement) and _plain_value(el.value) for el in params.elements)


def _timeout_arg(ctx, original: cst.Call, arg: cst.Arg) -> cst.Arg:
    value = arg.value
    if isinstance(value, cst.Tuple) and len(value.elements) == 2:
        connect, read = (el.value for el in value.elements)
        timeout = cst.Call(
            func=ctx.httpx("Timeout"),
            args=[
                kwarg("connect", connect).with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                kwarg("read", read).with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                kwarg("write", cst.Name("None")).with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                kwarg("pool", cst.Name("None")),
            ],
        )
        return arg.with_changes(value=timeout)
    if not isinstance(value, (cst.Integer, cst.Float)) and not (isinstance(value, cst.Name) and value.value == "None"):
        ctx.report(TIMEOUT_MAYBE_TUPLE, original, "timeout= may be a (connect, read) tuple")
    return arg
