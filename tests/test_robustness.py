"""Never break a file: encodings, BOM, line endings, indentation, syntax errors, modes, atomicity."""

from __future__ import annotations

import ast
import dataclasses
import os
import stat
import sys

import pytest

from migrator.engine import pipeline
from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_bytes, migrate_file, migrate_source

SIMPLE = "import requests\n\n\ndef f(url):\n    return requests.get(url).status_code\n"


def test_crlf_line_endings_survive():
    result = migrate_bytes(SIMPLE.replace("\n", "\r\n").encode(), "x.py", Options())
    assert result.changed
    text = result.new.decode()
    assert "httpx.get(" in text
    assert text.count("\r\n") == text.count("\n")  # every newline is still CRLF


def test_utf8_bom_survives():
    data = b"\xef\xbb\xbf" + "# café\n".encode() + SIMPLE.encode()
    result = migrate_bytes(data, "x.py", Options())
    assert result.new.startswith(b"\xef\xbb\xbf# caf\xc3\xa9\n")
    assert b"httpx.get(" in result.new


def test_latin1_coding_cookie_survives():
    source = "# -*- coding: latin-1 -*-\n" + SIMPLE + 'GREETING = "olá, señor"\n'
    result = migrate_bytes(source.encode("latin-1"), "x.py", Options())
    assert result.changed
    assert 'GREETING = "olá, señor"'.encode("latin-1") in result.new
    assert result.new.decode("latin-1").startswith("# -*- coding: latin-1 -*-\n")


def test_tab_indentation_survives_and_formatting_is_skipped():
    source = (
        "import requests\n\n\ndef f(url):\n\ts = requests.Session()\n"
        "\tr = s.get(url)\n\ts.close()\n\treturn r.status_code\n"
    )
    result = migrate_bytes(source.encode(), "x.py", Options())
    text = result.new.decode()
    assert "\twith httpx.Client(" in text
    assert "\t\tr = s.get(url)\n" in text
    assert "    " not in text
    assert "format-skipped" in [f.code for f in result.findings]


def test_match_statements_parse_and_migrate():
    source = (
        "import requests\n\n\ndef f(url, kind):\n    match kind:\n        case 'json':\n"
        "            return requests.get(url).json()\n        case _:\n            return None\n"
    )
    result = migrate_bytes(source.encode(), "x.py", Options())
    assert b"case 'json':" in result.new
    assert b"httpx.get(url, follow_redirects=True, timeout=None).json()" in result.new


@pytest.mark.parametrize(
    "source",
    [
        "import requests\n\ndef f(:\n    pass\n",
        'import requests\nprint "python 2"\n',
        "import requests\nx = requests.get(\n",
    ],
    ids=["syntax-error", "python2", "unterminated"],
)
def test_unparsable_files_are_left_byte_identical_and_reported(source):
    result = migrate_bytes(source.encode(), "x.py", Options())
    assert result.new is None
    assert [f.code for f in result.findings] == ["parse-error"]
    assert result.findings[0].severity == "error"


def test_undecodable_file_is_reported_not_raised():
    data = b"# coding: utf-8\nimport requests\nx = '\xff\xfe'\n"
    result = migrate_bytes(data, "x.py", Options())
    assert result.new is None and result.findings[0].code == "parse-error"


def test_file_without_requests_import_is_skipped_after_one_read():
    result = migrate_bytes(b"import os\nrequests = 1\n", "x.py", Options())
    assert result.skipped and result.new is None and not result.findings


def test_a_failing_codemod_becomes_an_internal_error_finding(monkeypatch):
    from codemods.module_functions import ModuleFunctions

    def boom(self, ctx, original, updated):
        raise RuntimeError("codemod bug")

    monkeypatch.setattr(ModuleFunctions, "leave_Call", boom)
    result = migrate_bytes(SIMPLE.encode(), "x.py", Options())
    assert result.new is None
    assert [(f.code, f.severity) for f in result.findings] == [("internal-error", "error")]
    assert "codemod bug" in result.findings[0].message


