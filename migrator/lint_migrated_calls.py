"""The warnings a migration gave a request call and its response, found again on the code it wrote.

``params-semantics``, ``data-type-unknown``, ``data-str-encoding``, ``timeout-maybe-tuple`` and
``files-part-differs`` say that an argument may mean something else in httpx than it meant in
requests; ``response-attribute-differs`` that a response's ``text``, ``url``, ``encoding``... does. On httpx code written by hand they would be noise (there is no requests meaning to
keep), so they are found again only on calls the migration evidently wrote: a module function
given both ``follow_redirects=`` and ``timeout=`` (requests' defaults written out), or a method of
a client made with ``max_redirects=30`` (requests' limit written out). The same tests decide as in
the migration (``codemods._request_args``), so a later run, ``--check`` and ``migrate lint`` repeat
what the first run said, until a person changes the line or silences it.
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import (
    DATA_STR_ENCODING, DATA_TYPE_UNKNOWN, FILES_PART, PARAMS_SEMANTICS, TIMEOUT_MAYBE_TUPLE, _files, _params_exact,
)
from codemods.base import body_literal_kind
from codemods.catch_all import ATTRIBUTE_WARNING, _DIFFERS

REUSED = (PARAMS_SEMANTICS, DATA_TYPE_UNKNOWN, DATA_STR_ENCODING, TIMEOUT_MAYBE_TUPLE, FILES_PART, ATTRIBUTE_WARNING)


def attribute_warning(report, node: cst.Attribute) -> None:
    """``r.text``, ``r.url``, ... read on a response of a call the migration wrote: the value differs
    from requests' (response-attribute-differs, as the first run said)."""
    attr = node.attr.value
    # (not ``url``: the migration wraps it in str() where a str is needed, which this cannot see)
    if attr in _DIFFERS and attr != "url":
        report(ATTRIBUTE_WARNING, node, f"{_DIFFERS[attr]} (a migrated call's response)")


def written_by_migration(keywords: dict[str, cst.BaseExpression]) -> bool:
    """A module function call with requests' defaults written out, as the migration writes them."""
    return "follow_redirects" in keywords and "timeout" in keywords


def made_by_migration(call: cst.Call) -> bool:
    """``httpx.Client(..., max_redirects=30, ...)``: requests' redirect limit, as the migration writes it."""
    return any(a.keyword is not None and a.keyword.value == "max_redirects" and isinstance(a.value, cst.Integer)
               and a.value.value == "30" for a in call.args)


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
