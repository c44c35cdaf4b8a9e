"""Mocked responses as data (what responses and requests-mock register), and their respx spelling.

The readers (``_responses_mock``, ``_requests_mock``) turn a registration into a :class:`MockSpec`,
or raise :class:`NotTranslated` saying why they cannot; ``mock_libraries`` renders the spec for
respx (here) or pytest-httpx (``_pytest_httpx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import urllib.parse

import libcst as cst

from codemods.base import kwarg, literal_text
from migrator.engine.visitors import walk


_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")  # respx's route shortcuts


def has_query(node: cst.BaseExpression) -> bool:
    """Does a string part of ``node`` (a URL, literal or built) hold a query?"""
    return any("?" in str(n.value) for n in walk(node) if type(n) in (cst.SimpleString, cst.FormattedStringText))


def repeats_a_key(query: str) -> bool:
    """The libraries compare a repeated key's values in different orders (sorted pairs, in order)."""
    keys = [k for k, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)]
    return len(keys) != len(set(keys))


class NotTranslated(Exception):
    """A mock library use the tool cannot translate exactly; the message says why."""


@dataclass
class MockSpec:
    method: str
    url: cst.BaseExpression | None  # None: any URL (requests_mock.ANY; respx only)
    status: cst.BaseExpression | None = None
    body: tuple[str, cst.BaseExpression] | None = None  # ("json" | "content", value)
    headers: list[cst.DictElement] = field(default_factory=list)
    exc: cst.BaseExpression | None = None  # raise this instead of responding
    reason: cst.BaseExpression | None = None  # the reason phrase (requests-mock's reason=)
    sequence: list[MockSpec] | None = None  # responses served in turn, the last one repeating
    patterns: list[tuple[str, cst.BaseExpression]] = field(default_factory=list)  # respx lookups (json=...)
    method_expr: cst.BaseExpression | None = None  # the method, when a variable holds it (method "?")


def call_with(func: cst.BaseExpression, args: list[cst.Arg]) -> cst.Call:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Call(func, [a.with_changes(comma=comma) for a in args[:-1]] + args[-1:])


def render_respx(ctx, router: cst.BaseExpression, spec: MockSpec) -> cst.Call:
    """``router.<method>(url).mock(...)``: the respx registration of ``spec``."""
    args = [cst.Arg(spec.url)] if spec.url is not None else []
    patterns = [kwarg(k, v) for k, v in spec.patterns]
    if spec.method in _VERBS:
        route = call_with(cst.Attribute(router, cst.Name(spec.method.lower())), args + patterns)
    else:  # any method ("*"), one held in a variable ("?"), or one of the server's own (LIST)
        method = [] if spec.method == "*" else [kwarg("method", spec.method_expr or cst.SimpleString(f'"{spec.method}"'))]
        url = [kwarg("url", spec.url)] if spec.url is not None else []
        route = call_with(cst.Attribute(router, cst.Name("route")), method + url + patterns)
    mock = cst.Attribute(route, cst.Name("mock"))
    if spec.sequence is not None and len(spec.sequence) > 1:
        # served in turn, the last one for every request after: requests-mock's order
        *first, last = [respx_outcome(ctx, item) for item in spec.sequence]
        effects = cst.Call(ctx.stdlib("itertools", "chain"), [
            cst.Arg(cst.List([cst.Element(e) for e in first]), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(cst.Call(ctx.stdlib("itertools", "repeat"), [cst.Arg(last)]))])
        return cst.Call(mock, [kwarg("side_effect", effects)])
    if spec.sequence is not None:
        spec = spec.sequence[0]
    if spec.exc is not None:
        return cst.Call(mock, [kwarg("side_effect", spec.exc)])
    return cst.Call(mock, [kwarg("return_value", respx_outcome(ctx, spec))])


def respx_outcome(ctx, spec: MockSpec) -> cst.BaseExpression:
    """What one mocked request gets: an ``httpx.Response(...)``, or the exception it raises."""
    if spec.exc is not None:
        return spec.exc
    response_args = [cst.Arg(spec.status or cst.Integer("200"))]
    if spec.body is not None:
        response_args.append(kwarg(*spec.body))
    if spec.headers:
        response_args.append(kwarg("headers", cst.Dict(spec.headers)))
    if spec.reason is not None:  # httpx reads the reason phrase from the response's extensions (ASCII)
        phrase = cst.SimpleString("b" + repr(literal_text(spec.reason)))
        response_args.append(kwarg("extensions", cst.Dict([cst.DictElement(cst.SimpleString('"reason_phrase"'), phrase)])))
    return call_with(ctx.httpx("Response"), response_args)
