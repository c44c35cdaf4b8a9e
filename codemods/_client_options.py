"""Converting requests' session settings into httpx constructor arguments.

Used by ``client_configuration`` (settings hoisted into ``httpx.Client(...)``) and by
``transports`` (``HTTPAdapter``/``Retry`` → ``httpx.HTTPTransport``).  Each converter takes
*original* expressions and returns new nodes, or raises :class:`NotExact` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from codemods.base import find_kwarg, kwarg, literal_text
from migrator.engine.findings import Code


class NotExact(Exception):
    """The setting has no exact httpx spelling the tool can write; the message says why."""


RETRIES_NARROWER = Code(
    "retries-narrower",
    "warning",
    "httpx retries failed connections only: part of this retry policy is lost",
    "``httpx.HTTPTransport(retries=n)`` retries a request whose connection could not be "
    "established. urllib3's ``Retry`` (behind requests' ``max_retries``) also retries on the "
    "statuses in ``status_forcelist``, after read errors, with ``backoff_factor`` sleeps, for the "
    "``allowed_methods``; those are gone after the migration.",
    "Run the tool with ``--retries httpx-retries`` to get an ``httpx_retries.RetryTransport`` that "
    "keeps them, or accept connect-only retries. The migration writes what was lost above the "
    "client (``# requests2httpx: note[retries-narrower] lost: ...``) and later runs report it "
    "again: delete the note once the policy is settled.",
)
POOL_SETTINGS = Code(
    "pool-settings",
    "info",
    "Connection-pool settings map only approximately to httpx.Limits",
    "requests keeps ``pool_connections`` per-host pools of ``pool_maxsize`` connections; httpx "
    "has one pool with ``max_keepalive_connections`` and ``max_connections`` across all hosts. "
    "``pool_maxsize`` becomes ``max_keepalive_connections``; the per-host split is gone.",
    "Check the limits if the client talks to many hosts at once.",
)
ENV_PROXIES = Code(
    "transport-env-proxies",
    "warning",
    "A custom transport does not use HTTP_PROXY/HTTPS_PROXY from the environment",
    "requests applies environment proxies to every adapter. An httpx client given ``transport=`` "
    "ignores them, and ``mounts=`` replaces them for the schemes it names.",
    "If the program runs behind a proxy set in the environment, pass ``proxy=`` to the "
    "``HTTPTransport`` explicitly.",
)

PROXIES_ENV = Code(
    "session-proxies-environment",
    "warning",
    "requests let HTTP_PROXY/HTTPS_PROXY/ALL_PROXY override a session's proxies; httpx does not",
    "requests merges the environment's proxies into each request before the session's own, so "
    "where HTTP_PROXY (or HTTPS_PROXY, ALL_PROXY) is set, its proxy wins over ``session.proxies`` "
    "for that scheme (requests' documented precedence). The migrated client's ``proxy=``/``mounts=`` "
    "win over the environment. Programs run with no proxy variables behave the same.",
    "If the program may run with proxy variables set, decide which proxy it should use, and drop "
    "``proxy=``/``mounts=`` (or pass ``trust_env=False``) accordingly.",
)

_LOST_RETRY_OPTIONS = ("read", "status", "other", "status_forcelist", "backoff_factor",
                       "allowed_methods", "method_whitelist", "respect_retry_after_header")
_SCHEMES = {"http": "http://", "https": "https://", "all": "all://"}


def _none() -> cst.Name:
    return cst.Name("None")


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_off(node: cst.BaseExpression) -> bool:
    """``False`` or ``0``: that kind of retry is disabled."""
    return (isinstance(node, cst.Name) and node.value == "False") or (isinstance(node, cst.Integer) and node.evaluated_value == 0)


@dataclass
class TransportSpec:
    """Keyword arguments of one ``httpx.HTTPTransport(...)``, and an optional httpx-retries policy."""

    kwargs: dict[str, cst.BaseExpression] = field(default_factory=dict)
    retry_policy: list[cst.Arg] | None = None  # httpx_retries.Retry(...) arguments
    expr: cst.BaseExpression | None = None  # a ready-made transport (a mock), used as it is
    notes: list[str] = field(default_factory=list)  # what it keeps less of: noted above the client

    def key(self, module: cst.Module) -> str:
        if self.expr is not None:
            return module.code_for_node(self.expr)
        code = {k: module.code_for_node(v) for k, v in self.kwargs.items()}
        policy = [module.code_for_node(a) for a in self.retry_policy or ()]
        return repr((sorted(code.items()), policy))


def retries_from(ctx, node: cst.BaseExpression, spec: TransportSpec, where: cst.CSTNode, use_httpx_retries: bool) -> None:
    """``max_retries=`` of an HTTPAdapter: an int, or ``Retry(...)``/``urllib3.Retry(...)``."""
    if isinstance(node, cst.Integer):
        # requests builds Retry(n, read=False): connect failures only, which is httpx's retries=n
        if node.evaluated_value > 0:
            spec.kwargs["retries"] = node
        return
    if not (isinstance(node, cst.Call) and ctx.resolve(node.func) == "urllib3.Retry"):
        raise NotExact("max_retries is neither an int nor a Retry(...) call")
    args = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    positional = [a for a in node.args if a.keyword is None]
    if len(positional) > 1 or any(a.star for a in node.args):
        raise NotExact("Retry(...) arguments could not be read")
    if positional:
        args["total"] = positional[0].value
    connect = args.get("connect")
    if connect is None or _is_none(connect):
        connect = args.get("total")  # urllib3: connect=None falls back to total
    # redirect retries never apply (requests follows redirects itself); the rest httpx cannot do;
    # read=False / read=0 / status=0 lose nothing
    lost = sorted(k for k in args if k in _LOST_RETRY_OPTIONS and not _is_off(args[k]))
    if "total" in args and "read" not in args:
        lost.append("read retries (Retry(total=n) also retries read errors)")
    if use_httpx_retries:
        keep = ("total", "backoff_factor", "status_forcelist", "allowed_methods", "respect_retry_after_header")
        unknown = [k for k in args if k not in keep and k not in ("connect", "read", "status", "redirect", "raise_on_status")]
        if unknown:
            raise NotExact(f"Retry({unknown[0]}=...) has no httpx-retries equivalent")
        spec.retry_policy = [kwarg(k, v) for k, v in args.items() if k in keep]
        raise_on_status = args.get("raise_on_status")
        if "status_forcelist" in args and not (isinstance(raise_on_status, cst.Name) and raise_on_status.value == "False"):
            ctx.report(RETRIES_NARROWER, where, "after the last status retry urllib3 raised RetryError; httpx-retries returns the response")
            spec.notes.append("no RetryError after the last status retry")
        return
    if connect is not None and not _is_none(connect):
        if not isinstance(connect, cst.Integer) and not _is_off(connect):
            # a computed count may be None (unlimited) or False (off) at run time: not exact
            raise NotExact("the number of connect retries is not a literal")
        if isinstance(connect, cst.Integer) and connect.evaluated_value > 0:
            spec.kwargs["retries"] = connect
    if lost:
        ctx.report(RETRIES_NARROWER, where, f"httpx keeps only connect retries; lost: {', '.join(lost)}")
        spec.notes.append("lost: " + ", ".join(k.split(" ")[0] for k in lost))


# A warning whose cause leaves the code with the rewrite (the retry options httpx has no place
# for) is written above the client as a note, so that a later run, --check and lint find it
# again; a person deletes the note once the policy is settled.
NOTE_RE = re.compile(r"#\s*requests2httpx:\s*note\[([a-z0-9-]+)\]\s*(.*?)\s*$")
NOTED = {RETRIES_NARROWER.code: RETRIES_NARROWER}


def note_line(code: Code, text: str) -> cst.EmptyLine:
    return cst.EmptyLine(comment=cst.Comment(f"# requests2httpx: note[{code.code}] {text}"))


def transport_from_adapter(ctx, call: cst.Call, where: cst.CSTNode, use_httpx_retries: bool) -> TransportSpec:
    """``HTTPAdapter(max_retries=..., pool_connections=..., pool_maxsize=..., pool_block=...)``."""
    if any(a.keyword is None or a.star for a in call.args):
        raise NotExact("HTTPAdapter(...) takes positional or unpacked arguments here")
    spec = TransportSpec()
    args = {a.keyword.value: a.value for a in call.args}  # type: ignore[union-attr]
    unknown = set(args) - {"max_retries", "pool_connections", "pool_maxsize", "pool_block"}
    if unknown:
        raise NotExact(f"HTTPAdapter({sorted(unknown)[0]}=...) has no httpx equivalent")
    if "max_retries" in args:
        retries_from(ctx, args["max_retries"], spec, where, use_httpx_retries)
    if "pool_block" in args and not (isinstance(args["pool_block"], cst.Name) and args["pool_block"].value == "False"):
        raise NotExact("pool_block=True blocks per host in requests; httpx limits are global")
    if "pool_maxsize" in args or "pool_connections" in args:
        maxsize = args.get("pool_maxsize", cst.Integer("10"))
        spec.kwargs["limits"] = cst.Call(
            func=ctx.httpx("Limits"),
            args=[_arg("max_connections", _none()), _arg("max_keepalive_connections", maxsize, last=True)],
        )
        ctx.report(POOL_SETTINGS, where, "pool_maxsize becomes max_keepalive_connections; per-host pools are gone")
    return spec


def proxies_from(node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
    """``{"http": P, "https": P2}`` → ``{"http://": P, "https://": P2}`` (mount patterns)."""
    if not isinstance(node, cst.Dict):
        raise NotExact("proxies is not a dict literal")
    out: dict[str, cst.BaseExpression] = {}
    for el in node.elements:
        key = literal_text(el.key) if isinstance(el, cst.DictElement) else None
        if key is None:
            raise NotExact("a proxies key is not a string literal")
        if key == "no_proxy":
            raise NotExact("proxies['no_proxy'] has no httpx client equivalent")
        pattern = _SCHEMES.get(key, key if "://" in key else None)
        if pattern is None:
            raise NotExact(f"proxies key {key!r} is not a scheme")
        out[pattern] = el.value
    return out


def mount_prefix(node: cst.BaseExpression, any_scheme: bool = False) -> str:
    prefix = literal_text(node)
    if prefix is None:
        raise NotExact("the mount prefix is not a string literal")
    scheme, sep, rest = prefix.partition("://")
    if not sep or (scheme not in ("http", "https") and not any_scheme) or "/" in rest.rstrip("/"):
        raise NotExact(f"mount prefix {prefix!r} is not a scheme or scheme://host (httpx mounts match no paths)")
    return prefix if not rest else f"{scheme}://{rest.rstrip('/')}"


def tls_verify(ctx, node: cst.BaseExpression) -> cst.BaseExpression:
    """``verify=`` value: a bool stays; a CA bundle path becomes an SSL context."""
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node
    path = literal_text(node)
    if path is None:
        raise NotExact("verify is neither a bool nor a string literal (a CA file or folder)")
    key = "capath" if path.endswith(("/", "\\")) else "cafile"
    return cst.Call(func=ctx.stdlib("ssl", "create_default_context"), args=[_arg(key, node, last=True)])


def _arg(name: str, value: cst.BaseExpression, last: bool = False) -> cst.Arg:
    arg = kwarg(name, value)
    return arg if last else arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))


def call_with_kwargs(func: cst.BaseExpression, kwargs: dict[str, cst.BaseExpression] | list[cst.Arg]) -> cst.Call:
    args = [kwarg(k, v) for k, v in kwargs.items()] if isinstance(kwargs, dict) else list(kwargs)
    fixed = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
    return cst.Call(func=func, args=[*fixed, *([args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)] if args else [])])


__all__ = [
    "ENV_PROXIES",
    "NOTED",
    "NOTE_RE",
    "POOL_SETTINGS",
    "RETRIES_NARROWER",
    "NotExact",
    "TransportSpec",
    "call_with_kwargs",
    "find_kwarg",
    "mount_prefix",
    "note_line",
    "proxies_from",
    "retries_from",
    "tls_verify",
    "transport_from_adapter",
]
