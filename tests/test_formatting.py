"""black on touched lines: given only the statements that hold them, it must format as on the whole file."""

from pathlib import Path

import pytest

from migrator.engine.formatting import format_touched
from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source
from tests.fixture_cases import cases, case_id, options

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_pieces_format_as_the_whole_file_does(case):
    before = (case / "before.py").read_text()
    unformatted = migrate_source(before, "x.py", Options(**{**options(case).__dict__, "format": False})).code
    if unformatted == before:
        pytest.skip("nothing changed")
    assert format_touched(before, unformatted, "    ") == format_touched(before, unformatted, "    ", pieces=False)


def test_line_length_counts_the_indentation():
    before = "class A:\n    def f(self):\n        if x:\n            return old_name_that_is_long(argument_one, argument_two, argument_three_xy)\n"
    after = before.replace("old_name_that_is_long", "new_name_that_is_longer")
    assert len(after.splitlines()[3]) > 88 and len(after.splitlines()[3].strip()) < 88
    out = format_touched(before, after, "    ")
    assert out == format_touched(before, after, "    ", pieces=False)
    assert all(len(line) <= 88 for line in out.splitlines())
    assert out.splitlines()[3] == "            return new_name_that_is_longer("


def test_untouched_lines_keep_their_formatting():
    before = "x = [1,2]\n\ndef f():\n    y = {'a':1}\n    return old( y )\n\nz = ( 3 )\n"
    after = before.replace("old( y )", "new( y )")
    out = format_touched(before, after, "    ")
    assert out == "x = [1,2]\n\ndef f():\n    y = {'a':1}\n    return new(y)\n\nz = ( 3 )\n"


def test_only_a_compound_header_touched_leaves_its_body():
    before = "def f():\n    with old.Session() as s:\n        a = s.get( 'x' )\n        return a\n"
    after = before.replace("old.Session()", "new.Client( )")
    out = format_touched(before, after, "    ")
    assert out == "def f():\n    with new.Client() as s:\n        a = s.get( 'x' )\n        return a\n"


def test_decorated_and_crlf():
    before = "class A:\r\n    @deco( 1 )\r\n    def f(self):\r\n        return old( 1 )\r\n"
    after = before.replace("old( 1 )", "new( 1 )").replace("deco( 1 )", "deco2( 1 )")
    out = format_touched(before, after, "    ")
    assert out == "class A:\r\n    @deco2(1)\r\n    def f(self):\r\n        return new(1)\r\n"


def test_a_touched_line_between_statements_falls_back_to_the_whole_file():
    before = "import a\n\nx = a.b( 1 )\n"
    after = "import a\n# added\nx = a.c( 1 )\n"
    assert format_touched(before, after, "    ") == "import a\n# added\nx = a.c(1)\n"


def test_black_sees_only_the_touched_statements(monkeypatch):
    import black

    seen = []
    real = black.format_str

    def spy(src, **kwargs):
        seen.append(src)
        return real(src, **kwargs)

    monkeypatch.setattr(black, "format_str", spy)
    before = (
        "def one():\n    return 1\n\n\n"
        "def two(s):\n    with old.Session() as c:\n        c.get( 'a' )\n        c.get('b')\n    return 2\n\n\n"
        "def three():\n    return 3\n"
    )
    after = before.replace("old.Session()", "new.Client()").replace("c.get( 'a' )", "c.fetch( 'a' )")
    out = format_touched(before, after, "    ")
    assert 'c.fetch("a")' in out and "c.get('b')" in out
    assert seen and not any("one" in s or "three" in s or "get('b')" in s for s in seen)


def test_a_function_inserted_with_its_blank_lines_is_formatted_alone(monkeypatch):
    """The helpers the tool writes come with two blank lines on each side: black keeps those, so
    they do not send the whole file to black (they once made every such file 6x slower). One blank
    line at the top level may be too few (around a def): that still goes to black."""
    import black

    seen = []
    real = black.format_str

    def spy(src, **kwargs):
        seen.append(src)
        return real(src, **kwargs)

    monkeypatch.setattr(black, "format_str", spy)
    before = "import os\n\n\ndef untouched( ):\n    return os.sep\n"
    after = "import os\n\n\ndef helper(x):\n    return x\n\n\ndef untouched( ):\n    return os.sep\n"
    assert format_touched(before, after, "    ") == after
    assert seen and not any("untouched" in s for s in seen)
    seen.clear()
    crowded = "import os\n\n\ndef helper(x):\n    return x\n\ndef untouched( ):\n    return os.sep\n"
    assert format_touched(before, crowded, "    ") is not None
    assert any("untouched" in s for s in seen)  # the whole file: black decides that blank line


