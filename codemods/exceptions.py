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

``except RequestException`` around ``r.json()`` on a response the tool follows becomes
``except (httpx.HTTPError, json.JSONDecodeError)``: requests' JSON errors were
``RequestException``s, httpx's ``json.JSONDecodeError`` is not an ``httpx.HTTPError`` (a clause
that names ``ValueError`` catches it already and is left as it is).

Imports that only served these names are removed by the engine.

Where requests code stays in the file (a session subclass left a ``requests.Session``, a
requests exception raised, any requests name the catch-all reports), that code still raises
requests' exceptions, so each class caught becomes the pair:
``except (requests.Timeout, httpx.TimeoutException):``. Once the file no longer uses requests, a
later run reduces the pair to the httpx class.

## Why
httpx's hierarchy differs: ``httpx.HTTPError`` covers transport and status errors but not JSON
decoding, a refused connection is ``ConnectError`` and a dropped one ``RemoteProtocolError``
(both ``TransportError``), and a status error is ``HTTPStatusError``. Catching the old names
would not compile against httpx, and catching the wrong new ones changes which branch runs.

## When it reports instead of rewriting
- raised, called or subclassed requests exceptions (``raise requests.HTTPError(...)``,
  ``class E(requests.RequestException)``) are left alone: httpx's constructors differ, so the
  catch-all reports them;
- ``except RequestException`` around a ``.json()`` call on something the tool does not follow as
  a response (one taken from a container, a parameter): that clause is migrated, and the JSON
  errors it no longer catches are reported (``json-error-not-caught``);
- ``except ConnectionError`` now also catches read timeouts and unsupported-URL errors,
  ``SSLError`` becomes the less specific ``ConnectError``, and ``InvalidURL`` is not raised for
  every URL requests rejected (``exception-broader``, migrated);
- exceptions with no httpx counterpart (``RetryError``, ``InvalidHeader``, ``URLRequired``, …)
  are left and reported by the catch-all;
- ``e.response`` on a caught exception that is not an ``HTTPStatusError``: httpx's other
  exceptions have no ``.response`` (``exception-response``).
"""

from __future__ import annotations

import builtins

import libcst as cst

from codemods._responses import response_info
from codemods.base import Codemod
from migrator.engine.context import ObjectInfo
from migrator.engine.findings import Code
from migrator.engine.names import dotted, head_name
from migrator.engine.visitors import Transformer, Visitor, transform_statements, visit

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
            return _without_repeats(ctx, updated.with_changes(elements=elements))
        qual = ctx.resolve(original) if isinstance(original, (cst.Name, cst.Attribute)) else None
        if not qual or not qual.startswith("requests.exceptions."):
            return updated
        short = qual.rsplit(".", 1)[1]
        caught.append(short)
        if short == "JSONDecodeError":
            return _swapped(ctx, updated, ctx.stdlib("json", "JSONDecodeError"))
        if short not in _HTTPX:
            return updated
        if short in _BROADER:
            broader.append((short, original))
        return _swapped(ctx, updated, ctx.httpx(_HTTPX[short]))

    def __init__(self) -> None:
        self.response_json: set[int] = set()  # ids of ``.json()`` calls on responses the tool follows

    def leave_ExceptHandler(self, ctx, original: cst.ExceptHandler, updated: cst.ExceptHandler):
        if original.type is None:
            return updated
        caught: list[str] = []
        new_type = self._map(ctx, original.type, updated.type, caught)
        calls = _json_calls(ctx.parent())
        if "RequestException" in caught and calls and not _catches_value_errors(original.type):
            if all(id(call) in self.response_json for call in calls):
                # requests' JSON errors were RequestExceptions; httpx's are json.JSONDecodeError
                new_type = _with_class(new_type, ctx.stdlib("json", "JSONDecodeError"))
            else:
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
        if isinstance(func, cst.Attribute) and func.attr.value == "json" and isinstance(updated.func, cst.Attribute):
            if response_info(ctx, func.value, updated.func.value) is not None:
                self.response_json.add(id(original))
            return updated
        if isinstance(func, cst.Name) and func.value in _CATCHERS and len(original.args) == 2:
            index = 1
        elif dotted(func) == "pytest.raises" and original.args:
            index = 0
        else:
            return updated
        args = list(updated.args)
        args[index] = args[index].with_changes(value=self._map(ctx, original.args[index].value, args[index].value, []))
        return updated.with_changes(args=args)


def _swapped(ctx, old: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    """``new`` in ``old``'s parentheses, remembered in case requests code stays in the file."""
    new = new.with_changes(lpar=old.lpar, rpar=old.rpar)
    ctx.exception_swaps[id(new)] = (new, [old])
    ctx.swap_tops.add(id(ctx.parents[1]))
    return new


