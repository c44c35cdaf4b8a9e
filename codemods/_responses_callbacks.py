"""responses' ``add_callback``, for respx (``mock_libraries``).

``responses.add_callback(method, url, callback=cb, content_type=...)`` calls ``cb(request)`` for
each request and builds the response from the ``(status, headers, body)`` it returns (or raises
the exception it returns); its Content-Type is the registration's unless the callback sets one.
respx calls a ``side_effect`` with the request and takes an ``httpx.Response``: the translation
wraps the callback in :data:`HELPER`, written once in the test file.

The callback then receives an ``httpx.Request`` instead of requests' ``PreparedRequest``. Their
``method`` and header lookups read the same; the rest does not (``url`` is an ``httpx.URL``, the
body is ``content``). So only a callback the tool can read whole, and whose request parameter is
unused or read only that way, is translated; any other is :class:`NotTranslated`.
"""

from __future__ import annotations

import libcst as cst

from codemods._mock_spec import NotTranslated
from codemods.base import with_function
from codemods.shared_ssl_context import after_imports
from migrator.engine.visitors import walk

NAME = "_respx_side_effect"
HELPER = f'''

def {NAME}(callback, content_type="text/plain"):
    """responses' add_callback for respx or pytest-httpx (written by requests2httpx): the
    callback's (status, headers, body) as an httpx.Response, with content_type unless it set one.
    """

    def side_effect(request):
        result = callback(request)
        if isinstance(result, Exception):
            raise result
        status, headers, body = result
        if isinstance(body, Exception):
            raise body
        if isinstance(headers, dict):
            given = "Content-Type" in headers
            headers = list(headers.items())
        else:
            headers = list(headers)
            given = any(h and h[0].lower() == "content-type" for h in headers)
        if content_type is not None and not given:
            headers.insert(0, ("Content-Type", content_type))
        return httpx.Response(status, headers=headers, content=body)

    return side_effect
'''


