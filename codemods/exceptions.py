"""requests exception classes → the httpx classes that catch the same failures.

## What it does
Where an exception class is *caught or tested* — an ``except`` clause (alone or in a tuple),
the second argument of ``isinstance``/``issubclass``, ``pytest.raises(...)`` — a requests
exception is replaced by its httpx counterpart, under any import spelling
(``requests.RequestException``, ``requests.exceptions.Timeout``,
``from requests.exceptions import HTTPError as E``):

| requests | httpx |
|---|---|
| ``RequestException`` | ``httpx.HTTPError`` |
| ``HTTPError`` | ``httpx.HTTPStatusError`` |
| ``ConnectionError`` | ``httpx.TransportError`` |
| ``Timeout`` | ``httpx.TimeoutException`` |
| ``ConnectTimeout``, ``ReadTimeout``, ``TooManyRedirects``, ``ProxyError`` | same names |
| ``SSLError`` | ``httpx.ConnectError`` |
| ``MissingSchema``, ``InvalidSchema`` | ``httpx.UnsupportedProtocol`` |
| ``InvalidURL`` | ``httpx.InvalidURL`` |
| ``ChunkedEncodingError`` | ``httpx.RemoteProtocolError`` |
| ``ContentDecodingError`` | ``httpx.DecodingError`` |
| ``StreamConsumedError`` | ``httpx.StreamConsumed`` |
| ``JSONDecodeError`` | ``json.JSONDecodeError`` |

Imports that only served these names are removed by the engine.

## Why
httpx's hierarchy differs: ``httpx.HTTPError`` covers transport and status errors but not JSON
decoding, a refused connection is ``ConnectError`` and a dropped one ``RemoteProtocolError``
(both ``TransportError``), and a status error is ``HTTPStatusError``. Catching the old names
would not compile against httpx, and catching the wrong new ones changes which branch runs.

## When it reports instead of rewriting
- raised, called or subclassed requests exceptions (``raise requests.HTTPError(...)``,
  ``class E(requests.RequestException)``) are left alone: httpx's constructors differ, so the
  catch-all reports them;
- ``except RequestException`` around a ``.json()`` call: requests' JSON errors were
  ``RequestException``s, httpx's are not (``json-error-not-caught``, migrated);
- ``except ConnectionError`` now also catches read timeouts and unsupported-URL errors,
  ``SSLError`` becomes the less specific ``ConnectError``, and ``InvalidURL`` is not raised for
  every URL requests rejected (``exception-broader``, migrated);
- exceptions with no httpx counterpart (``RetryError``, ``InvalidHeader``, ``URLRequired``, …)
  are left and reported by the catch-all;
- ``e.response`` on a caught exception that is not an ``HTTPStatusError``: httpx's other
  exceptions have no ``.response`` (``exception-response``).
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Codemod
from migrator.context import ObjectInfo
from migrator.findings import Code
from migrator.names import dotted
from migrator.visitors import Visitor, visit

_HTTPX = {
    "RequestException": "HTTPError",
    "HTTPError": "HTTPStatusError",
    "ConnectionError": "TransportError",
    "Timeout": "TimeoutException",
    "ConnectTimeout": "ConnectTimeout",
    "ReadTimeout": "ReadTimeout",
    "TooManyRedirects": "TooManyRedirects",
    "ProxyError": "ProxyError",
    "SSLError": "ConnectError",
    "MissingSchema": "UnsupportedProtocol",
    "InvalidSchema": "UnsupportedProtocol",
    "InvalidURL": "InvalidURL",
    "ChunkedEncodingError": "RemoteProtocolError",
    "ContentDecodingError": "DecodingError",
    "StreamConsumedError": "StreamConsumed",
}
_BROADER = {
    "ConnectionError": "httpx.TransportError also catches read/write/pool timeouts and unsupported URLs",
    "SSLError": "httpx raises ConnectError for TLS failures: it also catches refused connections",
    "InvalidURL": "httpx raises InvalidURL for fewer URLs; some now raise UnsupportedProtocol",
}

JSON_NOT_CAUGHT = Code(
    "json-error-not-caught",
    "error",
    "except RequestException no longer catches errors from .json()",
    "requests' ``r.json()`` raises ``requests.exceptions.JSONDecodeError``, a ``RequestException``; "
    "httpx's raises ``json.JSONDecodeError``, which ``httpx.HTTPError`` does not cover. The handler "
    "was migrated, but a body that is not JSON now escapes it.",
    "Catch both: ``except (httpx.HTTPError, json.JSONDecodeError):``.",
)
BROADER = Code(
    "exception-broader",
    "warning",
    "The httpx exception caught here covers a different set of failures",
    "Some requests exceptions have no exact httpx counterpart: ``ConnectionError`` becomes "
    "``httpx.TransportError`` (which also covers read timeouts), ``SSLError`` becomes "
    "``httpx.ConnectError``, and ``InvalidURL`` is split between ``InvalidURL`` and ``UnsupportedProtocol``.",
    "Check which branch should handle timeouts and TLS errors; put ``except httpx.TimeoutException`` "
    "first if timeouts must be handled apart.",
)
EXC_RESPONSE = Code(
    "exception-response",
    "error",
    "e.response on an exception httpx gives no response",
    "In requests every ``RequestException`` has ``.response`` (often None). In httpx only "
    "``HTTPStatusError`` has one; reading it on other exceptions raises AttributeError.",
    "Guard it: ``getattr(e, 'response', None)``, or read it in an ``except httpx.HTTPStatusError`` branch.",
)

_CATCHERS = ("isinstance", "issubclass")


class Exceptions(Codemod):
    name = "exceptions"
    codes = (JSON_NOT_CAUGHT, BROADER, EXC_RESPONSE)

    def _map(self, ctx, original: cst.BaseExpression, updated: cst.BaseExpression, caught: list[str]):
        """The httpx spelling of an exception expression (a class or a tuple of them)."""
        broader: list[tuple[str, cst.CSTNode]] = []
        new = self._map_one(ctx, original, updated, caught, broader)
        for short, node in broader:
            if short == "ConnectionError" and {"Timeout", "ReadTimeout"} & set(caught):
                continue  # the timeouts TransportError adds are caught here anyway
            ctx.report(BROADER, node, _BROADER[short])
        return new

    def _map_one(self, ctx, original, updated, caught: list[str], broader: list):
        if isinstance(original, cst.Tuple) and isinstance(updated, cst.Tuple):
            elements = [
                u.with_changes(value=self._map_one(ctx, o.value, u.value, caught, broader))
                for o, u in zip(original.elements, updated.elements)
            ]
            return updated.with_changes(elements=elements)
        qual = ctx.resolve(original) if isinstance(original, (cst.Name, cst.Attribute)) else None
        if not qual or not qual.startswith("requests.exceptions."):
            return updated
        short = qual.rsplit(".", 1)[1]
        caught.append(short)
        if short == "JSONDecodeError":
            return ctx.stdlib("json", "JSONDecodeError").with_changes(lpar=updated.lpar, rpar=updated.rpar)
        if short not in _HTTPX:
            return updated
        if short in _BROADER:
            broader.append((short, original))
        return ctx.httpx(_HTTPX[short]).with_changes(lpar=updated.lpar, rpar=updated.rpar)

    def leave_ExceptHandler(self, ctx, original: cst.ExceptHandler, updated: cst.ExceptHandler):
        if original.type is None:
            return updated
        caught: list[str] = []
        new_type = self._map(ctx, original.type, updated.type, caught)
        if "RequestException" in caught and _calls_json(ctx.parent()):
            ctx.report(JSON_NOT_CAUGHT, original, "errors from .json() in this try are not httpx.HTTPError")
        return updated.with_changes(type=new_type)

    def visit_ExceptHandler(self, ctx, node: cst.ExceptHandler) -> None:
        if node.type is None or node.name is None or not isinstance(node.name.name, cst.Name):
            return
        names = [el.value for el in node.type.elements] if isinstance(node.type, cst.Tuple) else [node.type]
        quals = [ctx.resolve(n) if isinstance(n, (cst.Name, cst.Attribute)) else None for n in names]
        if quals and all(q and q.startswith("requests.exceptions.") for q in quals):
            status_only = all(q == "requests.exceptions.HTTPError" for q in quals)
            ctx.bind_object(node.name.name, ObjectInfo("exception", node, extra={"status_only": status_only}))

    def leave_Attribute(self, ctx, original: cst.Attribute, updated: cst.Attribute):
        info = ctx.object_info(original.value)
        if info is not None and info.kind == "exception" and original.attr.value == "response":
            if not info.extra["status_only"]:
                ctx.report(EXC_RESPONSE, original, "only httpx.HTTPStatusError has .response")
        return updated

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        func = original.func
        if isinstance(func, cst.Name) and func.value in _CATCHERS and len(original.args) == 2:
            index = 1
        elif dotted(func) == "pytest.raises" and original.args:
            index = 0
        else:
            return updated
        args = list(updated.args)
        args[index] = args[index].with_changes(value=self._map(ctx, original.args[index].value, args[index].value, []))
        return updated.with_changes(args=args)


class _JsonCall(Visitor):
    found = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "json":
            self.found = True


def _calls_json(try_node: cst.CSTNode | None) -> bool:
    if not isinstance(try_node, cst.Try):
        return False
    v = _JsonCall()
    visit(try_node.body, v)
    return v.found
