"""responses, read for the respx translation (``mock_libraries``).

A registration (``responses.add(method, url, ...)``, ``responses.get(url, ...)``, or the same on a
``RequestsMock``) becomes a :class:`MockSpec`: ``body=`` is the content, with responses' default
``Content-Type: text/plain`` written out, and an exception given as the body is raised instead.
What cannot be read exactly raises :class:`NotTranslated`, whose message says why.
"""

from __future__ import annotations

import libcst as cst

from codemods import _responses_callbacks
from codemods._mock_spec import MockSpec, NotTranslated, call_with, has_query, render_respx, repeats_a_key
from codemods._requests_mock import method_name
from codemods.base import find_kwarg, kwarg, literal_text
from codemods.exceptions import as_raised_by_httpx

_ADD_KWARGS = frozenset({"method", "url", "json", "body", "status", "headers", "content_type", "match", "match_querystring"})
_MATCHERS = "responses.matchers."
_LOOKUPS = frozenset({"eq", "in", "contains", "regex", "startswith"})  # respx reads these as lookups


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
    _no_repeated_key(url)
    spec = MockSpec(method, url, keywords.pop("status", None))
    if "match" in keywords:
        spec.patterns = patterns(ctx, keywords.pop("match"))
    if "match_querystring" in keywords:
        _match_querystring(spec, keywords.pop("match_querystring"))
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


def callback_registration(ctx, args: list[cst.Arg]) -> MockSpec:
    """``responses.add_callback(method, url, callback=..., content_type=..., match=[...])``: a spec
    whose ``exc`` (respx's side_effect) is the callback wrapped for respx."""
    if any(a.star for a in args):
        raise NotTranslated("*args/**kwargs: the registration cannot be read")
    names = ("method", "url", "callback")
    values = {a.keyword.value if a.keyword else names[i] if i < 3 else "?": a.value for i, a in enumerate(args)}
    unknown = sorted(set(values) - {*names, "content_type", "match", "match_querystring"})
    if unknown or not set(names) <= set(values):
        raise NotTranslated(f"{(unknown or ['missing arguments'])[0]} is not translated")
    method = method_name(ctx, values["method"])
    if method is None:
        raise NotTranslated("a method the tool cannot read")
    content_type = values.get("content_type")
    _no_repeated_key(values["url"])
    spec = MockSpec(method, values["url"], patterns=patterns(ctx, values["match"]) if "match" in values else [])
    if "match_querystring" in values:
        _match_querystring(spec, values["match_querystring"])
    if content_type is None:
        content_type = cst.SimpleString('"text/plain"')  # add_callback's default
    spec.exc = _responses_callbacks.side_effect(ctx, values["callback"], None if literal_text(content_type) == "text/plain" else content_type)
    return spec


def _no_repeated_key(url: cst.BaseExpression) -> None:
    if repeats_a_key((literal_text(url) or "").partition("?")[2]):
        raise NotTranslated("a URL whose query repeats a key")


def _match_querystring(spec: MockSpec, flag: cst.BaseExpression) -> None:
    """responses' ``match_querystring=``: True matches the URL's query exactly (a URL without one
    matches only requests without one), False ignores it. respx matches a query in the URL
    exactly and ignores the query of a URL without one."""
    if not (isinstance(flag, cst.Name) and flag.value in ("True", "False")):
        raise NotTranslated("match_querystring= that is not a literal")
    text = literal_text(spec.url) if spec.url is not None else None
    queried = spec.url is not None and has_query(spec.url)
    if flag.value == "True":
        if queried:
            return  # respx matches it exactly too
        if text is None:
            raise NotTranslated("match_querystring=True on a URL the tool cannot read")
        spec.patterns.append(("params__eq", cst.SimpleString('""')))  # no query at all
    elif queried:
        if text is None or not isinstance(spec.url, cst.SimpleString) or "\\" in spec.url.raw_value:
            raise NotTranslated("match_querystring=False on a URL with a query the tool cannot take apart")
        literal = spec.url
        spec.url = literal.with_changes(value=f"{literal.prefix}{literal.quote}{literal.raw_value.partition('?')[0]}{literal.quote}")


