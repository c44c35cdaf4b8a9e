"""The response API: ``ok``, truthiness, ``reason``, ``next``, ``url``, ``iter_content``, ``iter_lines``.

## What it does
On responses the tool can follow (see ``catch_all``'s list), rewrites requests' API to httpx's:

| requests | httpx |
|---|---|
| ``r.ok`` | ``not r.is_error`` (status < 400) |
| ``if r:``, ``while r:``, ``bool(r)`` | ``not r.is_error`` |
| ``not r`` / ``not r.ok`` | ``r.is_error`` |
| ``r.reason`` | ``r.reason_phrase`` |
| ``r.next`` | ``r.next_request`` |
| ``r.is_redirect`` | ``r.has_redirect_location`` |
| ``r.is_permanent_redirect`` | ``(r.status_code in (301, 308) and "location" in r.headers)`` |
| ``r.url`` (also ``r.request.url``, ``h.url`` of history items) | ``str(r.url)``, except in f-strings, ``print``, ``str()``, ``format``/``%`` |
| ``r.iter_content(n)`` | ``r.iter_bytes(n)`` (``iter_content()`` → ``iter_bytes(1)``: requests' default chunk is one byte) |
| ``r.iter_content(n, decode_unicode=True)`` | ``_requests_iter_text(r, n)`` (see ``response_text``); on an async stream ``r.aiter_text(n)`` |
| ``r.iter_lines(...)`` | ``_requests_iter_lines(r, ...)``: requests' lines exactly (bytes, or str with ``decode_unicode=True``; its chunking, ``delimiter=``), a helper written once per module like ``response_text``'s; on an async stream ``r.aiter_lines()``, and ``line.decode()``/``line.decode("utf-8")`` on its lines → ``line`` |
| ``r.cookies.get_dict()``, ``session.cookies.get_dict()`` | ``dict(r.cookies)`` |
| ``with requests.get(url) as r:`` (no ``stream``) | ``r = httpx.get(url)`` followed by the block's statements: the body is already read, and an httpx Response is no context manager |

## Why
``r.is_success`` is 2xx only, so it is not ``r.ok``; an httpx Response is always true; ``r.url`` is
an ``httpx.URL``, which str methods, concatenation, JSON and ``urlparse`` reject; ``iter_lines``
yields ``str`` in httpx, decoded by httpx's charset rule and split by its own, so ``.decode()`` on a
line raises and bytes comparisons never match: the helper keeps requests' bytes lines instead.

## When it reports instead of rewriting
- ``str(r.url)`` of a URL with an empty path lacks the ``/`` requests adds (``url-empty-path``,
  info, once per file);
- a truth test whose value is used, not just tested (``x = r and r.json()``): ``response-truthiness``
  (catch-all);
- on an async stream, ``aiter_lines`` yields str: ``iter_lines(delimiter=...)``, or a line used as
  bytes in another way (``line.startswith(b"data:")``, ``line.decode("latin-1")``):
  ``response-lines-are-str``;
- ``iter_content(decode_unicode=True)`` on an async stream → ``aiter_text``: httpx decodes text
  without a charset as UTF-8, requests as ISO-8859-1 (``response-attribute-differs``, migrated).
"""

from __future__ import annotations

import libcst as cst

from codemods._helpers import ITER_LINES, ITER_TEXT, call_helper
from codemods._responses import response_info
from codemods.base import Codemod, find_kwarg
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.names import dotted as dotted_name

LINES_ARE_STR = Code(
    "response-lines-are-str",
    "error",
    "Lines from iter_lines() are str in httpx, bytes in requests",
    "requests' ``iter_lines()`` yields bytes (unless ``decode_unicode=True``); httpx's yields str "
    "decoded with the response's charset. ``.decode()`` on a line raises, bytes comparisons never "
    "match. The tool drops a plain ``.decode()``/``.decode('utf-8')``; this use it could not fix. "
    "In httpx code the lint checks report ``.decode()`` on a line, a line compared with or given "
    "bytes, and arguments to ``iter_lines()``, which takes none (TypeError).",
    "Treat lines as str: drop ``.decode(...)``, compare with str literals, or use "
    "``r.iter_bytes()`` and split the lines yourself.",
)