def side_effect(ctx, callback: cst.BaseExpression, content_type: cst.BaseExpression | None) -> cst.Call:
    """``_respx_side_effect(callback[, content_type])``, once the callback is known to read its
    request the same way."""
    _check(ctx, callback)
    ctx.httpx("Response")  # the helper builds httpx responses: the module imports httpx (as ctx.httpx_alias)
    args = [cst.Arg(callback)]
    if content_type is not None:
        args = [cst.Arg(callback, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(content_type)]
    return cst.Call(cst.Name(NAME), args)


def _check(ctx, callback: cst.BaseExpression, arity: int = 1, reads: frozenset[str] = frozenset({"method", "headers"})):
    """The callback's function and parameter names, once it is known to take ``arity`` arguments
    and to read its first (the request) only through ``reads`` (``headers`` looked up by name)."""
    if isinstance(callback, cst.Lambda):
        function: cst.Lambda | cst.FunctionDef = callback
        params = callback.params.params
    else:
        name = callback.func if isinstance(callback, cst.Call) else callback  # a callable class's instance
        defs = [n for n in walk(ctx.module) if isinstance(n, (cst.FunctionDef, cst.ClassDef))
                and isinstance(name, cst.Name) and n.name.value == name.value]
        if len(defs) != 1:
            raise NotTranslated("a callback the tool cannot find in this file")
        found = defs[0]
        if isinstance(found, cst.ClassDef):
            calls = [n for n in walk(found.body) if isinstance(n, cst.FunctionDef) and n.name.value == "__call__"]
            if len(calls) != 1 or not isinstance(callback, cst.Call):
                raise NotTranslated("a callable the tool cannot read")
            found = calls[0]
            params = found.params.params[1:]
        elif isinstance(callback, cst.Call):
            raise NotTranslated("a callback made by a call the tool cannot read")
        else:
            params = found.params.params
        function = found
    if len(params) != arity or isinstance(function.params.star_arg, cst.Param):
        raise NotTranslated(f"a callback that does not take {arity} arguments")
    request = params[0].name.value
    parents = {id(child): node for node in walk(function.body) for child in node.children}
    for node in walk(function.body):
        if isinstance(node, cst.Name) and node.value == request and not _reads_the_same(node, parents, reads):
            raise NotTranslated(f"the callback reads its request ({request}) where an httpx.Request differs")
    return function, [p.name.value for p in params]


def _reads_the_same(name: cst.Name, parents: dict[int, cst.CSTNode], reads: frozenset[str]) -> bool:
    """``request.<one of reads>``, and ``request.headers`` only looked up by name."""
    parent = parents.get(id(name))
    if not (isinstance(parent, cst.Attribute) and parent.value is name and parent.attr.value in reads):
        return False
    if parent.attr.value != "headers":
        return True
    grand = parents.get(id(parent))
    return (isinstance(grand, cst.Subscript) and grand.value is parent) or (
        isinstance(grand, cst.Attribute) and grand.value is parent and grand.attr.value == "get")


# --- requests-mock's json=/text=/content= callbacks -----------------------------------------------
BODY_NAME = "_respx_body_callback"
BODY_HELPER = f'''

def {BODY_NAME}(kind, callback, status_code=200, headers=None, reason=None):
    """requests-mock's json=/text=/content= callback for respx or pytest-httpx (written by
    requests2httpx): it gets the request as requests-mock shows it, and a context it may change.
    """

    class Request:
        def __init__(self, request):
            self.method = request.method
            self.headers = request.headers
            self.url = str(request.url)
            self.text = request.content.decode("utf-8") or None
            self.qs = urllib.parse.parse_qs(
                request.url.query.decode().lower(), keep_blank_values=True
            )

        def json(self, **kwargs):
            return json.loads(self.text, **kwargs)

    def side_effect(request):
        context = types.SimpleNamespace(
            status_code=status_code, headers=dict(headers or {{}}), reason=reason
        )
        body = callback(Request(request), context)
        phrase = (
            {{"reason_phrase": context.reason.encode("ascii")}} if context.reason else {{}}
        )
        return httpx.Response(
            context.status_code,
            headers=context.headers,
            extensions=phrase,
            **{{kind: body}},
        )

    return side_effect
'''
_REQUEST_READS = frozenset({"method", "headers", "url", "text", "qs", "json"})
_CONTEXT_READS = frozenset({"status_code", "headers", "reason"})


def body_side_effect(ctx, kind: str, callback: cst.BaseExpression, status, headers, reason) -> cst.Call:
    """``_respx_body_callback(kind, callback, ...)`` for ``json=callback`` and the like, once the
    callback reads its request only through what the helper gives and its context only as
    requests-mock's has it (no cookies)."""
    function, names = _check(ctx, callback, arity=2, reads=_REQUEST_READS)
    _check_context(function, names[1])
    for module in ("json", "types", "urllib.parse"):
        ctx.required_imports.add(module)
    ctx.httpx("Response")
    args = [cst.Arg(cst.SimpleString(f'"{kind}"')), cst.Arg(callback)]
    for keyword, value in (("status_code", status), ("headers", headers), ("reason", reason)):
        if value is not None:
            args.append(cst.Arg(value, keyword=cst.Name(keyword), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Call(cst.Name(BODY_NAME), [a.with_changes(comma=comma) for a in args[:-1]] + args[-1:])


def _check_context(function: cst.Lambda | cst.FunctionDef, context: str) -> None:
    parents = {id(child): node for node in walk(function.body) for child in node.children}
    for node in walk(function.body):
        if isinstance(node, cst.Name) and node.value == context:
            parent = parents.get(id(node))
            if not (isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in _CONTEXT_READS):
                raise NotTranslated(f"the callback uses its context ({context}) beyond status_code, headers and reason")


# --- requests-mock's last_request.timeout ---------------------------------------------------------
TIMEOUT_NAME = "_requests_timeout"
TIMEOUT_HELPER = f'''

def {TIMEOUT_NAME}(request):
    """The timeout requests-mock recorded, from the one httpx did (written by requests2httpx):
    one number (or None) where httpx's four are the same, else requests' (connect, read).
    """
    timeout = request.extensions["timeout"]
    if len(set(timeout.values())) == 1:
        return timeout["connect"]
    return timeout["connect"], timeout["read"]
'''


def with_helper(original: cst.Module, updated: cst.Module, httpx_alias: str, names: set[str]) -> cst.Module:
    """``updated`` with the helpers ``names`` after its imports (once: a later run finds them there)."""
    defined = {s.name.value for s in original.body if isinstance(s, cst.FunctionDef)}
    body = list(updated.body)
    at = after_imports(body, httpx_alias)
    for name, text in ((NAME, HELPER), (BODY_NAME, BODY_HELPER), (TIMEOUT_NAME, TIMEOUT_HELPER)):
        if name not in names or name in defined:
            continue
        body = with_function(body, at, text.replace("httpx.Response", f"{httpx_alias}.Response"))
    return updated.with_changes(body=body)
