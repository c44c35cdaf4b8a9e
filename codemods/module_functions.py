"""requests.get/post/put/patch/delete/head/options/request → the httpx functions.

## What it does
Rewrites calls of requests' module-level request functions (under any import
spelling: ``requests.get``, ``import requests as rq``, ``from requests import get as fetch``)
to the httpx function of the same verb, and maps their arguments:

- ``allow_redirects=`` becomes ``follow_redirects=``; where it was not given, requests'
  default is written out: ``follow_redirects=True`` for every verb but HEAD (httpx follows
  no redirects by default, requests follows them for all verbs but ``requests.head``);
- ``timeout`` is always explicit: ``timeout=None`` (requests' own behaviour: wait forever),
  or the number given with ``--timeout``; httpx would otherwise apply its 5-second default;
- ``timeout=(connect, read)`` becomes ``httpx.Timeout(connect=..., read=..., write=None, pool=None)``;
- ``data=`` holding a bytes or str literal (or ``.encode(...)`` of one) becomes ``content=``;
- positional arguments after the URL (``requests.post(url, payload)``) become keywords,
  since httpx takes them by keyword only;
- ``proxies={"http": P, "https": P}`` (one proxy for every scheme) becomes ``proxy=P``; so does
  ``proxies=PROXIES`` where ``PROXIES`` is such a dict literal, bound once (in the function or at
  module level) and never changed, as ``proxy=PROXIES["http"]`` (the value read where the code keeps it);
  ``verify="ca.pem"`` becomes ``verify=ssl.create_default_context(cafile="ca.pem")``;
- a body (``json=``, ``data=``, ``files=``) on GET, HEAD, OPTIONS or DELETE goes through
  ``httpx.request("GET", ...)``: httpx's verb helpers take no body for those verbs;
- ``params=`` stays where the URL is a literal without a query and every value a str or number
  literal (both libraries send the same query). Otherwise it is written into the URL as requests
  writes it, ``httpx.get(_requests_url(url, params))``: httpx's ``params=`` replaces the URL's own
  query, sends ``None`` as an empty value and ``True`` as ``true``, where requests appends to the
  query, drops ``None`` and sends ``True``. ``_requests_url`` is a function of a dozen lines written
  once in each module that needs it: an inline expression would repeat those lines at every call,
  and a module of its own would add a file and an import to the package.
- ``hooks={"response": [f, g]}`` becomes ``_requests_hooks(httpx.get(...), [f, g])``, a helper written
  the same way, which calls each hook on each response of the redirect chain, first to last, as
  requests did (httpx takes event hooks only on a client, for all its requests). A hook is kept when
  it is a lambda or a function of this file that takes the response and ``**kwargs`` (requests calls
  it with its send arguments: a hook without ``**kwargs`` raises TypeError there), does not read
  those arguments, returns nothing (requests used a returned value as the response), does not call
  ``raise_for_status()`` (it raises on every redirect in httpx) nor ``raise``/``assert`` (requests
  stopped before following the redirects; the helper runs after them) and reads nothing of the response
  that httpx lacks or gives differently (``ok``, ``url``, ``text``...). Client calls get the same,
  when the session has no hooks of its own (requests runs the call's instead of the session's;
  httpx would run both).

## Why
httpx's functions look like requests' but differ in defaults that change behaviour
silently: redirects are not followed, and every phase of the request times out after
5 seconds. Writing requests' defaults out keeps the program doing what it did.
httpx follows at most 20 redirects where requests follows 30; module functions cannot
raise that limit, so the rare chain of 21–30 redirects now raises ``httpx.TooManyRedirects``.
JSON bodies are sent compact (``{"a":1}``): the same JSON, different bytes. When a
301/302/303 redirect turns a request with a body into a GET, httpx keeps the body's
``Content-Type`` header, which requests drops (``redirect-content-type``, once per file).

## When it reports instead of rewriting
- ``*args``/``**kwargs`` in the call (``request-args-unknown``), more positional arguments than
  requests takes, ``stream=``, ``cert=``, ``hooks=`` other than above (or on a stream), ``proxies=`` with a different proxy per scheme,
  or ``verify=`` other than a bool or a string literal (``request-arg-unsupported``), ``data=`` as a list of pairs (``data-list-of-pairs``):
  the call is left as it is, with an error finding.
- migrated, with a warning to review: ``data=`` of unknown type
  (``data-type-unknown``); a str body that may not be ASCII (``data-str-encoding``); ``timeout=`` that may be a tuple (``timeout-maybe-tuple``);
  ``verify=False`` (``tls-verify-disabled``).
"""

from __future__ import annotations

import libcst as cst

from codemods._request_args import (
    ARG_UNSUPPORTED, ARGS_UNKNOWN, AUTH_ENCODING, DATA_PAIRS, ENVIRONMENT, JSON_BODY, FILES_PART, REDIRECT_CONTENT_TYPE, DATA_STR_ENCODING, DATA_TYPE_UNKNOWN, PARAMS_SEMANTICS,
    TIMEOUT_MAYBE_TUPLE, VERBS, VERIFY_DISABLED, hooked, map_request_args,
)
from codemods.base import Codemod, find_kwarg
from codemods.streaming import check_stream_context, stream_call, stream_flag
from migrator.engine.findings import Code

REDIRECT_LIMIT = Code(
    "redirect-limit",
    "info",
    "httpx follows at most 20 redirects where requests follows 30",
    "httpx's module functions take no ``max_redirects``; a chain of 21 to 30 redirects, which "
    "requests followed, now raises ``httpx.TooManyRedirects``. Reported once per file.",
    "If an endpoint redirects that often, use a client: ``httpx.Client(max_redirects=30)``.",
)

_QUALNAMES = {f"requests.{verb}": verb for verb in VERBS}


class ModuleFunctions(Codemod):
    name = "module_functions"
    codes = (ARGS_UNKNOWN, ARG_UNSUPPORTED, DATA_PAIRS, DATA_STR_ENCODING, DATA_TYPE_UNKNOWN, PARAMS_SEMANTICS,
             TIMEOUT_MAYBE_TUPLE, VERIFY_DISABLED, REDIRECT_LIMIT, REDIRECT_CONTENT_TYPE, AUTH_ENCODING, ENVIRONMENT, FILES_PART,
             JSON_BODY)

    def leave_Call(self, ctx, original: cst.Call, updated: cst.Call):
        verb = _QUALNAMES.get(ctx.resolve(original.func) or "")
        if verb is None or ctx.made_as(updated) is not None:
            return updated  # not a request function, or async_calls rewrote it already
        if find_kwarg(original.args, "stream") is not None and stream_flag(original) is not False:
            if not check_stream_context(ctx, original):
                return updated
        mapped = map_request_args(ctx, original, updated, verb, on_client=False)
        if mapped is None:
            return updated
        if mapped.follows_redirects:
            ctx.report_once(REDIRECT_LIMIT, original, "redirect chains of 21-30 hops now raise TooManyRedirects")
        if mapped.stream:
            return stream_call(ctx, updated, ctx.httpx("stream"), verb, mapped)
        call = hooked(ctx, updated.with_changes(func=ctx.httpx(mapped.method), args=mapped.args), mapped)
        return ctx.mark(call, "response" if mapped.follows_redirects else "response-nofollow")