def test_output_that_does_not_compile_is_never_returned(monkeypatch):
    monkeypatch.setattr(pipeline, "fix_imports", lambda module, drop, add: _broken(module))
    result = migrate_bytes(SIMPLE.encode(), "x.py", Options())
    assert result.new is None
    assert result.findings[0].code == "internal-error"


def _broken(module):
    import libcst as cst

    # a tree whose code does not compile: 'return' outside a function
    return module.with_changes(body=[*module.body, cst.SimpleStatementLine([cst.Return()])])


def test_written_file_keeps_its_mode_and_leaves_no_temp_files(tmp_path):
    from migrator.engine.sourcefile import atomic_write

    path = tmp_path / "tool.py"
    path.write_text(SIMPLE)
    os.chmod(path, 0o755)
    result = migrate_file(str(path), Options())
    atomic_write(str(path), result.new)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755
    assert os.listdir(tmp_path) == ["tool.py"]
    assert "httpx" in path.read_text()


def test_mixed_line_endings_are_kept_as_they_are():
    data = b"import requests\r\n\ndef f(url):\r\n    return requests.get(url)\n"
    result = migrate_bytes(data, "x.py", Options())
    assert result.new is not None
    assert b"import httpx\r\n" in result.new
    assert b"def f(url):\r\n" in result.new


def test_formatting_never_changes_the_code_itself():
    # black moves the blank line around the new import; a line-wise merge once dropped the import
    source = '\nimport requests\ndef main(base):\n    return requests.post(base + "/r", data={"a": "b"}).status_code\n'
    result = migrate_bytes(source.encode(), "x.py", Options())
    text = result.new.decode()
    assert "import httpx" in text
    import ast

    unformatted = migrate_bytes(source.encode(), "x.py", Options(format=False)).new.decode()
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(unformatted))


def test_skipping_unrelated_statements_changes_nothing():
    import libcst as cst

    from migrator.engine.names import all_import_names
    from migrator.engine.relevance import skippable
    from tests.fixture_cases import cases, options

    unrelated = "".join(f"\n\ndef helper_{i}(x):\n    return x * {i}\n" for i in range(20))
    synthetic = (
        "import requests\n\nSESSION = requests.Session()\n" + unrelated +
        "\n\nclass Api:\n    def ok(self, url):\n        r = SESSION.get(url)\n        return r.ok\n\n"
        "    def pure(self):\n        return 1\n"
    )
    module = cst.parse_module(synthetic)
    assert len(skippable(module, ast.parse(synthetic), all_import_names(synthetic))) == 21  # 20 helpers + Api.pure
    sources = [(synthetic, Options())] + [((c / "before.py").read_text(), options(c)) for c in cases()]
    for source, opts in sources:
        on = migrate_source(source, "tests/x.py", opts)
        off = migrate_source(source, "tests/x.py", dataclasses.replace(opts, skip_unrelated=False))
        assert on.code == off.code
        assert [f.as_dict() for f in on.findings] == [f.as_dict() for f in off.findings]


def test_a_helper_stays_when_the_mount_using_it_cannot_be_moved():
    # Retry with a computed count cannot become HTTPTransport(retries=...): the mount stays, and
    # so must the retry and adapter it uses (removing them once left a NameError behind)
    source = (
        "import requests\nfrom urllib3.util.retry import Retry\n\n\nclass C:\n    def build(self):\n"
        "        self.session = requests.Session()\n"
        "        retry = Retry(total=self.retries, connect=None, read=False)\n"
        "        adapter = requests.adapters.HTTPAdapter(max_retries=retry)\n"
        "        self.session.mount('https://', adapter)\n"
    )
    result = migrate_source(source, "x.py", Options(format=False))
    assert "retry = Retry(total=self.retries, connect=None, read=False)" in result.code
    assert "adapter = requests.adapters.HTTPAdapter(max_retries=retry)" in result.code
    # the session stays on requests, with the reason
    assert [f for f in result.findings if f.code == "session-kept" and "[client-setting-not-hoisted]" in f.message]
    assert "from urllib3.util.retry import Retry" in result.code