def _without_repeats(ctx, classes: cst.Tuple) -> cst.BaseExpression:
    """The tuple without an httpx class it now names twice (``(requests.Timeout,
    httpx.TimeoutException)``, as an earlier run left it): a single one left loses the tuple."""
    swaps = ctx.exception_swaps
    if not any(id(el.value) in swaps for el in classes.elements):
        return classes
    first: dict[str, int] = {}  # text -> index in kept
    kept: list[cst.Element] = []
    for element in classes.elements:
        text = _EMPTY.code_for_node(element.value.with_changes(lpar=[], rpar=[]))
        text = text.replace("httpx2.", "httpx.")  # (a class an earlier --target httpx2 run wrote is the same)
        if text not in first:
            first[text] = len(kept)
            kept.append(element)
        elif id(element.value) in swaps:  # (MissingSchema, InvalidSchema): both are UnsupportedProtocol
            olds = swaps.pop(id(element.value))[1]
            keeper = kept[first[text]].value
            swaps.setdefault(id(keeper), (keeper, []))[1].extend(olds)
    if len(kept) == len(classes.elements):
        return classes
    if len(kept) == 1:
        return kept[0].value
    kept[-1] = kept[-1].with_changes(comma=classes.elements[-1].comma)
    return classes.with_changes(elements=kept)


_EMPTY = cst.Module([])


class _JsonCalls(Visitor):
    def __init__(self) -> None:
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "json":
            self.found.append(node)


def _json_calls(try_node: cst.CSTNode | None) -> list[cst.Call]:
    """The ``.json()`` calls in a try's body."""
    if not isinstance(try_node, cst.Try):
        return []
    v = _JsonCalls()
    visit(try_node.body, v)
    return v.found


def _catches_value_errors(classes: cst.BaseExpression) -> bool:
    """Does the clause name ValueError (or a base of it): json.JSONDecodeError is caught already."""
    names = [el.value for el in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
    return any(isinstance(n, cst.Name) and n.value in ("ValueError", "Exception", "BaseException") for n in names)


def _with_class(classes: cst.BaseExpression, added: cst.BaseExpression) -> cst.BaseExpression:
    """``classes`` (one, or a tuple) catching ``added`` too."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(classes, cst.Tuple):
        elements = list(classes.elements)
        elements[-1] = elements[-1].with_changes(comma=comma)
        return classes.with_changes(elements=[*elements, cst.Element(added)])
    return cst.Tuple([cst.Element(classes.with_changes(lpar=[], rpar=[]), comma=comma), cst.Element(added)])


def keep_requests_exceptions(module: cst.Module, swaps: dict[int, tuple[cst.CSTNode, list[cst.BaseExpression]]], only: set[int] | None = None) -> tuple[cst.Module, set[str]]:
    """``module`` where each httpx class put in place of a requests one catches both:
    ``except (requests.Timeout, httpx.TimeoutException):``. For files where requests code stays
    (an unmigrated session, a requests exception raised): its errors are still requests'. Also
    the import-bound names the kept requests spellings use. ``only``: the positions of the
    top-level statements to look in (all when None)."""
    keeper = _BothClasses(swaps)
    return transform_statements(module, keeper, only), keeper.heads


class _BothClasses(Transformer):
    def __init__(self, swaps: dict[int, tuple[cst.CSTNode, list[cst.BaseExpression]]]):
        super().__init__()
        self.swaps = swaps
        self.in_tuples: set[int] = set()
        self.heads: set[str] = set()

    def _olds(self, new: cst.CSTNode) -> list[cst.Element]:
        """The requests classes ``new`` stands for, as tuple elements."""
        out = []
        for old in self.swaps[id(new)][1]:
            if head := head_name(old):
                self.heads.add(head)
            out.append(cst.Element(old.with_changes(lpar=[], rpar=[]), comma=_COMMA))
        return out

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self.in_tuples.update(id(el.value) for el in node.elements if id(el.value) in self.swaps)

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.Tuple:
        if not any(id(el.value) in self.swaps for el in original.elements):
            return updated
        elements: list[cst.Element] = []
        for before, after in zip(original.elements, updated.elements):
            if id(before.value) in self.swaps:
                elements += self._olds(before.value)
            elements.append(after)
        return updated.with_changes(elements=elements)

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        if id(original) in self.swaps and id(original) not in self.in_tuples:
            lpar, rpar = getattr(updated, "lpar", None), getattr(updated, "rpar", None)
            return cst.Tuple(
                [*self._olds(original), cst.Element(updated.with_changes(lpar=[], rpar=[]))],  # type: ignore[arg-type]
                lpar=lpar or [cst.LeftParen()], rpar=rpar or [cst.RightParen()],
            )
        return super().on_leave(original, updated)


_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def as_raised_by_httpx(ctx, node: cst.BaseExpression) -> cst.BaseExpression | None:
    """``node`` as the exception the migrated code sees, if it is one (a class or an instance):
    requests' exceptions become httpx's (what the migrated code catches), others stay as they are.
    None when ``node`` does not look like an exception."""
    func = node.func if isinstance(node, cst.Call) else node
    qual = ctx.resolve(func) or ""
    if qual.startswith("requests.exceptions."):
        short = qual.rsplit(".", 1)[1]
        if short not in _HTTPX:
            return None
        new = ctx.httpx(_HTTPX[short])
        return node.with_changes(func=new) if isinstance(node, cst.Call) else new
    name = dotted(func) or ""
    last = name.rsplit(".", 1)[-1]
    builtin = getattr(builtins, last, None) if "." not in name else None
    if isinstance(builtin, type) and issubclass(builtin, BaseException):
        return node
    if isinstance(node, cst.Call) and last.endswith(("Error", "Exception", "Timeout")):
        return node
    return None