URL_SLASH = Code(
    "url-empty-path",
    "info",
    "str(r.url) of a URL with no path has no trailing slash in httpx",
    "requests normalises ``http://host`` to ``http://host/`` in ``r.url``; ``str()`` of httpx's URL "
    "keeps the form it was given. Only URLs with an empty path differ (a request to a bare host). "
    "Reported once per file, at the first ``r.url`` made a str.",
    "Where the URL may be a bare host, compare with ``httpx.URL(...)`` or normalise with "
    "``str(r.url.copy_with(raw_path=r.url.raw_path))``.",
)
NOT_ASYNC_ITERATED = Code(
    "async-stream-iteration",
    "error",
    "An async stream's body iterated outside an async for",
    "With ``--async`` a streamed response comes from an ``httpx.AsyncClient``: its body is read with "
    "``async for chunk in r.aiter_bytes()``. This iteration is not a plain ``for`` loop the tool "
    "can make ``async for`` (``list(r.iter_content())``, passed to a function, ...).",
    "Rewrite it as ``async for`` (``[c async for c in r.aiter_bytes()]``).",
)

# requests' iter_content(decode_unicode=True) becomes iter_text(), which decodes differently
ITER_TEXT_DIFFERS = "iter_text() decodes text without a charset as UTF-8; requests used ISO-8859-1"

_RENAMES = {"reason": "reason_phrase", "next": "next_request", "is_redirect": "has_redirect_location"}
_NO_STR_NEEDED = ("print", "str", "repr", "format")
_UTF8 = ("utf-8", "utf8", "UTF-8", "UTF8")


def _async_response(ctx, original: cst.BaseExpression, updated: cst.BaseExpression | None = None) -> bool:
    """A response of an async stream (read with ``aiter_*``)."""
    info = response_info(ctx, original, updated)
    return info is not None and bool(info.extra.get("async"))


def _is_error(receiver: cst.BaseExpression) -> cst.Attribute:
    return cst.Attribute(receiver, cst.Name("is_error"))


def _not(expr: cst.BaseExpression) -> cst.UnaryOperation:
    return cst.UnaryOperation(cst.Not(), expr)


