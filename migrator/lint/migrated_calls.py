"""The warnings a migration gave the code it wrote, found again there by later runs.

``params-semantics``, ``data-type-unknown``, ``data-str-encoding``, ``timeout-maybe-tuple`` and
``files-part-differs`` say that an argument may mean something else in httpx than it meant in
requests; ``response-attribute-differs`` and ``headers-lowercase`` that a response's ``text``,
``encoding``, header names... do; ``response-escapes`` that such a response leaves for code the
tool cannot see; ``exception-broader`` that an except clause now catches more;
``transport-env-proxies`` that a client's own transports ignore environment proxies, and
``session-proxies-environment`` that its proxies now win over them. On httpx
code written by hand they would be noise (there is no requests meaning to keep), so they are
found again only on code the migration evidently wrote: a module function given both
``follow_redirects=`` and ``timeout=`` (requests' defaults written out), a client made with
``max_redirects=30`` (requests' limit written out; another limit with ``follow_redirects=True`` and
``timeout=``), the responses of their calls, and the except
clauses of a file holding either. The same tests decide as in the migration, so a later run,
``--check`` and ``migrate lint`` repeat what the first run said, until a person changes the line
or silences it. (What the code itself no longer shows, the retry options a transport lost, the
migration writes as a ``# requests2httpx: note[...]`` comment, read back by the lint.)
"""

from __future__ import annotations

import libcst as cst

from codemods._client_options import ENV_PROXIES, PROXIES_ENV
from codemods._request_args import (
    DATA_STR_ENCODING, DATA_TYPE_UNKNOWN, FILES_PART, PARAMS_SEMANTICS, TIMEOUT_MAYBE_TUPLE, _files, _params_exact,
)
from codemods.base import body_literal_kind, find_kwarg
from codemods.catch_all import _DIFFERS, ATTRIBUTE_WARNING, ESCAPES, HEADER_NAMES, LOOKS_ONLY
from codemods.exceptions import _BROADER, _HTTPX, BROADER
from codemods.response_api import ITER_TEXT_DIFFERS
from migrator.engine.names import dotted

REUSED = (PARAMS_SEMANTICS, DATA_TYPE_UNKNOWN, DATA_STR_ENCODING, TIMEOUT_MAYBE_TUPLE, FILES_PART, ATTRIBUTE_WARNING,
          HEADER_NAMES, ESCAPES, BROADER, ENV_PROXIES, PROXIES_ENV)
# the httpx class the migration writes for a requests exception it has no exact counterpart of
_BROADER_FOR = {_HTTPX[short]: short for short in _BROADER}


def attribute_warning(report, node: cst.Attribute) -> None:
    """``r.text``, ``r.url``, ... read on a response of a call the migration wrote: the value differs
    from requests' (response-attribute-differs, as the first run said)."""
    attr = node.attr.value
    # Not ``url`` (the migration wraps it in str() where a str is needed, which this cannot see),
    # nor ``iter_lines`` (its lines are followed, and reported where used as bytes)
    differs = ITER_TEXT_DIFFERS if attr == "iter_text" else None if attr in ("url", "iter_lines") else _DIFFERS.get(attr)
    if differs:
        report(ATTRIBUTE_WARNING, node, f"{differs} (a migrated call's response)")


def header_names_warning(report, node: cst.Attribute) -> None:
    """``r.headers`` iterated or copied (not looked up by name) on a migrated call's response."""
    report(HEADER_NAMES, node, "iterating or copying r.headers gives lowercase names in httpx (a migrated call's response)")


def broader_warnings(report, visitor, caught: cst.BaseExpression) -> None:
    """exception-broader on each class ``caught`` names (an except clause's type, a class or a
    tuple) that the migration writes for a requests exception httpx covers more broadly."""
    elements = [e.value for e in caught.elements] if type(caught) is cst.Tuple else [caught]  # type: ignore[attr-defined]
    names = [visitor.httpx_name(e) for e in elements]
    for element, name in zip(elements, names):
        short = _BROADER_FOR.get(name or "")
        if short is None:
            continue
        if short == "ConnectionError" and {"TimeoutException", "ReadTimeout"} & set(names):
            continue  # the timeouts TransportError adds are caught here anyway (as in the migration)
        report(BROADER, element, f"{_BROADER[short]} (a migrated except clause)")


