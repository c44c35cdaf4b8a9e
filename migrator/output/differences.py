"""The behaviour differences between requests 2.x and httpx 0.28 the tool handles, as data:
``docs/differences.md`` is generated from it, and every codemod or report code a row names must
exist (:func:`check`), so the table cannot point at something gone.

Each row was checked by running both libraries (the fixtures' equivalence tests run the before and
after code against a loopback server).
"""

from __future__ import annotations

# (area, requests, httpx, handled by: codemod names and report codes)
ROWS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Silent", "`params=` is merged into a query already in the URL; `None` values are dropped, `True` sent as `True`",
     "`params=` replaces the URL's query; `None` is sent as `k=`, `True` as `true`", ("module_functions", "params-semantics")),
    ("Silent", "30 redirects at most", "20", ("client_configuration", "redirect-limit")),
    ("Silent", "`text/*` without a charset decodes as ISO-8859-1", "decodes as UTF-8", ("response_text",)),
    ("Silent", "`bool(response)` is `response.ok`", "a response is always true", ("response_api", "response-truthiness")),
    ("Silent", "`raise_for_status()` raises on 4xx and 5xx", "raises on every status that is not 2xx",
     ("module_functions", "client_configuration", "response-attribute")),
    ("Silent", "`except RequestException` catches `r.json()`'s decode errors", "`json.JSONDecodeError` is no `httpx.HTTPError`",
     ("exceptions", "json-error-not-caught")),
    ("Silent", "`r.is_redirect`: a 3xx with a Location", "any 3xx (`has_redirect_location` is requests' meaning)", ("response_api",)),
    ("Silent", "`iter_content()` yields one byte at a time by default", "`iter_bytes()` yields what arrives", ("response_api",)),
    ("Silent", "a POST redirected to a GET loses its body and its Content-Type", "loses its body, keeps its Content-Type",
     ("redirect-content-type",)),
    ("Silent", "`session.verify = ...` (and cert, proxies, mount) after construction takes effect",
     "the same attributes are accepted and ignored", ("client_configuration", "client-setting-not-hoisted", "client-attribute-unsupported")),
    ("Silent", "reads `.netrc`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`", "reads `SSL_CERT_FILE`/`SSL_CERT_DIR`; `.netrc` only through `NetRCAuth`",
     ("environment-differences",)),
    ("Silent", "a JSON body is `{\"a\": 1}`, non-ASCII escaped", "compact `{\"a\":1}`, non-ASCII as is", ("json-body-compact",)),
    ("Silent", "a hook's return value replaces the response", "event hooks' return values are ignored", ("client_configuration",)),
    ("Silent", "`files={\"f\": \"text\"}` names the part's file `f`, no Content-Type", "names it `upload`, `application/octet-stream`",
     ("files-part-differs",)),
    ("Silent", "header names keep their spelling", "`client.headers` keys are lower-case", ("headers-lowercase",)),
    ("Errors", "`get(url, json=...)`: a body on GET, HEAD, OPTIONS, DELETE", "those functions take no body", ("module_functions", "verb-takes-no-body")),
    ("Errors", "`data=[(\"a\", \"1\"), (\"a\", \"2\")]`", "TypeError: a dict of lists", ("module_functions", "data-list-of-pairs")),
    ("Errors", "`requests.codes[\"ok\"]`, `codes.okay`", "`httpx.codes.OK`; no item access, no synonyms", ("status_codes",)),
    ("Errors", "`proxies={...}`", "removed in 0.28: `proxy=` or `mounts=`", ("client_configuration", "removed-argument")),
    ("Errors", "`verify=`, `cert=`, `proxies=`, `stream=` on a session's call", "client settings only", ("session_to_client", "request-arg-unsupported")),
    ("Lifetime", "`requests.Session()`", "`httpx.Client()`, closed with `with` or `.close()`", ("session_to_client", "client-not-closed")),
    ("Lifetime", "no timeout unless given", "5 s on every phase", ("module_functions", "session_to_client", "no-explicit-timeout")),
    ("Lifetime", "`timeout=(connect, read)`", "`httpx.Timeout(connect=..., read=...)`", ("module_functions", "timeout-maybe-tuple")),
    ("Lifetime", "follows redirects for every verb but HEAD", "follows none unless told", ("module_functions", "session_to_client")),
    ("Lifetime", "`Session()` costs microseconds", "`Client()` builds an SSL context (~20 ms)",
     ("shared_ssl_context", "client-per-request-in-loop")),
    ("Lifetime", "`HTTPAdapter(max_retries=Retry(...))`", "`HTTPTransport(retries=n)` retries connect failures only",
     ("client_configuration", "retries-narrower")),
    ("Lifetime", "`HTTPAdapter(pool_connections=..., pool_maxsize=...)`", "`limits=httpx.Limits(...)`", ("client_configuration", "pool-settings")),
    ("Lifetime", "`verify=\"/ca.pem\"`, `cert=(c, k)`", "deprecated: an `ssl.SSLContext`", ("client_configuration", "deprecated-argument")),
    ("Lifetime", "`verify=False`", "the same", ("tls-verify-disabled",)),
    ("Lifetime", "`requests.Request` / `prepare_request` / `send(prep, timeout=...)`", "`build_request(..., timeout=...)` / `send(request)`",
     ("prepared_requests", "prepared-request-not-migrated")),
    ("Lifetime", "a `Session` subclass", "a `Client` subclass, its overrides checked", ("session_subclass", "session-subclass-not-migrated")),
    ("Auth", "`HTTPBasicAuth`, `HTTPDigestAuth`", "`httpx.BasicAuth`, `httpx.DigestAuth`", ("auth",)),
    ("Auth", "an `AuthBase` subclass's `__call__(r)`", "an `httpx.Auth` subclass's `auth_flow(request)` generator",
     ("auth", "auth-subclass-not-migrated")),
    ("Streaming", "`stream=True` then `iter_content(n)`", "`with client.stream(...) as r: r.iter_bytes(n)`",
     ("streaming", "stream-not-migrated", "stream-not-read")),
    ("Streaming", "`iter_lines()` yields bytes", "yields str", ("streaming", "response-lines-are-str")),
    ("Response", "`r.reason`, `r.next`", "`r.reason_phrase`, `r.next_request`", ("response_api",)),
    ("Response", "`r.url` is a str", "an `httpx.URL`", ("response_api", "response-attribute-differs")),
    ("Response", "`r.raw`, `r.apparent_encoding`, `r.is_permanent_redirect`", "none", ("response_api", "response-attribute")),
    ("Exceptions", "`RequestException`, `HTTPError`, `ConnectionError`, `Timeout`", "`HTTPError`, `HTTPStatusError`, `TransportError`, `TimeoutException`",
     ("exceptions", "exception-broader", "exception-response")),
    ("Tests", "`responses`, `requests-mock`", "respx or pytest-httpx", ("mock_libraries", "mock-not-migrated", "test-mocks-kept")),
    ("Tests", "`mock.patch(\"pkg.api.requests.get\")`", "the patch target names what the code calls now", ("test_patches", "test-patches-migrated-code")),
    ("Async", "blocking calls inside `async def`", "`httpx.AsyncClient` with `await` (`--async`)", ("async_calls", "blocking-call-in-async")),
    ("httpx2", "certifi's CA bundle (httpx 0.28 too)", "the system's trust store", ("to_httpx2", "httpx2-trust-store")),
    ("httpx2", "respx intercepts httpx", "respx intercepts httpx2 through pytest-httpx2's `httpcore2` mocker", ("to_httpx2", "httpx2-respx-side-effect")),
)


