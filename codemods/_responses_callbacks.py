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
from codemods.shared_ssl_context import after_imports
from migrator.engine.visitors import walk

NAME = "_respx_side_effect"
HELPER = f'''

def {NAME}(callback, content_type="text/plain"):
    """responses' add_callback on respx (written by requests2httpx): the callback's
    (status, headers, body) as an httpx.Response, with content_type unless it set one.
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


def _check(ctx, callback: cst.BaseExpression) -> None:
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
    if len(params) != 1 or isinstance(function.params.star_arg, cst.Param):
        raise NotTranslated("a callback that does not take the request alone")
    request = params[0].name.value
    body = function.body
    parents = {id(child): node for node in walk(body) for child in node.children}
    for node in walk(body):
        if isinstance(node, cst.Name) and node.value == request:
            if not _reads_the_same(node, parents):
                raise NotTranslated(f"the callback reads its request ({request}) where an httpx.Request differs")


def _reads_the_same(name: cst.Name, parents: dict[int, cst.CSTNode]) -> bool:
    """``request.method``, ``request.headers[...]`` / ``.get(...)``: the same on an httpx.Request."""
    parent = parents.get(id(name))
    if not (isinstance(parent, cst.Attribute) and parent.value is name):
        return False
    if parent.attr.value == "method":
        return True
    if parent.attr.value != "headers":
        return False
    grand = parents.get(id(parent))
    return (isinstance(grand, cst.Subscript) and grand.value is parent) or (
        isinstance(grand, cst.Attribute) and grand.value is parent and grand.attr.value == "get")


def with_helper(original: cst.Module, updated: cst.Module, httpx_alias: str) -> cst.Module:
    """``updated`` with :data:`HELPER` after its imports (once: a later run finds it there)."""
    if any(isinstance(s, cst.FunctionDef) and s.name.value == NAME for s in original.body):
        return updated
    text = HELPER.replace("httpx.Response", f"{httpx_alias}.Response")
    helper = cst.parse_module(text).body[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    body = list(updated.body)
    at = after_imports(body, httpx_alias)
    if at < len(body):
        body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    body.insert(at, helper)
    return updated.with_changes(body=body)