def escapes(func: cst.BaseExpression) -> bool:
    """Does a response handed to a call of ``func`` leave for code the tool cannot follow?"""
    return not (type(func) is cst.Name and func.value in LOOKS_ONLY)  # type: ignore[attr-defined]


def env_proxies_warning(report, visitor, call: cst.Call) -> None:
    """transport-env-proxies on a client the migration made with transports it built, none of
    them given a proxy, and trust_env not False: the environment's proxies no longer apply."""
    trust_env = find_kwarg(call.args, "trust_env")
    if trust_env is not None and type(trust_env.value) is cst.Name and trust_env.value.value == "False":  # type: ignore[attr-defined]
        return
    given = [a.value for a in call.args if a.keyword is not None and a.keyword.value in ("transport", "mounts")]
    values = [e.value for d in given if type(d) is cst.Dict for e in d.elements if type(e) is cst.DictElement]  # type: ignore[attr-defined]
    values += [v for v in given if type(v) is not cst.Dict]
    built = []
    while values:  # an httpx_retries.RetryTransport holds the HTTPTransport as transport=
        value = values.pop()
        if type(value) is not cst.Call:
            continue
        if visitor.httpx_name(value.func) in ("HTTPTransport", "AsyncHTTPTransport"):  # type: ignore[attr-defined]
            built.append(value)
        elif (dotted(value.func) or "").endswith("RetryTransport"):  # type: ignore[attr-defined]
            inner = find_kwarg(value.args, "transport")  # type: ignore[attr-defined]
            values += [inner.value] if inner is not None else []
    if built and not any(find_kwarg(t.args, "proxy") is not None for t in built):
        report(ENV_PROXIES, call, "HTTP(S)_PROXY from the environment no longer applies to this client (a migrated client)")
    if find_kwarg(call.args, "proxy") is not None or any(find_kwarg(t.args, "proxy") is not None for t in built):
        report(PROXIES_ENV, call, "where HTTP(S)_PROXY is set, requests sent through it instead of the session's proxies; httpx uses these (a migrated client)")


def written_by_migration(keywords: dict[str, cst.BaseExpression]) -> bool:
    """A module function call with requests' defaults written out, as the migration writes them."""
    return "follow_redirects" in keywords and "timeout" in keywords


def made_by_migration(call: cst.Call) -> bool:
    """``httpx.Client(..., max_redirects=30, ...)``: requests' redirect limit, as the migration writes
    it; or another limit the session set, beside ``follow_redirects=True`` and ``timeout=``, which the
    migration writes with it."""
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    limit = keywords.get("max_redirects")
    if not isinstance(limit, cst.Integer):
        return False
    follows = keywords.get("follow_redirects")
    return limit.value == "30" or (isinstance(follows, cst.Name) and follows.value == "True" and "timeout" in keywords)


def argument_warnings(report, node: cst.Call, keywords: dict[str, cst.BaseExpression]) -> None:
    """``report(code, node, message)`` for each argument whose requests meaning httpx may not keep."""
    if "params" in keywords:
        positional = [a.value for a in node.args if a.keyword is None]
        url = keywords.get("url") or (positional[-1] if positional else None)
        if not _params_exact(url, keywords["params"]):
            report(PARAMS_SEMANTICS, node, "params= merge/None/bool semantics differ in httpx (a migrated call)")
    data = keywords.get("data")
    if data is not None and not isinstance(data, cst.Dict) and not (isinstance(data, cst.Name) and data.value == "None"):
        report(DATA_TYPE_UNKNOWN, node, "data= may be bytes/str or a list of pairs (a migrated call)")
    content = keywords.get("content")
    if content is not None and body_literal_kind(content) == "str":
        report(DATA_STR_ENCODING, node, "a str body is sent as ISO-8859-1 by requests, UTF-8 by httpx (a migrated call)")
    timeout = keywords.get("timeout")
    if timeout is not None and not isinstance(timeout, (cst.Integer, cst.Float, cst.Call)) and not (isinstance(timeout, cst.Name) and timeout.value == "None"):
        report(TIMEOUT_MAYBE_TUPLE, node, "timeout= may be a (connect, read) tuple (a migrated call)")
    if "files" in keywords and not _files(keywords["files"])[1]:
        report(FILES_PART, node, "httpx gives each file part a Content-Type (a migrated call)")
