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
from codemods.to_httpx2 import speak
from migrator.engine.names import dotted
from migrator.engine.visitors import walk


@dataclass(frozen=True)
class Helper:
    name: str
    text: str  # ``httpx`` in it is the module's name for httpx
    imports: tuple[str, ...] = ()
    needs: tuple["Helper", ...] = ()  # helpers it calls


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

# requests' Session.params, merged with a call's: an httpx client's params would replace the URL's query
SESSION_PARAMS = Helper("_requests_params", '''

def _requests_params(session_params, params=None):
    """The params requests sends for a call on a Session whose params are session_params (written
    by requests2httpx): both dicts merged, the call's keys winning, keys whose value is None
    dropped; when either is not a dict, the call's alone (empty ones count as {}). An httpx
    client's own params would replace the URL's query.
    """
    params = params or {}
    Mapping = collections.abc.Mapping
    if not (isinstance(session_params, Mapping) and isinstance(params, Mapping)):
        return params
    merged = {**session_params, **params}
    return {key: value for key, value in merged.items() if value is not None}
''', ("collections.abc",))

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

# requests' choice of text encoding: httpx decodes text without a charset as UTF-8
ENCODING = Helper("_requests_encoding", '''

def _requests_encoding(response):
    """The encoding requests gives a response (written by requests2httpx): the one the code set,
    else its Content-Type's charset, ISO-8859-1 for text without one, UTF-8 for JSON, else None
    (its text is then decoded as detected). httpx's is UTF-8 wherever no charset is named.
    """
    if not isinstance(response, httpx.Response):
        return response.encoding  # (a stand-in, such as a test's mock)
    if "_encoding" in vars(response):  # (where httpx keeps an encoding the code set)
        return response.encoding
    content_type = response.headers.get("content-type")
    if not content_type:
        return None
    content_type, *params = content_type.split(";")
    charset = None
    for param in params:
        key, equals, value = param.strip().partition("=")
        if equals and key.strip("\\"' ").lower() == "charset":
            charset = value.strip("\\"' ")
    if charset is not None:
        return charset
    if "text" in content_type.strip():
        return "ISO-8859-1"
    if "application/json" in content_type.strip():
        return "utf-8"
    return None
''')

TEXT = Helper("_requests_text", '''

def _requests_text(response):
    """response.text as requests decodes it (written by requests2httpx): with _requests_encoding,
    or where that is None with the encoding detected from the body, as requests detects it.
    """
    if not isinstance(response, httpx.Response):
        return response.text  # (a stand-in, such as a test's mock)
    content = response.content
    if not content:
        return ""
    encoding = _requests_encoding(response)
    if encoding is None:
        try:
            import chardet as detector
        except ImportError:
            try:
                import charset_normalizer as detector
            except ImportError:
                detector = None
        encoding = "utf-8" if detector is None else detector.detect(content)["encoding"]
    try:
        return str(content, encoding, errors="replace")
    except (LookupError, TypeError):
        return str(content, errors="replace")
''', needs=(ENCODING,))

ITER_TEXT = Helper("_requests_iter_text", '''

def _requests_iter_text(response, chunk_size):
    """iter_content(chunk_size, decode_unicode=True) as requests gives it (written by
    requests2httpx): chunks of chunk_size bytes decoded with _requests_encoding, or the bytes
    themselves where that is None. httpx's iter_text decodes as UTF-8 where the Content-Type names
    no charset, and cuts the text, not the bytes, into chunks.
    """
    if not isinstance(response, httpx.Response):
        yield from response.iter_text(chunk_size)  # (a stand-in, such as a test's mock)
        return
    encoding = _requests_encoding(response)
    if encoding is None:
        yield from response.iter_bytes(chunk_size)
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    for chunk in response.iter_bytes(chunk_size):
        text = decoder.decode(chunk)
        if text:
            yield text
    text = decoder.decode(b"", final=True)
    if text:
        yield text
''', ("codecs",), needs=(ENCODING,))

