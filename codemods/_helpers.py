"""The small functions the tool writes into a module whose migrated code needs them.

Some of requests' behaviour can be kept exactly only by code that runs with the values: a
``params=`` dict known at run time, per-request ``hooks=``. The migration then calls a helper
named ``_requests_*`` whose docstring says requests2httpx wrote it. Each is written once in each
module that needs it, after the imports: an inline expression would repeat its lines at every
call, and a module of its own would add a file and an import to the package. A module that
already defines a function of that name (a second run) keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import with_function


@dataclass(frozen=True)
class Helper:
    name: str
    text: str
    imports: tuple[str, ...] = ()


# requests' params=: httpx's params= would replace the URL's own query, send None as an empty
# value and True as "true"
PARAMS = Helper("_requests_url", '''

def _requests_url(url, params):
    """The URL requests sends for url and params= (written by requests2httpx): keys whose value is
    None are dropped, other values written with str() (True, not true), and the result appended to
    the URL's own query, which httpx's params= would replace.
    """
    if isinstance(params, (str, bytes)):
        query = params.decode("utf-8") if isinstance(params, bytes) else params
    else:
        pairs = []
        for key, values in params.items() if hasattr(params, "items") else params or ():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                values = [values]
            pairs += [(key, value) for value in values if value is not None]
        query = urllib.parse.urlencode(pairs, doseq=True)
    if not query:
        return url
    base, hash_, fragment = str(url).partition("#")
    if urllib.parse.urlsplit(base).query:
        base += "&"
    elif not base.endswith("?"):
        base += "?"
    return base + query + hash_ + fragment
''', ("urllib.parse",))

# requests' per-request hooks=: httpx takes event hooks only on a client, for all its requests
HOOKS = Helper("_requests_hooks", '''

def _requests_hooks(response, hooks):
    """Calls requests' response hooks as requests did (written by requests2httpx): each hook, in
    order, on each response of the redirect chain, first to last. httpx takes hooks only on a
    client, for every request it sends.
    """
    for hop in [*response.history, response]:
        for hook in hooks:
            hook(hop)
    return response
''')

ORDER = (PARAMS, HOOKS)
NAMES = frozenset(helper.name for helper in ORDER)


def call_helper(ctx, helper: Helper, *args: cst.BaseExpression) -> cst.Call:
    """``helper(*args)``, noting that the module must define it (and import what it uses)."""
    ctx.helpers.add(helper.name)
    ctx.required_imports.update(helper.imports)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Call(cst.Name(helper.name), [cst.Arg(a, comma=comma) for a in args[:-1]] + [cst.Arg(args[-1])])


def with_helpers(body: list, needed: set[str], at: int) -> list:
    """``body`` (a module's statements) with each needed helper it does not define, at ``at``."""
    defined = {s.name.value for s in body if isinstance(s, cst.FunctionDef)}
    for helper in reversed(ORDER):
        if helper.name in needed and helper.name not in defined:
            body = with_function(body, at, helper.text)
    return body


def helpers_at(body: list, httpx_alias: str) -> int:
    """After the imports, and after the shared SSL context when the module builds one there."""
    from codemods.shared_ssl_context import NAME, after_imports  # (it builds on the request arguments)

    at = after_imports(list(body), httpx_alias)
    while at < len(body) and _assigns(body[at], NAME):
        at += 1
    return at


def _assigns(statement: cst.BaseStatement, name: str) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in statement.body[0].targets))
