"""responses, read for the respx translation (``mock_libraries``).

A registration (``responses.add(method, url, ...)``, ``responses.get(url, ...)``, or the same on a
``RequestsMock``) becomes a :class:`MockSpec`: ``body=`` is the content, with responses' default
``Content-Type: text/plain`` written out, and an exception given as the body is raised instead.
What cannot be read exactly raises :class:`NotTranslated`, whose message says why.
"""

from __future__ import annotations

import libcst as cst

from codemods._mock_spec import MockSpec, NotTranslated
from codemods._requests_mock import method_name
from codemods.exceptions import as_raised_by_httpx

_ADD_KWARGS = frozenset({"method", "url", "json", "body", "status", "headers", "content_type"})


def registration(ctx, method: str | None, args: list[cst.Arg]) -> MockSpec:
    """``method``: the verb of ``responses.get(...)`` and the like, None for ``responses.add(...)``."""
    positional = [a for a in args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
    if any(a.star for a in args):
        raise NotTranslated("*args/**kwargs: the registration cannot be read")
    if set(keywords) - _ADD_KWARGS:
        raise NotTranslated(f"{sorted(set(keywords) - _ADD_KWARGS)[0]}= is not translated")
    if method is None:
        first = positional.pop(0).value if positional else keywords.pop("method", None)
        method = method_name(ctx, first)
    url = positional.pop(0).value if positional else keywords.pop("url", None)
    if method is None or url is None or positional:
        raise NotTranslated("a method or url the tool cannot read")
    spec = MockSpec(method, url, keywords.pop("status", None))
    content_type = keywords.pop("content_type", None)
    headers = keywords.pop("headers", None)
    if "json" in keywords:
        spec.body = ("json", keywords.pop("json"))
    else:
        if "body" in keywords and (exc := as_raised_by_httpx(ctx, keywords["body"])) is not None:
            spec.exc = exc  # responses raises an exception given as the body: respx's side_effect
            keywords.pop("body")
        elif "body" in keywords:
            spec.body = ("content", keywords.pop("body"))
        content_type = content_type or cst.SimpleString('"text/plain"')  # responses' default
    if content_type is not None:
        spec.headers.append(cst.DictElement(cst.SimpleString('"Content-Type"'), content_type))
    if headers is not None:
        if not isinstance(headers, cst.Dict):
            raise NotTranslated("headers= that is not a dict literal")
        spec.headers += list(headers.elements)
    return spec


def runs(keys: list[object | None]) -> list[list[int]]:
    """The runs of consecutive registrations in a block: ``keys[i]`` is the route statement ``i``
    registers (None for a statement that registers nothing); each run lists statement indexes.

    responses serves several registrations of one route in the order they were made, the last one
    for every request after. A run of registrations with no request between them is exactly
    that: respx's ``side_effect`` sequence. A route registered again after requests were made is
    served by how many of the earlier responses were used, which the code does not show."""
    out: list[list[int]] = []
    for i, key in enumerate(keys):
        if key is None:
            continue
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out
