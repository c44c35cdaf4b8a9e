"""requests-mock, read for the respx translation (``mock_libraries``).

A registration (``m.get(url, ...)``, ``m.register_uri(method, url, ...)``, by position or by
keyword) becomes a :class:`MockSpec`. A list of responses (``m.get(url, [{"status_code": 500},
{"json": {...}}])`` or ``response_list=``) becomes a sequence, served in order with the last one
repeating, as requests-mock serves it. ``reason=`` is the response's reason phrase.

``@requests_mock.Mocker()`` (or ``requests_mock.mock()``) as a decorator hands the test its mocker
as the last positional argument, or by the keyword ``kw=`` names; ``@respx.mock`` hands its router
only as ``respx_mock``, so that parameter is renamed. On a class the decorator applies to each
method whose name starts with ``test``.

What cannot be read exactly raises :class:`NotTranslated`, whose message says why.
"""

from __future__ import annotations

import libcst as cst

from codemods import _responses_callbacks
from codemods._mock_spec import MockSpec, NotTranslated, has_query, repeats_a_key
from codemods.base import literal_text
from codemods.exceptions import as_raised_by_httpx
from migrator.engine.names import dotted
from migrator.engine.visitors import walk

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY_METHOD = "*"  # requests_mock.ANY as the method
VARIABLE_METHOD = "?"  # a method held in a variable: MockSpec.method_expr
MOCKER = ("requests_mock.Mocker", "requests_mock.mock")
ROUTER_PARAM = "respx_mock"  # the only name respx's decorator passes its router by
TEST_PREFIX = "test"  # requests_mock.Mocker.TEST_PREFIX: the methods a class decorator applies to
# respx tries its routes oldest first and has no fallback after them: a pass-through route for
# everything would answer before the routes a test registers later
REAL_HTTP = "Mocker(real_http=...) lets unmatched requests reach the network; respx has no fallback after its routes"

_RESPONSE_KEYS = frozenset({"status_code", "json", "text", "content", "headers", "exc", "reason"})


def method_name(ctx, node: cst.BaseExpression | None) -> str | None:
    """``"GET"`` for ``"get"``, ``responses.GET``, ``requests_mock.GET``; None if not readable."""
    if node is None:
        return None
    qual = ctx.resolve(node) or ""
    if qual.startswith(("responses.", "requests_mock.")) and qual.split(".")[1] in METHODS:
        return qual.split(".")[1]
    if isinstance(node, cst.SimpleString) and str(node.evaluated_value).upper() in METHODS:
        return str(node.evaluated_value).upper()
    return None


