"""``already_black`` may say "unchanged" only where black itself gives the line back unchanged.

The full check (every distinct line of the standard library and site-packages, ~720,000 lines
answered "unchanged", no disagreement with black 24.1, 25.1 or 26.10) is ``python bench/already_black_check.py``;
here: every line of the fixtures and of some standard-library packages, and a line for each
rule, which black must change and ``already_black`` must refuse.
"""

import sysconfig
from pathlib import Path

import black
import pytest

from migrator.engine.already_black import already_black
from migrator.engine.formatting import _black_is_known, _mode

# Checked against black 24-26 only; with a later major version (a new yearly style) the
# formatter does not use already_black, and these comparisons would test nothing in use.
pytestmark = pytest.mark.skipif(
    not _black_is_known(),
    reason=f"black {black.__version__}: already_black is not used; check it with bench/already_black_check.py, then widen _black_is_known",
)

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def black_gives_back(line: str, column: int = 0) -> bool:
    source = line + ("    pass\n" if line.rstrip().endswith(":") else "")
    if line.startswith("except"):
        source = "try:\n    pass\n" + source
    return black.format_str(source, mode=_mode(88 - column)) == source


def candidate_lines(paths):
    """(line at column 0, its column) for every distinct indented-by-spaces line."""
    seen = set()
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines(keepends=True):
            stripped = raw.lstrip(" ")
            column = len(raw) - len(stripped)
            if column % 4 == 0 and stripped.strip() and raw.endswith("\n") and (stripped, column) not in seen:
                seen.add((stripped, column))
                yield stripped, column


def test_agrees_with_black_on_real_lines():
    paths = sorted(ROOT.glob("fixtures/**/*.py"))
    for package in ("json", "http", "email", "urllib", "logging", "asyncio"):
        paths += sorted((STDLIB / package).glob("*.py"))
    said_unchanged = 0
    for line, column in candidate_lines(paths):
        if already_black(line, 88 - column):
            said_unchanged += 1
            try:
                unchanged = black_gives_back(line, column)
            except Exception:  # not a statement on its own (``elif x:``): black cannot tell
                continue
            assert unchanged, (line, column)
    assert said_unchanged > 5000  # the test compared something


@pytest.mark.parametrize(
    "line",
    [
        "x = (1)\n",  # parentheses black removes
        "return (x)\n",
        "for (x) in y:\n",
        "f(a,)\n",  # a magic trailing comma
        "x = 1,\n",  # a tuple black parenthesises
        "x, = y\n",
        "for x, in y:\n",
        "a = 1,  # type: A\n",
        "s = 'a'\n",  # quotes
        's = "it\\\'s"\n',
        "x = u\"a\"\n",  # string prefixes
        'x = br"a"\n',
        'x = fr"{a}"\n',
        'x = "\\x0A"\n',  # escapes black rewrites
        "y = x ** 2\n",  # power operands
        "print(* a)\n",
        "x=1\n",
        "f(a = 1)\n",
        "x = f (a)\n",
        "x = {'a' : 1}\n",
        'x = {"a" : 1}\n',
        "x = [1,2]\n",
        "x = a[1 :2]\n",
        "if x: pass\n",  # one-line compound statements
        "with a as b: pass\n",
        "a = 1;\n",
        "x = 3e+14\n",  # numbers
        "x = 0XFF\n",
        "x = 5.\n",
        "x = .5\n",
        "x = 1J\n",
        "x = a  #c\n",  # comments
        "x = a # c\n",
        "x = a  # type:ignore\n",
        "x = a   # c\n",
        "x = [  1]\n",
        "x = f(a) (b)\n",
        "x = - 1\n",
        "x = not(a)\n",
        "x = a if(b) else c\n",
        "response = httpx.get(url, params={'q': query}, follow_redirects=True, timeout=None).json()\n",  # too long
    ],
)
def test_refuses_what_black_changes(line):
    assert not black_gives_back(line)
    assert not already_black(line)


@pytest.mark.parametrize(
    "line",
    [
        "response = httpx.get(url, timeout=5.0)\n",
        "with httpx.Client(follow_redirects=True) as client:\n",
        "async with httpx.AsyncClient() as client:\n",
        "for chunk in response.iter_bytes(chunk_size=1024):\n",
        "except httpx.HTTPError as exc:\n",
        "return client.post(url, json={\"a\": [1, -2]}, headers=headers).json()[\"items\"]\n",
        "x = f(a=-1, *b, **c)  # a comment\n",
        "assert r.status_code == 200, r.text\n",
        "x = a if b else not c\n",
        "data = [*a, *b]\n",
    ],
)
def test_says_unchanged_for_plain_lines(line):
    assert black_gives_back(line)
    assert already_black(line)


def test_the_line_length_counts_the_indentation():
    line = "response = client.get(url, params=params, headers=headers, timeout=50).json()[0]\n"
    assert len(line) - 1 == 80
    assert already_black(line, 88 - 8)
    assert not already_black(line, 88 - 12)