def patterns(ctx, match: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]]:
    """respx's pattern arguments (``json=``, ``params__eq=``...) for ``match=[matchers...]``, with
    each matcher's strictness: responses' defaults are strict for JSON, query parameters and form
    data, and a subset for headers."""
    if not isinstance(match, (cst.List, cst.Tuple)):
        raise NotTranslated("match= that is not a list of matchers")
    out: list[tuple[str, cst.BaseExpression]] = []
    for element in match.elements:
        call = element.value
        qual = ctx.resolve(call.func) if isinstance(call, cst.Call) else None
        if not qual or not qual.startswith(_MATCHERS) or isinstance(element, cst.StarredElement):
            raise NotTranslated("a matcher the tool cannot read")
        name = qual[len(_MATCHERS):]
        out += _pattern(name, *_matcher_args(call))  # type: ignore[arg-type]
    # each part of the request checked once (the JSON paths of one non-strict matcher are one check)
    parts = [k.split("__")[0] for k, _ in out if not k.startswith("json__")] + ["json"] * any(k.startswith("json__") for k, _ in out)
    if len(set(parts)) != len(parts):
        raise NotTranslated("two matchers on the same part of the request")
    return out


def _matcher_args(call: cst.Call) -> tuple[cst.BaseExpression | None, dict[str, bool | None]]:
    """The matcher's first argument, and its boolean flags (None: not a literal)."""
    if any(a.star for a in call.args) or len([a for a in call.args if a.keyword is None]) > 1:
        raise NotTranslated("matcher arguments the tool cannot read")
    first = next((a.value for a in call.args if a.keyword is None), None)
    flags: dict[str, bool | None] = {}
    for arg in call.args:
        if arg.keyword is not None:
            value = arg.value
            flags[arg.keyword.value] = value.value == "True" if isinstance(value, cst.Name) and value.value in ("True", "False") else None
    return first, flags


def _pattern(name: str, value: cst.BaseExpression | None, flags: dict[str, bool | None]) -> list[tuple[str, cst.BaseExpression]]:
    if value is None or None in flags.values():
        raise NotTranslated(f"{name}(...) without a value, or with flags that are not literals")
    strict = flags.pop("strict_match", name != "header_matcher")
    allow_blank = flags.pop("allow_blank", False)
    if flags or (allow_blank and name != "urlencoded_params_matcher"):
        raise NotTranslated(f"{name}({', '.join(sorted(flags)) or 'allow_blank'}=...) is not translated")
    if name == "urlencoded_params_matcher" and allow_blank:
        _literal_values(value, name, ints=False)  # (responses compares str values: an int never matches)
        return [("data__eq" if strict else "data__contains", value)]
    if name == "json_params_matcher":
        if strict:
            return [("json", value)]
        return _json_paths("json", value)  # a subset of the body: each key the matcher names
    if name == "query_param_matcher":
        _literal_values(value, name)
        return [("params__eq" if strict else "params__contains", value)]
    if name == "query_string_matcher":
        return [("params__eq", value)]  # parsed as query parameters, as responses compares them
    if name == "urlencoded_params_matcher":
        # responses drops the request's blank values unless allow_blank=True; respx compares them
        raise NotTranslated("urlencoded_params_matcher(...) without allow_blank=True: responses drops blank values")
    if name == "header_matcher" and not strict:
        _literal_values(value, name, ints=False)  # (not re.compile(...) values)
        return [("headers__contains", value)]
    if name == "body_matcher" and isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return [("content", value)]
    raise NotTranslated(f"{name}(...) has no exact respx pattern here")


def _literal_values(value: cst.BaseExpression, name: str, ints: bool = True) -> None:
    """A dict literal of str (and int) values: the same text in either library's query or form."""
    kinds = (cst.SimpleString, cst.Integer) if ints else (cst.SimpleString,)
    if not isinstance(value, cst.Dict) or not all(isinstance(e, cst.DictElement) and isinstance(e.value, kinds) for e in value.elements):
        raise NotTranslated(f"{name}(...) whose values are not {'str or int' if ints else 'str'} literals")


