"""Mocked responses as data, and their pytest-httpx spelling (``--mock-library pytest-httpx``).

pytest-httpx differs from responses/requests_mock in three ways the translation must undo:
a registered URL matches the query string exactly (responses ignores it when the registered URL
has none: a regex ``...(\\?.*)?$`` keeps that), a response is used once (``is_reusable=True``), and
every registered response must be requested (``is_optional=True``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from codemods.base import kwarg, literal_text


@dataclass
class MockSpec:
    method: str
    url: cst.BaseExpression | None  # None: any URL (requests_mock.ANY; respx only)
    status: cst.BaseExpression | None = None
    body: tuple[str, cst.BaseExpression] | None = None  # ("json" | "content", value)
    headers: list[cst.DictElement] = field(default_factory=list)
    exc: cst.BaseExpression | None = None  # raise this instead of responding


def call_with(func: cst.BaseExpression, args: list[cst.Arg]) -> cst.Call:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Call(func, [a.with_changes(comma=comma) for a in args[:-1]] + args[-1:])


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


def render_pytest_httpx(ctx, spec: MockSpec) -> cst.Call:
    fixture = cst.Name("httpx_mock")
    common = [kwarg("method", cst.SimpleString(f'"{spec.method}"')), kwarg("url", _url_matcher(ctx, spec.url))]
    if spec.exc is not None:
        # pytest-httpx raises an instance; requests_mock's exc= is usually the class
        exc = spec.exc if isinstance(spec.exc, cst.Call) else cst.Call(spec.exc, [cst.Arg(cst.SimpleString('"mocked"'))])
        return call_with(cst.Attribute(fixture, cst.Name("add_exception")), [cst.Arg(exc), *common,
                         kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))])
    args = list(common)
    if spec.status is not None:
        args.append(kwarg("status_code", spec.status))
    if spec.body is not None:
        args.append(kwarg(*spec.body))
    if spec.headers:
        args.append(kwarg("headers", cst.Dict(spec.headers)))
    args += [kwarg("is_optional", cst.Name("True")), kwarg("is_reusable", cst.Name("True"))]
    return call_with(cst.Attribute(fixture, cst.Name("add_response")), args)
