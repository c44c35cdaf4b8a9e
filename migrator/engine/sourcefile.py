"""Reading and writing source files without changing what must survive.

Encoding (PEP 263 cookie), BOM and line endings are detected on read and restored
on write; writes go to a temporary file in the same folder that is then renamed
over the original, keeping its mode, so a reader never sees half a file.
"""

from __future__ import annotations

import dataclasses
import io
import os
import stat
import tempfile
import tokenize


@dataclasses.dataclass(frozen=True)
class SourceText:
    text: str  # decoded, BOM stripped; newlines turned into "\n" when the file used one kind
    encoding: str
    bom: bool
    newline: str | None  # the file's one kind of newline, or None when mixed (text left as is)

    def encode(self, text: str) -> bytes:
        if self.newline not in (None, "\n"):
            text = text.replace("\n", self.newline)
        data = text.encode(self.encoding)
        return (b"\xef\xbb\xbf" + data) if self.bom else data


def decode(data: bytes) -> SourceText:
    """Raises SyntaxError (bad cookie) or UnicodeDecodeError: the file is then left alone."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = encoding == "utf-8-sig"
    if bom:
        encoding = "utf-8"
        data = data[3:]
    text = data.decode(encoding)
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [nl for nl, n in (("\r\n", crlf), ("\r", cr), ("\n", lf)) if n]
    if len(kinds) > 1:
        return SourceText(text, encoding, bom, None)
    newline = kinds[0] if kinds else "\n"
    if newline != "\n":
        text = text.replace(newline, "\n")
    return SourceText(text, encoding, bom, newline)


def atomic_write(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".requests2httpx-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
