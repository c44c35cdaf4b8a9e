"""Mocked responses as data, and their pytest-httpx spelling (``--mock-library pytest-httpx``).

pytest-httpx differs from responses/requests_mock in three ways the translation must undo:
a registered URL matches the query string exactly (responses ignores it when the registered URL
has none: a regex ``...(\\?.*)?$`` keeps that), a response is used once (``is_reusable=True``), and
every registered response must be requested (``is_optional=True``).
"""

from __future__ import annotations

import dataclasses
import re

import libcst as cst

from codemods._mock_spec import MockSpec, call_with, respx_outcome
from codemods._responses_callbacks import BODY_NAME, NAME
from codemods._recorded_calls import is_last_request
from codemods.base import kwarg, literal_text


# respx patterns (codemods._responses_mock) that pytest-httpx's matchers express the same
PYTEST_HTTPX_MATCHES = frozenset({"json", "headers__contains", "content"})


def _url_matcher(ctx, url: cst.BaseExpression) -> cst.BaseExpression:
    text = literal_text(url)
    if text is not None and "?" in text:
        return url  # a registered query string is matched exactly, as responses does
    compile_ = ctx.stdlib("re", "compile")
    if text is not None:
        pattern = re.escape(text) + r"(\?.*)?$"
        literal = f'r"{pattern}"' if '"' not in pattern and not pattern.endswith("\\") else repr(pattern)
        return cst.Call(compile_, [cst.Arg(cst.SimpleString(literal))])
    escaped = cst.Call(ctx.stdlib("re", "escape"), [cst.Arg(url)])
    return cst.Call(compile_, [cst.Arg(cst.BinaryOperation(escaped, cst.Add(), cst.SimpleString(r'r"(\?.*)?$"')))])


def render_pytest_httpx(ctx, spec: MockSpec) -> cst.BaseExpression:
    """``httpx_mock.add_response(...)`` for ``spec``; for a response list, one per response in a
    tuple (pytest-httpx sends the first not yet sent, then the last again: requests-mock's order)."""
    if spec.sequence is not None and len(spec.sequence) > 1:
        same = {"method": spec.method, "url": spec.url, "patterns": spec.patterns, "method_expr": spec.method_expr}
        calls = [render_pytest_httpx(ctx, dataclasses.replace(item, **same)) for item in spec.sequence]
        return cst.Tuple([cst.Element(c) for c in calls])
    if spec.sequence is not None:
        spec = dataclasses.replace(spec.sequence[0], method=spec.method, url=spec.url, patterns=spec.patterns, method_expr=spec.method_expr)
    fixture = cst.Name("httpx_mock")
    method = [] if spec.method == "*" else [kwarg("method", spec.method_expr or cst.SimpleString(f'"{spec.method}"'))]
    common = [*method, *([kwarg("url", _url_matcher(ctx, spec.url))] if spec.url is not None else [])]
    if isinstance(spec.exc, cst.Call) and getattr(spec.exc.func, "value", None) in (BODY_NAME, NAME):
        # a callback, through the helper that turns it into one answering an httpx.Request
        return call_with(cst.Attribute(fixture, cst.Name("add_callback")), [cst.Arg(spec.exc), *common,
                         kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))])
    if spec.exc is not None:
        # pytest-httpx raises an instance; requests_mock's exc= is usually the class
        exc = spec.exc if isinstance(spec.exc, cst.Call) else cst.Call(spec.exc, [cst.Arg(cst.SimpleString('"mocked"'))])
        return call_with(cst.Attribute(fixture, cst.Name("add_exception")), [cst.Arg(exc), *common,
                         kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))])
    if spec.reason is not None:  # add_response sets no reason phrase: a callback answering with one
        answer = cst.Lambda(cst.Parameters([cst.Param(cst.Name("request"))]), respx_outcome(ctx, spec))
        return call_with(cst.Attribute(fixture, cst.Name("add_callback")), [cst.Arg(answer), *common,
                         kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))])
    args = list(common)
    # a strict JSON matcher: pytest-httpx compares the parsed body with == as responses does
    args += [kwarg("match_json", value) for key, value in spec.patterns if key == "json"]
    # responses' non-strict header_matcher: the headers it names, others ignored, as match_headers does
    args += [kwarg("match_headers", value) for key, value in spec.patterns if key == "headers__contains"]
    # body_matcher("text"): pytest-httpx compares the body's bytes
    args += [kwarg("match_content", _as_bytes(value)) for key, value in spec.patterns if key == "content"]
    if spec.status is not None:
        args.append(kwarg("status_code", spec.status))
    if spec.body is not None:
        args.append(kwarg(*spec.body))
    if spec.headers:
        args.append(kwarg("headers", cst.Dict(spec.headers)))
    args += [kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))]
    return call_with(cst.Attribute(fixture, cst.Name("add_response")), args)


def _as_bytes(text: cst.BaseExpression) -> cst.BaseExpression:
    """A str literal's UTF-8 bytes (``b"..."`` where it is ASCII), as responses compares a body."""
    value = text.evaluated_value if isinstance(text, cst.SimpleString) else None
    if isinstance(value, bytes):
        return text
    if isinstance(value, str):  # (written from the value: "\u0041" is b"A", not b"\u0041")
        return cst.SimpleString(repr(value.encode("utf-8")))
    return cst.Call(cst.Attribute(text, cst.Name("encode")), [cst.Arg(cst.SimpleString('"utf-8"'))])


def requests_of_fixture() -> cst.Call:
    return cst.Call(cst.Attribute(cst.Name("httpx_mock"), cst.Name("get_requests")), [])


def recorded_attribute(ctx, original: cst.Attribute, updated: cst.Attribute, mockers: set[str], recorded: set[int], not_migrated):
    """Recorded requests under pytest-httpx: ``httpx_mock.get_requests()`` (``mockers``: the names
    of requests_mock mockers here; ``recorded``: ids of ``responses.calls[i].request`` nodes)."""
    owner, attr = original.value, original.attr.value
    if isinstance(owner, cst.Name) and owner.value in mockers:  # the requests_mock fixture
        if attr == "call_count":
            return cst.Call(cst.Name("len"), [cst.Arg(requests_of_fixture())])
        if attr == "called":
            return cst.Call(cst.Name("bool"), [cst.Arg(requests_of_fixture())])
        if attr == "last_request":
            return cst.Subscript(requests_of_fixture(), [cst.SubscriptElement(cst.Index(cst.UnaryOperation(cst.Minus(), cst.Integer("1"))))])
        return updated
    if attr == "calls" and ctx.resolve(owner) == "responses":
        parent, grand = ctx.parent(), ctx.parent(2)
        if isinstance(parent, cst.Subscript) and isinstance(grand, cst.Attribute) and grand.attr.value == "request":
            recorded.add(id(grand))
            return requests_of_fixture()
        if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Name) and grand.func.value == "len":
            return requests_of_fixture()
        ctx.report(not_migrated, original, "responses.calls beyond len() and calls[i].request: pytest-httpx records requests only")
        return updated
    if id(original) in recorded:  # responses.calls[i].request -> httpx_mock.get_requests()[i]
        return updated.value
    if attr == "url" and isinstance(owner, cst.Attribute) and id(owner) in recorded:
        return cst.Call(cst.Name("str"), [cst.Arg(updated)])
    if attr == "url" and is_last_request(owner, mockers):
        return cst.Call(cst.Name("str"), [cst.Arg(updated)])
    return updated
