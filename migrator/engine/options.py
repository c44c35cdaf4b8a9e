"""What a run was asked to do, after config file and command line are merged."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Options:
    # ``None``: write requests' own behaviour, ``timeout=None``. A number: that many seconds.
    timeout: float | None = None
    format: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # "httpx" (connect retries, what httpx itself can do) or "httpx-retries" (the package)
    retries: str = "httpx"
    # --async: requests calls directly inside coroutines become awaits on an AsyncClient
    async_calls: bool = False
    # test mocks (responses -> respx): None decides by path (tests/, test_*.py)
    tests: bool | None = None
    mock_library: str = "respx"  # or "pytest-httpx"
    # the library the code moves to: "httpx" (0.28) or "httpx2", its maintained successor
    target: str = "httpx"
    # the library whose code moves: "requests", or "httpx" (code already on httpx, to httpx2)
    source: str = "requests"
    # do not descend into statements no codemod can act on (off only to check that it changes nothing)
    skip_unrelated: bool = True
    # requests code stays elsewhere in the file's package (set by the runner, not by users): an
    # except clause migrated here catches requests' errors too, since code it calls may raise them
    requests_stays: bool = False

    def timeout_node(self):
        """The timeout as a LibCST expression (built, not parsed: this runs for every call)."""
        import libcst as cst

        text = self.timeout_source()
        if text == "None":
            return cst.Name("None")
        return cst.Integer(text) if "." not in text and "e" not in text else cst.Float(text)

    def timeout_source(self) -> str:
        """The timeout as Python source, for codemods that write it out."""
        if self.timeout is None:
            return "None"
        value = self.timeout
        return repr(int(value)) if float(value).is_integer() else repr(value)