def check(codemod_names: set[str], codes: set[str]) -> None:
    """Every name a row gives is a codemod or a report code (raises ValueError otherwise)."""
    unknown = sorted({name for *_, names in ROWS for name in names} - codemod_names - codes)
    if unknown:
        raise ValueError(f"docs/differences.md names what does not exist: {', '.join(unknown)}")


def page(codemod_names: set[str], codes: set[str]) -> str:
    check(codemod_names, codes)
    link = lambda name: f"[`{name}`](codemods/{name}.md)" if name in codemod_names else f"[`{name}`](codes/{name}.md)"  # noqa: E731
    out = [
        "# What differs between requests and httpx, and what the tool does about it",
        "",
        "Each row is a behaviour difference between requests 2.x and httpx 0.28 (httpx2 keeps httpx's; "
        "the last rows are its own), checked by running both libraries. *Handled by* names the codemods "
        "that rewrite it exactly and the report codes that name the lines a person must look at. "
        "Generated from `migrator/output/differences.py`.",
    ]
    area = None
    for row_area, requests_text, httpx_text, names in ROWS:
        if row_area != area:
            area = row_area
            title = {"Silent": "Silent: nothing raises, the behaviour changes", "Errors": "Errors instead of behaviour",
                     "Lifetime": "Clients, timeouts, redirects, TLS"}.get(area, area)
            out += ["", f"## {title}", "", "| requests | httpx | handled by |", "|---|---|---|"]
        out.append(f"| {requests_text} | {httpx_text} | {', '.join(map(link, names))} |")
    out.append("")
    return "\n".join(out)