def test_output_that_would_leave_a_name_undefined_is_never_returned(monkeypatch):
    from codemods import client_configuration

    # simulate a helper bug: drop every helper, whatever still uses it (here: print(adapter))
    monkeypatch.setattr(client_configuration, "_used_outside", lambda plan, name, moved: False)
    source = (
        "import requests\n\n\ndef _build():\n"
        "    s = requests.Session()\n"
        "    adapter = requests.adapters.HTTPAdapter(max_retries=3)\n    s.mount('https://', adapter)\n"
        "    print(adapter)\n    return s\n"
    )
    result = migrate_source(source, "x.py", Options(format=False))
    assert result.code == source
    assert [f.code for f in result.findings] == ["internal-error"]
    assert "undefined" in result.findings[0].message


def test_survivors_looked_for_in_their_statements_only_are_all_found(monkeypatch):
    """The survivors walk visits only the top-level statements that held a requests name;
    walking the whole output must find nothing more (every fixture)."""
    from codemods import catch_all
    from tests.fixture_cases import cases, options

    sources = [((c / "before.py").read_text(), options(c)) for c in cases()]
    narrow = [migrate_source(src, "tests/x.py", opts) for src, opts in sources]
    real = catch_all.survivors

    def whole_tree(ctx, final, code):
        ctx.top_updated.clear()  # no statement known: the whole tree is walked
        return real(ctx, final, code)

    monkeypatch.setattr(catch_all, "survivors", whole_tree)
    wide = [migrate_source(src, "tests/x.py", opts) for src, opts in sources]
    assert any(f.code == catch_all.UNMIGRATED.code for r in wide for f in r.findings)
    assert [(r.code, [f.as_dict() for f in r.findings]) for r in narrow] == [(r.code, [f.as_dict() for f in r.findings]) for r in wide]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python compiles type aliases: nothing newer to test with")
def test_syntax_newer_than_the_running_python_is_left_as_it_is_and_reported():
    """LibCST reads a 3.12 type alias; CPython 3.11, the judge of every output, cannot compile it."""
    source = "import requests\n\ntype Url = str\n\n\ndef f(url):\n    return requests.get(url).status_code\n"
    result = migrate_bytes(source.encode(), "x.py", Options())
    assert not result.changed
    [finding] = result.findings
    assert (finding.code, finding.line) == ("parse-error", 3)
    assert "run the tool under the Python the code targets" in finding.message


@pytest.mark.parametrize(
    "source, line, module",
    [
        ("from requests import *\n\n\ndef f(url):\n    return get(url).status_code\n", 1, "requests"),
        # with requests code the tool can see: migrating that alone would leave get() on requests
        ("import requests\nfrom requests import *\n\nr = get('u')\ns = requests.get('u')\n", 2, "requests"),
        ("import requests\ntry:\n    from requests.exceptions import \\\n        *\nexcept ImportError:\n    pass\n\n"
         "requests.get('u')\n", 3, "requests.exceptions"),
    ],
    ids=["only-star", "star-and-module", "submodule-continued"],
)
def test_a_star_import_from_requests_leaves_the_file_unchanged_and_reported(source, line, module):
    result = migrate_bytes(source.encode(), "x.py", Options())
    assert result.new is None
    [finding] = result.findings
    assert (finding.code, finding.severity, finding.line) == ("star-import", "error", line)
    assert finding.message.startswith(f"'from {module} import *' hides which {module} names")
    assert "nothing in the file was migrated" in finding.message


def test_a_star_import_from_another_library_does_not_stop_the_migration():
    result = migrate_bytes(b'from os.path import *\nimport requests\n\nrequests.get(join("u", "v"))\n', "x.py", Options())
    assert b'httpx.get(join("u", "v")' in result.new and not [f for f in result.findings if f.code == "star-import"]
