"""Would black leave this one line as it is? Answered without black, for plain lines only.

black costs about 0.3 ms per statement, more than LibCST's parse of it, and most lines a
codemod touches come out of black unchanged (``httpx.get(url, timeout=5)`` for
``requests.get(url, timeout=5)``). This module answers "unchanged" for a single-line simple
statement, or a compound statement's header alone, whose tokens are spaced exactly as black
spaces them and which holds nothing black might rewrite otherwise. Anything else — a line too
long, a parenthesised atom black may drop, a magic trailing comma, a slice, ``**``, a lambda,
a string black would requote, an unusual number — answers "ask black". A wrong "unchanged"
would leave a touched line unformatted (never a behaviour change); tests compare the answer
with black's own on thousands of real lines.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
# spaced on both sides by black, wherever they appear (as binary operators)
_BINARY = frozenset(
    "+ - * / // % | & ^ << >> < > == != <= >= += -= *= /= //= %= |= &= ^= <<= >>= **= @=".split()
)
_UNARY = frozenset("- + ~".split())
_VALUES = frozenset(("None", "True", "False"))
_NUMBER = re.compile(r"(?:0|[1-9][0-9_]*)(?:\.[0-9][0-9_]*)?(?:e-?[0-9]+)?j?\Z")
_STRING = re.compile(r'(?:[fbr]|rb|rf)?"(?!"")[^\n]*"\Z')
_ESCAPES = re.compile(r"\\[xuUN'\"]")  # black rewrites hex digits, names and quotes in these
_COMMENT = re.compile(r"# \S(?:.*\S)?\Z")


def already_black(line: str, line_length: int = 88) -> bool:
    """True when black, given ``line`` (one statement or header, at column 0, ending in a
    newline) with this line length, would give it back unchanged."""
    if not line.endswith("\n") or len(line) - 1 > line_length or not line.isascii():
        return False
    if "\r" in line or "\t" in line or "\x0c" in line:
        return False
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(line).readline) if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False
    if not tokens or tokens[0].start != (1, 0):
        return False
    rendered = _render(tokens)
    return rendered is not None and rendered == line[:-1]


def _render(tokens: list[tokenize.TokenInfo]) -> str | None:
    """The line as black would space these tokens, or None where this module cannot tell."""
    out: list[str] = []
    stack: list[str] = []  # open brackets
    prev: tokenize.TokenInfo | None = None
    prev_unary = False  # the previous token was a unary operator or a star
    last = None  # the last token that is not a comment
    header_end = False  # the last was a colon outside brackets
    for tok in tokens:
        kind, text = tok.type, tok.string
        unary = False
        if kind == tokenize.COMMENT:
            if prev is None or not _COMMENT.match(text) or "fmt:" in text or "yapf:" in text or "type:" in text and not text.startswith("# type: "):
                return None
            out.append("  " + text)
            prev = tok
            continue
        if prev is not None and prev.type == tokenize.COMMENT:
            return None
        if header_end:
            return None  # ``if x: y`` (black splits it), or an annotation: left to black
        if prev is None and kind == tokenize.STRING:
            return None  # a bare string: black may take it for a docstring
        if prev is not None and prev.string == "," and not _starts_operand(tok):
            return None  # ``for x, in y``, a trailing comma before ``=``: black may add parentheses
        if kind == tokenize.NAME:
            if text in ("lambda", "def", "class") or prev is not None and prev.type == tokenize.NUMBER:
                return None
            sep = _before_operand(prev, prev_unary, stack)
        elif kind == tokenize.NUMBER:
            if not _NUMBER.match(text):
                return None
            sep = _before_operand(prev, prev_unary, stack)
        elif kind == tokenize.STRING:
            if not _STRING.match(text) or _ESCAPES.search(text):
                return None
            sep = _before_operand(prev, prev_unary, stack)
        elif kind == tokenize.OP:
            sep, unary = _operator(text, prev, prev_unary, stack)
            if sep is None:
                return None
        else:  # error tokens, f-string parts (Python 3.12+), indentation
            return None
        if prev is None:
            sep = ""
        header_end = kind == tokenize.OP and text == ":" and not stack
        out.append(sep + text)
        prev = last = tok
        prev_unary = unary
    if stack or last is not None and last.string == ",":
        return None  # unbalanced, or a tuple with a trailing comma (black parenthesises it)
    return "".join(out)


def _is_keyword(tok: tokenize.TokenInfo | None) -> bool:
    return tok is not None and tok.type == tokenize.NAME and keyword.iskeyword(tok.string) and tok.string not in _VALUES


def _starts_operand(tok: tokenize.TokenInfo) -> bool:
    if tok.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    if tok.type == tokenize.NAME:
        return not _is_keyword(tok) or tok.string in ("not", "await")
    return tok.string in ("(", "[", "{", "*", "**", "-", "+", "~")


def _ends_operand(tok: tokenize.TokenInfo | None) -> bool:
    """Does ``tok`` end an operand (so that a following ``(``/``[`` is a call or subscript,
    and a following ``-`` is binary)?"""
    if tok is None:
        return False
    if tok.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    if tok.type == tokenize.NAME:
        return not _is_keyword(tok)
    return tok.string in _CLOSE


def _before_operand(prev: tokenize.TokenInfo | None, prev_unary: bool, stack: list[str]) -> str:
    """The space before a name, number, string or opening bracket of a display."""
    if prev is None or prev_unary or prev.string in _OPEN or prev.string == ".":
        return ""
    if prev.string == "=" and stack and stack[-1] == "(":
        return ""  # keyword argument
    return " "


def _operator(text: str, prev: tokenize.TokenInfo | None, prev_unary: bool, stack: list[str]) -> tuple[str | None, bool]:
    """(space before ``text``, whether it is a unary operator); (None, _) for "ask black"."""
    if text in _OPEN:
        if text in "([" and _ends_operand(prev):
            if prev is not None and prev.type in (tokenize.STRING, tokenize.NUMBER):
                return None, False
            stack.append(text)
            return "", False  # a call or a subscript
        if text == "(":
            return None, False  # a parenthesised atom: black may remove the parentheses
        sep = _before_operand(prev, prev_unary, stack)
        stack.append(text)
        return sep, False
    if text in _CLOSE:
        if not stack or _OPEN[stack.pop()] != text or prev is not None and prev.string == ",":
            return None, False  # unbalanced, or a magic trailing comma
        return "", False
    if text == ",":
        return ("", False) if _ends_operand(prev) else (None, False)
    if text == ".":
        return ("", False) if _ends_operand(prev) and prev is not None and prev.type != tokenize.NUMBER else (None, False)
    if text == ":":
        if stack and stack[-1] != "{":
            return None, False  # a slice (or a lambda): black's spacing depends on the operands
        return ("", False) if _ends_operand(prev) or prev is not None and prev.type == tokenize.NAME else (None, False)
    if text == "=":
        if not _ends_operand(prev):
            return None, False
        if not stack:
            return " ", False
        return ("", False) if stack[-1] == "(" else (None, False)
    if text in ("*", "**") and not _ends_operand(prev):
        # unpacking: only where it cannot be ``except*`` or a keyword-only marker
        if prev is not None and (prev.string in ("(", "[", "{", ",") or prev.string == "=" and not stack):
            return _before_operand(prev, prev_unary, stack), True
        return None, False
    if text in _UNARY and not _ends_operand(prev):
        if prev is not None and prev.type == tokenize.OP and prev.string not in ("(", "[", "{", ",", "=") and prev.string not in _BINARY:
            return None, False
        return _before_operand(prev, prev_unary, stack), True
    if text in _BINARY and text != "**" and _ends_operand(prev):
        return " ", False
    return None, False  # ``**``, ``@``, ``->``, ``:=``, ``...``, ``;`` and anything unforeseen