# requests' iter_lines(): bytes lines (httpx's are str, decoded by its own charset rule)
ITER_LINES = Helper("_requests_iter_lines", '''

def _requests_iter_lines(
    response, chunk_size=512, decode_unicode=False, delimiter=None
):
    """iter_lines() as requests gives it (written by requests2httpx): lines split from chunks of
    chunk_size bytes, as bytes (as str, decoded by _requests_iter_text, with decode_unicode=True).
    httpx's iter_lines yields str decoded with its own charset rule, and takes no arguments.
    """
    if not isinstance(response, httpx.Response):  # (a stand-in, such as a test's mock)
        if (chunk_size, decode_unicode, delimiter) == (512, False, None):
            yield from response.iter_lines()
        else:
            yield from response.iter_lines(chunk_size, decode_unicode, delimiter)
        return
    if decode_unicode:
        chunks = _requests_iter_text(response, chunk_size)
    else:
        chunks = response.iter_bytes(chunk_size)
    pending = None
    for chunk in chunks:
        if pending is not None:
            chunk = pending + chunk
        lines = chunk.split(delimiter) if delimiter else chunk.splitlines()
        if lines and lines[-1] and chunk and lines[-1][-1] == chunk[-1]:
            pending = lines.pop()
        else:
            pending = None
        yield from lines
    if pending is not None:
        yield pending
''', needs=(ITER_TEXT, ENCODING))

ORDER = (PARAMS, SESSION_PARAMS, HOOKS, ENCODING, TEXT, ITER_TEXT, ITER_LINES)
NAMES = frozenset(helper.name for helper in ORDER)
# each helper's lines as written in a module that calls httpx ``httpx`` (black-formatted: tested)
TEXTS = {helper.name: helper.text.lstrip("\n") for helper in ORDER}
# ... and as written for each target (``--target httpx2``: its prose speaks of httpx2)
VARIANTS = {name: (text, speak(text)) for name, text in TEXTS.items()}


def call_helper(ctx, helper: Helper, *args: cst.BaseExpression | cst.Arg) -> cst.Call:
    """``helper(*args)``, noting that the module must define it (and import what it uses)."""
    for needed in (helper, *helper.needs):
        ctx.helpers.add(needed.name)
        ctx.required_imports.update(needed.imports)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    arguments = [a if isinstance(a, cst.Arg) else cst.Arg(a) for a in args]
    return cst.Call(cst.Name(helper.name), [a.with_changes(comma=comma) for a in arguments[:-1]]
                    + [arguments[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])


def with_helpers(body: list, needed: set[str], at: int, httpx_alias: str, target: str = "httpx") -> list:
    """``body`` (a module's statements) with each needed helper it does not define, at ``at``."""
    defined = {s.name.value for s in body if isinstance(s, cst.FunctionDef)}
    for helper in reversed(ORDER):
        if helper.name in needed and helper.name not in defined:
            text = helper.text if httpx_alias == "httpx" else helper.text.replace("httpx.", f"{httpx_alias}.")
            text = text if target == "httpx" else speak(text)
            body = with_function(body, at, text)
    return body


def helpers_at(body: list, httpx_alias: str) -> int:
    """After the imports, and after the shared SSL context when the module builds one there."""
    from codemods.shared_ssl_context import NAME, after_imports  # (it builds on the request arguments)

    at = after_imports(list(body), httpx_alias)
    for i, statement in enumerate(body):  # ``try: import httpx`` / ``if ...: import httpx``: after it
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break  # (code further down, ``if __name__ == "__main__":``, may call the helpers)
        if isinstance(statement, (cst.Try, cst.If)) and _imports_in(statement, httpx_alias):
            at = max(at, i + 1)
    while at < len(body) and _assigns(body[at], NAME):
        at += 1
    return at


def _imports_in(statement: cst.BaseStatement, httpx_alias: str) -> bool:
    """Does ``statement`` import httpx (as ``httpx_alias``), or requests (httpx's import goes
    beside it, in the same guard, once the codemods ran)?"""
    return any(isinstance(node, (cst.Import, cst.ImportFrom)) and _names_http_library(node, httpx_alias) for node in walk(statement))


def _names_http_library(node: cst.Import | cst.ImportFrom, httpx_alias: str) -> bool:
    if isinstance(node, cst.ImportFrom):
        return node.module is not None and dotted(node.module).split(".")[0] in ("requests", "httpx")
    return any((a.asname.name.value if a.asname else dotted(a.name)) in (httpx_alias, "httpx")
               or dotted(a.name).split(".")[0] == "requests" for a in node.names)


def _assigns(statement: cst.BaseStatement, name: str) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in statement.body[0].targets))