# --- registrations --------------------------------------------------------------------------------
def registration(ctx, attr: str, args: list[cst.Arg], is_callback) -> MockSpec | None:
    """The mocked response(s) of ``m.<attr>(...)``: None when ``attr`` registers nothing.
    ``is_callback(value)``: does this body value name a function (requests-mock calls it)?"""
    if any(a.star for a in args):
        raise NotTranslated(f"{attr}(*args/**kwargs): the registration cannot be read")
    positional = [a.value for a in args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
    method_expr = None
    if attr == "register_uri":
        method_node = positional.pop(0) if positional else keywords.pop("method", None)
        if method_node is None or isinstance(method_node, (cst.Lambda, cst.Dict, cst.List)):
            raise NotTranslated("register_uri(...) without a method")
        method = method_name(ctx, method_node)
        text = literal_text(method_node)
        if ctx.resolve(method_node) == "requests_mock.ANY":
            method = ANY_METHOD
        elif method is None and text is not None and text.isalpha():
            method = text.upper()  # a method of its own (Vault's LIST): a respx route given it
        elif method is None:
            method, method_expr = VARIABLE_METHOD, method_node  # known when the test runs
    elif attr.upper() in METHODS:
        method = attr.upper()
    else:
        return None
    url = positional.pop(0) if positional else keywords.pop("url", None)
    if url is None:
        raise NotTranslated(f"{attr}(...) without a url")
    if ctx.resolve(url) == "requests_mock.ANY":
        url = None  # any URL: a respx route given none
    listed = positional.pop(0) if positional else keywords.pop("response_list", None)
    if positional:
        raise NotTranslated(f"{attr}(...) with more positional arguments than method, url and responses")
    complete_qs = keywords.pop("complete_qs", None)
    spec = MockSpec(method, url, method_expr=method_expr)
    _query(spec, complete_qs)
    if listed is not None:
        if keywords:
            raise NotTranslated(f"{attr}(...) with a response list and {sorted(keywords)[0]}=: requests-mock rejects both")
        spec.sequence = [_response(ctx, MockSpec(method, url), _literal_dict(item), is_callback) for item in _literal_list(listed)]
        return spec
    return _response(ctx, spec, keywords, is_callback)


def _query(spec: MockSpec, complete_qs: cst.BaseExpression | None) -> None:
    """requests-mock matches a registered query string as a subset of the request's, or exactly
    with ``complete_qs=True``; respx matches a URL's query exactly: the query becomes a params
    pattern. (requests-mock compares it lowercased: only a lowercase query reads the same.)"""
    complete = isinstance(complete_qs, cst.Name) and complete_qs.value == "True"
    if complete_qs is not None and not (isinstance(complete_qs, cst.Name) and complete_qs.value in ("True", "False")):
        raise NotTranslated("complete_qs= that is not a literal")
    if spec.url is None:
        return
    head: cst.BaseExpression | None = None  # ``base + "/a?x=1"``: the part before the literal
    literal = spec.url
    if isinstance(literal, cst.BinaryOperation) and isinstance(literal.operator, cst.Add) and not has_query(literal.left):
        head, literal = literal.left, literal.right  # (a query, if any, is in the literal at the end)
    text = literal_text(literal)
    if text is None:
        if complete or has_query(spec.url):
            raise NotTranslated("a query in a URL the tool cannot read: requests-mock matches it as a subset")
        return
    if "?" not in text:
        if complete:  # no query at all
            spec.patterns.append(("params__eq", cst.SimpleString('""')))
        return
    base, _, query = literal.raw_value.partition("?")  # type: ignore[union-attr]
    if query != query.lower() or "#" in query or "\\" in query:
        raise NotTranslated("a registered query with capitals, escapes or a fragment: requests-mock compares it lowercased")
    if repeats_a_key(query):
        raise NotTranslated("a registered query repeating a key")
    quoted = f"{literal.prefix}{literal.quote}{{}}{literal.quote}"  # type: ignore[union-attr]
    url: cst.BaseExpression = cst.SimpleString(quoted.format(base))
    if head is not None:
        url = head if not base else cst.BinaryOperation(head, cst.Add(), url)
    spec.url = url
    spec.patterns.append(("params__eq" if complete else "params__contains", cst.SimpleString(quoted.format(query))))



def _response(ctx, spec: MockSpec, keywords: dict[str, cst.BaseExpression], is_callback) -> MockSpec:
    unknown = sorted(set(keywords) - _RESPONSE_KEYS)
    if unknown:
        raise NotTranslated(f"{unknown[0]}= is not translated")
    spec.status = keywords.get("status_code")
    if "exc" in keywords:
        spec.exc = as_raised_by_httpx(ctx, keywords["exc"]) or keywords["exc"]
    for source, target in (("json", "json"), ("text", "content"), ("content", "content")):
        if source in keywords and is_callback(keywords[source]):
            # called for each request with the request and a context: through the file's helper
            reason = keywords.get("reason")
            if reason is not None and not (literal_text(reason) or "").isascii():
                raise NotTranslated("reason= that is not an ASCII string literal")
            spec.exc = _responses_callbacks.body_side_effect(
                ctx, target, keywords[source], keywords.get("status_code"), keywords.get("headers"), reason)
            return spec
        if source in keywords:
            spec.body = (target, keywords[source])
    if "headers" in keywords:
        if not isinstance(keywords["headers"], cst.Dict):
            raise NotTranslated("headers= that is not a dict literal")
        spec.headers = list(keywords["headers"].elements)
    if "reason" in keywords:
        reason = literal_text(keywords["reason"])
        if reason is None or not reason.isascii():  # httpx decodes the phrase as ASCII, dropping the rest
            raise NotTranslated("reason= that is not an ASCII string literal")
        spec.reason = keywords["reason"]
    return spec


def _literal_list(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if not isinstance(node, (cst.List, cst.Tuple)) or not node.elements or any(isinstance(e, cst.StarredElement) for e in node.elements):
        raise NotTranslated("a response list that is not a list of dict literals")
    return [e.value for e in node.elements]


def _literal_dict(node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
    if not isinstance(node, cst.Dict):
        raise NotTranslated("a response list that is not a list of dict literals")
    out = {}
    for element in node.elements:
        key = literal_text(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            raise NotTranslated("a response in the list whose keys are not string literals")
        out[key] = element.value
    return out


# --- the Mocker as a decorator ----------------------------------------------------------------------
def mocker_decorator(ctx, decorator: cst.Decorator) -> str | None:
    """For ``@requests_mock.Mocker(...)``: the keyword it passes the mocker by ("" for the last
    positional argument); None for any other decorator."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or ctx.resolve(expr.func) not in MOCKER:
        return None
    kw = ""
    for arg in expr.args:
        name = arg.keyword.value if arg.keyword is not None else None
        if name == "kw" and literal_text(arg.value):
            kw = literal_text(arg.value) or ""
        elif name == "real_http":
            raise NotTranslated(REAL_HTTP)
        else:
            raise NotTranslated(f"Mocker({name or '...'}=...) as a decorator is not translated")
    return kw


def mocker_parameter(function: cst.FunctionDef, kw: str, innermost: bool) -> str:
    """The parameter the decorated test receives the mocker in. ``innermost``: the Mocker is the
    decorator right above the ``def`` (respx finds ``respx_mock`` only in the signature of the
    function it wraps itself)."""
    params, name = function.params, function.name.value
    if not innermost:
        raise NotTranslated(f"{name} has decorators between the Mocker and the def: respx would not find {ROUTER_PARAM}")
    if ROUTER_PARAM in [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]:
        raise NotTranslated(f"{name} already has a parameter named {ROUTER_PARAM}")
    # respx passes the router by keyword, to a parameter that takes positional arguments too
    if kw:
        if kw in [p.name.value for p in params.params]:
            return _not_rebound(function, kw)
        raise NotTranslated(f"the mocker reaches {name} through **kwargs or a keyword-only parameter {kw}")
    if isinstance(params.star_arg, cst.Param) or params.posonly_params and not params.params:
        raise NotTranslated(f"the mocker reaches {name} through *args or a positional-only parameter")
    if not params.params or params.params[-1].default is not None:
        raise NotTranslated(f"{name} has no parameter for the mocker")
    return _not_rebound(function, params.params[-1].name.value)


def _not_rebound(function: cst.FunctionDef, name: str) -> str:
    """``name``, unless the test binds it again (``m = re.match(...)``): renamed ``respx_mock``,
    its later uses would lose their binding."""
    targets = []
    for node in walk(function.body):
        if isinstance(node, cst.AssignTarget):
            targets.append(node.target)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
            targets.append(node.target)
        elif isinstance(node, cst.AsName):
            targets.append(node.name)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == name:
            raise NotTranslated(f"the test binds {name} again")
    for target in targets:
        if any(isinstance(n, cst.Name) and n.value == name for n in walk(target)):
            raise NotTranslated(f"the test binds {name} again")
    return name


# base classes known to define no test methods (a Mocker on the class decorates inherited ones too)
_TEST_CASES = frozenset({"TestCase", "IsolatedAsyncioTestCase", "SimpleTestCase", "TransactionTestCase"})


class DecoratedTests:
    """Tests a requests_mock Mocker decorates, on themselves or on their class: the decorators the
    codemod translates, and the parameter each test receives the mocker in (renamed respx_mock)."""

    def __init__(self) -> None:
        self.decorators: set[int] = set()  # ids of the Mocker decorators translated
        self.classes: set[int] = set()  # ids of the classes one decorates
        self.from_class: set[int] = set()  # ids of the methods given one from their class
        self.kw: dict[int, str] = {}  # id(class or def) -> the keyword it passes the mocker by
        self.renamed: dict[int, str] = {}  # id(def) -> the parameter receiving the mocker

    def visit_class(self, ctx, node: cst.ClassDef, report) -> None:
        decorator = self._mocker(ctx, node, report)
        if decorator is None:
            return
        bases = [(dotted(b.value) or "").rpartition(".")[2] for b in node.bases]
        if node.keywords or any(b not in _TEST_CASES for b in bases):
            # requests-mock decorates every test* attribute, inherited ones too
            report(ctx, decorator, "the Mocker also decorates test methods this class inherits, which the tool cannot see")
            return
        self.classes.add(id(node))
        self.decorators.add(id(decorator))

    def visit_function(self, ctx, node: cst.FunctionDef, report) -> str | None:
        """The parameter ``node`` receives a mocker in, when a Mocker decorator the tool translates gives it one."""
        own = self._mocker(ctx, node, report)
        outer = ctx.scopes[-2].node if len(ctx.scopes) > 2 and ctx.scopes[-2].kind == "class" else None
        from_class = id(outer) in self.classes and node.name.value.startswith(TEST_PREFIX)
        if own is None and not from_class:
            return None
        try:
            if own is not None and from_class:
                raise NotTranslated("a Mocker on the method and one on its class: two mockers are passed")
            kw = self.kw[id(node)] if own is not None else self.kw[id(outer)]
            innermost = node.decorators[-1] is own if own is not None else not node.decorators
            name = mocker_parameter(node, kw, innermost)
        except NotTranslated as exc:
            report(ctx, own or node, str(exc))
            return None
        if own is not None:
            self.decorators.add(id(own))
        else:
            self.from_class.add(id(node))
        self.renamed[id(node)] = name
        return name

    def _mocker(self, ctx, owner: cst.ClassDef | cst.FunctionDef, report) -> cst.Decorator | None:
        """The Mocker among ``owner``'s decorators that the tool can translate, if any (one it
        cannot is reported)."""
        for decorator in owner.decorators:
            try:
                kw = mocker_decorator(ctx, decorator)
                if kw is not None and ctx.options.mock_library == "pytest-httpx":
                    raise NotTranslated("pytest-httpx has no decorator: use the httpx_mock fixture")
            except NotTranslated as exc:
                report(ctx, decorator, str(exc))
                return None
            if kw is not None:
                self.kw[id(owner)] = kw
                return decorator
        return None