def test_no_blank_line_is_added_before_a_touched_statement():
    """Whole-file black would put one between a class header and a touched method; the
    blank lines around a touched statement are not touched lines, so the file's stay."""
    before = "class A(Base):\n    def __call__(self, r: Old) -> Old:\n        return r\n"
    after = before.replace("Old", "New")
    assert format_touched(before, after, "    ") == after


@pytest.mark.parametrize("body", [
    # a string over lines: its lines are not the statement's to move
    '        x = old( """\ntext at column 0\n    indented text\n""" )\n',
    '        x = old( """\n        text\n        """, 1 )\n',
    '        x = old( """\nabcdefghijkl\n        """ )\n',  # sliced at column 8, this would still parse
    "        x = old( 1, \\\n    2 )\n",  # a backslash continuation
    "        x = old( [1,\n\n          2] )\n",  # a blank line inside brackets
    '        """old( a docstring? )"""\n',
    "        x = old( {'k':1}, [1,2,3], another_argument_name, yet_another_argument_name_that_is_long )\n",
])
def test_nested_statements_format_as_in_the_whole_file(body):
    before = f"class A:\n    def f(self):\n{body}        return x\n"
    after = before.replace("old(", "new(")
    out = format_touched(before, after, "    ")
    assert out == format_touched(before, after, "    ", pieces=False)
    assert out is not None and "new(" in out


def test_an_unknown_black_gets_every_piece(monkeypatch):
    import migrator.engine.formatting as formatting

    before = "def f():\n    return old(url, timeout=5)\n"
    after = before.replace("old(", "new(")
    calls = []
    import black

    real = black.format_str
    monkeypatch.setattr(black, "format_str", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert format_touched(before, after, "    ") == after
    assert calls == []  # a plain line: black was not asked
    monkeypatch.setattr(formatting, "_black_is_known", lambda: False)
    assert format_touched(before, after, "    ") == after
    assert calls == [1]


@pytest.mark.parametrize("source", [
    "import a\n\nX = 1\n", "import a\n\n\nX = 1\n", "X = 0\n\nY = 1\n", "X = 0\n\n\nY = 1\n",
    "import a\n\ndef f():\n    pass\n", "import a\n\n\ndef f():\n    pass\n", "def f():\n    pass\n\nX = 1\n",
    "def f():\n    pass\n\n\nX = 1\n", '"""doc"""\n\nX = 1\n', '"""doc"""\n\n\nX = 1\n', "import a\n\nimport b\n",
    "import a\n\n\nimport b\n", "if a:\n    b = 1\n\nX = 1\n", "if a:\n    b = 1\n\n\nX = 1\n",
    "try:\n    import a\nexcept ImportError:\n    a = None\n\nX = 1\n", "X = 1\n\n@d\ndef f():\n    pass\n",
    "X = 1\n\n\n@d\ndef f():\n    pass\n", "def f():\n    a = 1\n\n    return a\n",
])
def test_blank_lines_judged_kept_are_kept_by_black(source):
    """The blank lines a formatted piece does not cover: where the tool says black keeps them,
    black on the whole file does (else the file goes to black whole)."""
    import ast

    import black

    from migrator.engine.formatting import _blank_black_keeps, _mode

    lines = source.splitlines(keepends=True)
    kept = all(_blank_black_keeps(ast.parse(source), lines, n) for n, line in enumerate(lines, 1) if not line.strip())
    assert kept == (black.format_str(source, mode=_mode()) == source), source


def test_the_helpers_the_tool_writes_are_black_formatted_and_not_sent_to_black(monkeypatch):
    import black

    from codemods._helpers import ORDER, TEXTS
    from migrator.engine.formatting import _mode

    for helper in ORDER:
        module = "import codecs\nimport urllib.parse\n\nimport httpx\n\n\n" + TEXTS[helper.name]
        assert black.format_str(module, mode=_mode()) == module, helper.name
    seen = []
    real = black.format_str
    monkeypatch.setattr(black, "format_str", lambda src, **kwargs: seen.append(src) or real(src, **kwargs))
    before = "import requests\n\n\ndef fetch(url):\n    return requests.get(url).text\n"
    out = migrate_source(before, "x.py", Options()).code
    assert "def _requests_text(response):" in out and "return _requests_text(" in out
    assert not any("def _requests_text" in s or "def _requests_encoding" in s for s in seen)
