"""Uses of a migrated client's ``params``, ``cookies`` and ``headers`` that httpx does not honour.

A Session's ``params`` is a dict merged into each request's URL query; an httpx client keeps an
immutable ``QueryParams`` (changing it in place raises) and *replaces* each request URL's query
with it (and sends None as ``k=``, True as ``true``). httpx's ``Cookies`` and ``Headers`` lack
some methods of requests' cookie jar and ``CaseInsensitiveDict`` (calling them raises). The
tables below are ``dir()`` differences, re-checked against the installed httpx by the tests.
"""

from __future__ import annotations

import libcst as cst

# public names of requests' dict / RequestsCookieJar / CaseInsensitiveDict that httpx's
# QueryParams / Cookies / Headers do not have
MISSING = {
    "params": frozenset({"clear", "copy", "fromkeys", "pop", "popitem", "setdefault"}),
    "cookies": frozenset({
        "add_cookie_header", "clear_expired_cookies", "clear_session_cookies", "copy", "domain_re",
        "dots_re", "get_dict", "get_policy", "iteritems", "iterkeys", "itervalues", "list_domains",
        "list_paths", "magic_re", "make_cookies", "multiple_domains", "non_word_re", "quote_re",
        "set_cookie", "set_cookie_if_ok", "set_policy", "strict_domain_re",
    }),
    "headers": frozenset({"lower_items"}),
}
# QueryParams has ``update`` (and item assignment), only to raise "QueryParams are immutable"
PARAMS_IN_PLACE = MISSING["params"] | {"update"}
_IMMUTABLE = "client.params cannot be changed in place in httpx: assign client.params = {...} instead"


def container_use(ctx, node: cst.Attribute) -> tuple[str, cst.CSTNode, str] | None:
    """For ``<client>.params``/``.cookies``/``.headers`` (``node``, being left), what is wrong with
    how it is used: ("unsupported" | "params", where, message), or None when httpx does the same."""
    container = node.attr.value
    parent, grandparent = ctx.parent(), ctx.parent(2)
    if isinstance(parent, cst.Attribute) and parent.value is node:
        method = parent.attr.value
        if container == "params" and method in PARAMS_IN_PLACE:
            return "unsupported", parent, _IMMUTABLE
        if method == "get_dict" and isinstance(grandparent, cst.Call) and grandparent.func is parent and not grandparent.args:
            return None  # response_api rewrites it to dict(client.cookies)
        if method in MISSING[container]:
            return "unsupported", parent, f"httpx's client.{container} has no .{method}"
        return None
    if container != "params":
        return None
    if isinstance(parent, cst.Subscript) and parent.value is node and _is_store(parent, grandparent):
        return "unsupported", parent, _IMMUTABLE
    if isinstance(parent, cst.AugAssign) and parent.target is node:
        return "unsupported", node, _IMMUTABLE
    if isinstance(parent, cst.AssignTarget) and parent.target is node and not _empty_dict(ctx.parent(2)):
        return "params", node, "client params replace every request URL's query in httpx (and None/bool values differ)"
    return None


def _is_store(subscript: cst.Subscript, around: cst.CSTNode | None) -> bool:
    """Is ``subscript`` assigned to or deleted (``p["k"] = v``, ``p["k"] += v``, ``del p["k"]``)?"""
    if isinstance(around, cst.AssignTarget):
        return around.target is subscript
    if isinstance(around, (cst.AugAssign, cst.Del)):
        return around.target is subscript
    return False


def _empty_dict(assign: cst.CSTNode | None) -> bool:
    """``client.params = {}``: no parameters, so nothing to replace a URL's query with."""
    return isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Dict) and not assign.value.elements