def _json_paths(prefix: str, value: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]]:
    """``json__a=1, json__b__c=2`` for ``{"a": 1, "b": {"c": 2}}``: responses' non-strict JSON match
    compares only the keys the matcher names, at any depth."""
    if not isinstance(value, cst.Dict) or not value.elements:
        raise NotTranslated("a non-strict JSON matcher that is not a dict literal")
    out: list[tuple[str, cst.BaseExpression]] = []
    for element in value.elements:
        key = literal_text(element.key) if isinstance(element, cst.DictElement) else None
        if key is None or not key.isidentifier() or "__" in key or key in _LOOKUPS:
            raise NotTranslated("a non-strict JSON matcher with a key respx cannot name")
        path = f"{prefix}__{key}"
        out += _json_paths(path, element.value) if isinstance(element.value, cst.Dict) else [(path, element.value)]
    return out


def passthru(ctx, args: list[cst.Arg], router: cst.BaseExpression, routes) -> cst.Call:
    """``responses.add_passthru(prefix)`` -> ``respx.route(url__startswith=prefix).pass_through()``.

    responses lets a request through only when no registration matches it; respx tries its routes
    oldest first. The same where no later registration may match a URL under the prefix (``routes``,
    the test's RouteTable, refuses those)."""
    if len(args) != 1 or args[0].keyword is not None or args[0].star or isinstance(args[0].value, cst.Call):
        raise NotTranslated("translated for a URL prefix given alone, not a pattern")
    routes.add_prefix(ctx, args[0].value)
    route = cst.Call(cst.Attribute(router, cst.Name("route")), [kwarg("url__startswith", args[0].value)])
    return cst.Call(cst.Attribute(route, cst.Name("pass_through")), [])