def _parens(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class ResponseApi(Codemod):
    name = "response_api"
    codes = (LINES_ARE_STR, NOT_ASYNC_ITERATED, URL_SLASH)

    def __init__(self) -> None:
        self.flatten: set[int] = set()  # ids of original calls in ``with <call> as r:`` to unwrap
        self.async_loops: set[int] = set()  # ids of original for-loops over an async stream

    # --- comprehensions: their element is visited before their ``for``, so bind up front -------
    def _comprehension(self, ctx, node) -> None:
        comp = node.for_in
        while comp is not None:
            it = comp.iter
            if isinstance(it, cst.Attribute) and it.attr.value == "history" and response_info(ctx, it.value):
                ctx.bind_object(comp.target, ObjectInfo("response", comp, False))
            elif (
                isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value == "iter_lines"
                and _async_response(ctx, it.func.value) and isinstance(comp.target, cst.Name)
            ):
                ctx.bind_object(comp.target, ObjectInfo("line", comp))  # (sync lines stay bytes: _requests_iter_lines)
            comp = comp.inner_for_in

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    # --- attributes ----------------------------------------------------------------------------
    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        attr = original.attr.value
        if attr == "url" and _is_request_of_response(ctx, original.value):
            return self._url(ctx, updated)
        if attr == "request" and isinstance(ctx.parent(), cst.Attribute) and ctx.parent().attr.value in ("url", "headers", "method"):
            ctx.claimed.add(id(original))  # r.request.url is handled with the .url; headers and method match
            return updated
        line = ctx.object_info(original.value) if isinstance(original.value, cst.Name) else None
        if line is not None and line.kind == "line" and attr != "decode":
            ctx.report(LINES_ARE_STR, original, f"{original.value.value} is a str in httpx; check this use")
            return updated
        if response_info(ctx, original.value, updated.value) is None:
            return updated
        parent = ctx.parent()
        if attr == "history" and isinstance(parent, cst.For) and parent.iter is original:
            ctx.bind_object(parent.target, ObjectInfo("response", original, False))  # each a redirect response
        if attr in _RENAMES:
            return updated.with_changes(attr=cst.Name(_RENAMES[attr]))
        if attr == "ok":
            return ctx.mark(self._truth(ctx, updated.value), "ok-test")
        if attr == "is_permanent_redirect":
            r = updated.value
            permanent = cst.Comparison(
                cst.Attribute(r, cst.Name("status_code")),
                [cst.ComparisonTarget(cst.In(), cst.parse_expression("(301, 308)"))],
            )
            located = cst.Comparison(
                cst.SimpleString('"location"'), [cst.ComparisonTarget(cst.In(), cst.Attribute(r, cst.Name("headers")))]
            )
            return _parens(cst.BooleanOperation(permanent, cst.And(), located))
        if attr == "url":
            return self._url(ctx, updated)
        return updated

    def _truth(self, ctx, receiver: cst.BaseExpression) -> cst.BaseExpression:
        """``not r.is_error``, parenthesised unless the context makes that needless."""
        expr = _not(_is_error(receiver))
        parent = ctx.parent()
        bare = isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.BooleanOperation, cst.Assign, cst.Return, cst.Arg, cst.AnnAssign, cst.Expr, cst.UnaryOperation))
        return expr if bare else _parens(expr)

    def _url(self, ctx, updated: cst.Attribute) -> cst.BaseExpression:
        ctx.claimed.add(id(ctx.parents[-1]))  # judged here: needs no str() or gets one
        parent, grand = ctx.parent(), ctx.parent(2)
        if isinstance(parent, cst.FormattedStringExpression):
            return updated
        if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
            func = grand.func
            name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
            if name in _NO_STR_NEEDED:
                return updated
        if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo) and parent.right is not parent.left:
            if isinstance(parent.left, (cst.SimpleString, cst.FormattedString)) or isinstance(parent.right, cst.Tuple):
                return updated  # "%s" % r.url calls str() itself
        ctx.report_once(URL_SLASH, ctx.parents[-1], "for a bare host, str(r.url) lacks the '/' requests added")
        return cst.Call(cst.Name("str"), [cst.Arg(updated)])

    # --- with requests.get(...) as r: an httpx Response is no context manager -----------------------
    def leave_With(self, ctx, original: cst.With, updated: cst.With):
        if len(updated.items) != 1 or id(original.items[0].item) not in self.flatten:
            return updated
        item = updated.items[0]
        call = item.item
        header = updated.body.header if isinstance(updated.body, cst.IndentedBlock) else cst.TrailingWhitespace()
        if item.asname is not None:
            first: cst.BaseSmallStatement = cst.Assign([cst.AssignTarget(item.asname.name)], call)
        else:
            first = cst.Expr(call)
        lines = [cst.SimpleStatementLine([first], leading_lines=updated.leading_lines, trailing_whitespace=header)]
        if isinstance(updated.body, cst.IndentedBlock):
            lines += list(updated.body.body)
        else:
            lines.append(cst.SimpleStatementLine(list(updated.body.body)))
        # a body that was only ``pass`` has nothing left to do
        lines = [lines[0]] + [l for l in lines[1:] if not _is_pass(l)]
        return cst.FlattenSentinel(lines)

    # --- calls and truth tests ---------------------------------------------------------------------
    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        parent = ctx.parent()
        if ctx.made_as(updated) in ("response", "response-nofollow") and isinstance(parent, cst.WithItem):
            with_node = ctx.parent(2)
            if isinstance(with_node, cst.With) and len(with_node.items) == 1 and (
                parent.asname is None or isinstance(parent.asname.name, cst.Name)
            ):
                # the response is read already; requests' with only closed it: drop the with
                self.flatten.add(id(original))
                ctx.claimed.add(id(original))
                if parent.asname is not None:
                    ctx.bind_object(parent.asname.name, ObjectInfo("response", original, ctx.made_as(updated) == "response"))
        func = original.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value == "get_dict" and not original.args
            and isinstance(func.value, cst.Attribute) and func.value.attr.value == "cookies"
            and (response_info(ctx, func.value.value) or _is_client(ctx, func.value.value))
        ):
            return self._cookies_dict(ctx, original, updated)
        if isinstance(func, cst.Name) and func.value == "bool" and len(updated.args) == 1:
            if ctx.made_as(updated.args[0].value) == "ok-test":  # bool(r) / bool(r.ok)
                return updated.args[0].value
            return updated
        if not isinstance(func, cst.Attribute):
            return updated
        owner = ctx.object_info(func.value) if isinstance(func.value, cst.Name) else None
        if owner is not None and owner.kind == "line" and func.attr.value == "decode":
            encoding = original.args[0].value if original.args else None
            if not original.args or (len(original.args) == 1 and isinstance(encoding, cst.SimpleString) and encoding.evaluated_value in _UTF8):
                return updated.func.value  # type: ignore[union-attr]
            ctx.report(LINES_ARE_STR, original, "this line is already a str in httpx")
            return updated
        if response_info(ctx, func.value, updated.func.value) is None:  # type: ignore[union-attr]
            return updated
        if func.attr.value == "iter_content":
            return self._iter_content(ctx, original, updated)
        if func.attr.value == "iter_lines":
            ctx.claimed.add(id(original.func))
            if not _async_response(ctx, func.value, updated.func.value):  # type: ignore[union-attr]
                # requests' lines, exactly: bytes (``.decode()`` on them stays), its chunking, its arguments
                return call_helper(ctx, ITER_LINES, updated.func.value, *updated.args)  # type: ignore[union-attr]
            if find_kwarg(original.args, "delimiter") or len([a for a in original.args if a.keyword is None]) > 2:
                ctx.report(LINES_ARE_STR, original, "iter_lines(delimiter=...) has no httpx equivalent")
                return updated
            loop = ctx.parent()
            if isinstance(loop, cst.For) and loop.iter is original and isinstance(loop.target, cst.Name):
                ctx.bind_object(loop.target, ObjectInfo("line", original))  # the body is visited next
            else:
                ctx.report(LINES_ARE_STR, original, "these lines are str in httpx; check how they are used")
            return self._iterator(ctx, original, updated.with_changes(args=[]), "iter_lines")
        return updated

    def _cookies_dict(self, ctx, original: cst.Call, updated: cst.Call):
        """``r.cookies.get_dict()`` → ``dict(r.cookies)``: name -> value, as requests gives it."""
        return cst.Call(cst.Name("dict"), [cst.Arg(updated.func.value)])  # type: ignore[union-attr]

    def _iter_content(self, ctx, original: cst.Call, updated: cst.Call):
        from codemods.catch_all import ATTRIBUTE_WARNING

        args = list(updated.args)
        size = next((a.value for a in args if a.keyword is None or a.keyword.value == "chunk_size"), None)
        decode = find_kwarg(args, "decode_unicode")
        positional = [a for a in args if a.keyword is None]
        if len(positional) > 1:
            decode_value = positional[1].value
        else:
            decode_value = decode.value if decode is not None else cst.Name("False")
        if not (isinstance(decode_value, cst.Name) and decode_value.value in ("True", "False")):
            return updated  # left for the catch-all to report
        text = decode_value.value == "True"
        if size is None:
            size = cst.Integer("1")  # requests' default chunk size
        info = response_info(ctx, original.func.value, updated.func.value)  # type: ignore[union-attr]
        if text and not (info is not None and info.extra.get("async")):
            return call_helper(ctx, ITER_TEXT, updated.func.value, size)  # type: ignore[union-attr]
        if text:
            ctx.report(ATTRIBUTE_WARNING, original, ITER_TEXT_DIFFERS)
        new_args = [] if isinstance(size, cst.Name) and size.value == "None" else [cst.Arg(size)]
        method = "iter_text" if text else "iter_bytes"
        return self._iterator(ctx, original, updated.with_changes(args=new_args), method)

    def _iterator(self, ctx, original: cst.Call, updated: cst.Call, method: str):
        """``r.iter_bytes(...)``, or on an async stream ``r.aiter_bytes(...)`` looped with ``async for``."""
        info = response_info(ctx, original.func.value, updated.func.value)  # type: ignore[union-attr]
        if info is not None and info.extra.get("async"):
            method = "a" + method
            loop = ctx.parent()
            if isinstance(loop, (cst.For, cst.CompFor)) and loop.iter is original:
                self.async_loops.add(id(loop))
            else:
                ctx.report(LINES_ARE_STR if "lines" in method else NOT_ASYNC_ITERATED, original, f"{method}() must be consumed with async for")
        call = updated.with_changes(func=updated.func.with_changes(attr=cst.Name(method)))  # type: ignore[union-attr]
        return call

    def leave_For(self, ctx, original: cst.For, updated: cst.For):
        if id(original) in self.async_loops:
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def leave_CompFor(self, ctx, original: cst.CompFor, updated: cst.CompFor):
        if id(original) in self.async_loops:
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def leave_Name(self, ctx, original: cst.Name, updated: cst.Name):
        """A response tested for truth: ``if r:``, ``not r``, ``bool(r)``, ``r and x`` in a test."""
        line = ctx.object_info(original)
        if line is not None and line.kind == "line":
            self._line_use(ctx, original)
            return updated
        if response_info(ctx, original) is None or not _in_truth_test(ctx, original):
            return updated  # the cheap test first: most names are no response
        return ctx.mark(self._truth(ctx, updated), "ok-test")

    def _line_use(self, ctx, name: cst.Name) -> None:
        """A bare use of a line from iter_lines(): fine where str and bytes behave alike."""
        parent = ctx.parent()
        if isinstance(parent, (cst.Attribute, cst.For, cst.CompFor)) or _in_truth_test(ctx, name):
            return  # attributes are judged in leave_Attribute; the loop target itself
        if isinstance(parent, cst.Arg):
            call = ctx.parent(2)
            if isinstance(call, cst.Call) and (dotted_name(call.func) or "") in ("json.loads", "len"):
                return
        ctx.report(LINES_ARE_STR, name, f"{name.value} is a str in httpx, bytes in requests")

    def leave_UnaryOperation(self, ctx, original: cst.UnaryOperation, updated: cst.UnaryOperation):
        if not isinstance(updated.operator, cst.Not):
            return updated
        operand = updated.expression
        if ctx.made_as(operand) == "ok-test":  # not r / not r.ok
            inner = operand.expression  # type: ignore[attr-defined]
            return inner.with_changes(lpar=[], rpar=[])
        return updated


def _is_client(ctx, node: cst.BaseExpression) -> bool:
    info = ctx.object_info(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    return info is not None and info.kind == "client"


def _is_pass(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in stmt.body)


def _in_truth_test(ctx, name: cst.Name) -> bool:
    """Is ``name`` only tested for truth (its value never used)?"""
    child: cst.CSTNode = name
    for depth in range(1, len(ctx.parents)):
        parent = ctx.parent(depth)
        if isinstance(parent, cst.BooleanOperation):
            child = parent
            continue
        if isinstance(parent, (cst.If, cst.While, cst.IfExp)):
            return parent.test is child
        if isinstance(parent, cst.UnaryOperation):
            return isinstance(parent.operator, cst.Not)
        if isinstance(parent, cst.Arg):
            call = ctx.parent(depth + 1)
            return isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "bool"
        return False
    return False


def _is_request_of_response(ctx, node: cst.BaseExpression) -> bool:
    """``r.request`` of a known response (its ``.url`` is an httpx.URL too)."""
    return isinstance(node, cst.Attribute) and node.attr.value == "request" and response_info(ctx, node.value) is not None