def call_count_assertion(ctx, args: list[cst.Arg], calls: cst.BaseExpression) -> cst.BaseExpression:
    """``assert responses.assert_call_count(url, n)`` → ``assert (sum(call.request.url == url for call
    in respx.calls) == n)``: the same count of recorded requests to that URL. responses
    raises AssertionError when it differs and returns True; the comparison does the same in an
    ``assert``, which is the only place this is translated."""
    if not any(isinstance(p, cst.Assert) for p in ctx.parents):
        raise NotTranslated("outside an assert statement its AssertionError would be lost")
    values = {a.keyword.value if a.keyword else ("url", "count")[i]: a.value for i, a in enumerate(args)}
    if set(values) != {"url", "count"} or any(a.star for a in args):
        raise NotTranslated("arguments the tool cannot read")
    call = cst.Name("call")
    # an httpx.URL equals a str once it is parsed the same way: ports and empty paths alike
    same = cst.Comparison(cst.Attribute(cst.Attribute(call, cst.Name("request")), cst.Name("url")),
                          [cst.ComparisonTarget(cst.Equal(), values["url"])])
    counted = cst.Call(cst.Name("sum"), [cst.Arg(cst.GeneratorExp(same, cst.CompFor(target=call, iter=calls), lpar=[], rpar=[]))])
    return cst.Comparison(counted, [cst.ComparisonTarget(cst.Equal(), values["count"])], lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


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


def lifecycle(ctx, original: cst.Call, attr: str, blocks: ResponsesBlocks) -> cst.Call:
    """``responses.start()``/``stop()``/``reset()`` (setUp, tearDown): respx's global mock the same
    way. responses' stop keeps the registrations (respx's stop drops them unless told not to);
    its reset drops registrations and recorded calls: respx's ``clear()`` then ``reset()``."""
    allow_assert = find_kwarg(original.args, "allow_assert")
    if any(a is not allow_assert for a in original.args) or (attr != "stop" and allow_assert is not None):
        raise NotTranslated("arguments the tool cannot read")
    respx = ctx.stdlib("respx")
    if attr == "start":
        return cst.Call(cst.Attribute(respx, cst.Name("start")), [])
    if attr == "stop":  # (the global mocks of both libraries assert nothing when they stop)
        return call_with(cst.Attribute(respx, cst.Name("stop")), [kwarg("clear", cst.Name("False")), kwarg("reset", cst.Name("False"))])
    statement = ctx.parents[-3] if len(ctx.parents) > 2 else None
    if not (isinstance(ctx.parent(), cst.Expr) and isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        raise NotTranslated("inside an expression: respx needs clear() and reset()")
    new = cst.Call(cst.Attribute(respx, cst.Name("clear")), [])
    blocks.resets.add(id(new))  # followed by respx.reset() on a line of its own
    return new


def route_of(ctx, original: cst.Call, spec: MockSpec) -> tuple:
    """What makes a registration's route: its mock, method, URL and patterns, as written."""
    code = ctx.module.code_for_node
    url = code(spec.url) if spec.url is not None else None
    owner = code(original.func.value) if isinstance(original.func, cst.Attribute) else "responses"  # (``add(...)`` imported)
    return (owner, spec.method, url, tuple((k, code(v)) for k, v in spec.patterns))


class ResponsesBlocks:
    """What responses' registrations and resets need of the block they stand in: several
    registrations of one route in a row served in turn (see :func:`runs`), a route registered
    again after requests reported, ``responses.reset()`` as two statements."""

    def __init__(self) -> None:
        self.registered: dict[int, tuple] = {}  # id(new call) -> (route, spec, router, original call)
        self.seen: dict[int, set] = {}  # id(function) -> routes registered in an earlier run
        self.resets: set[int] = set()  # ids of the respx.clear() calls responses.reset() became
        self.relaxed: set[str] = set()  # RequestsMock names not asserting every registration was used

    def record(self, ctx, new: cst.Call, spec: MockSpec, router, original: cst.Call) -> None:
        self.registered[id(new)] = (route_of(ctx, original, spec), spec, router, original)

    def leave(self, ctx, updated: cst.IndentedBlock, report) -> cst.IndentedBlock:
        body: list = [line for stmt in updated.body for line in self._with_reset(stmt)]
        if ctx.options.mock_library == "pytest-httpx":
            # pytest-httpx serves the first matching response not yet sent, then the last one again:
            # responses' order, registration by registration. Nothing to combine or report.
            return updated.with_changes(body=body)
        found = [self._registration_in(stmt) for stmt in body]
        routes = [entry[0] if entry else None for entry in found]
        seen = self.seen.setdefault(id(ctx.scopes[-1].node), set())
        for run in runs(routes):
            in_run: dict[object, list[int]] = {}
            for i in run:
                in_run.setdefault(routes[i], []).append(i)
            for route, indexes in in_run.items():
                if route in seen:
                    report(found[indexes[0]][3], "this route is registered again after requests were made: "
                           "responses serves it by how many earlier responses were used")
                seen.add(route)
                if len(indexes) > 1:
                    self._in_turn(ctx, body, [found[i] for i in indexes], indexes, report)
        return updated.with_changes(body=[stmt for stmt in body if stmt is not None])

    def _with_reset(self, stmt: cst.BaseStatement) -> list[cst.BaseStatement]:
        if self.resets and type(stmt) is cst.SimpleStatementLine and type(stmt.body[0]) is cst.Expr and id(stmt.body[0].value) in self.resets:  # type: ignore[attr-defined]
            call = stmt.body[0].value  # type: ignore[attr-defined]
            reset = call.with_changes(func=call.func.with_changes(attr=cst.Name("reset")))
            return [stmt, cst.SimpleStatementLine([cst.Expr(reset)])]
        return [stmt]

    def _registration_in(self, stmt: cst.BaseStatement):
        if type(stmt) is cst.SimpleStatementLine and len(stmt.body) == 1 and type(stmt.body[0]) is cst.Expr:  # type: ignore[attr-defined]
            return self.registered.get(id(stmt.body[0].value))  # type: ignore[attr-defined]
        return None

    def _in_turn(self, ctx, body: list, entries: list, indexes: list[int], report) -> None:
        """One registration of the route, at the first's place, serving each response in turn."""
        _, first, router, original = entries[0]
        if not (isinstance(router, cst.Name) and (router.value == "respx" or router.value in self.relaxed)):
            # a RequestsMock() asserting every registration was used: one respx route cannot say that
            report(original, "several responses for one route of a RequestsMock that asserts each was requested")
            return
        combined = MockSpec(first.method, first.url, sequence=[spec for _, spec, _, _ in entries], patterns=first.patterns)
        line = body[indexes[0]]
        body[indexes[0]] = line.with_changes(body=[line.body[0].with_changes(value=render_respx(ctx, router, combined))])
        for i in indexes[1:]:
            body[i] = None
