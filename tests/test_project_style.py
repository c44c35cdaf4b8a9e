"""The migration's touched lines follow the project's formatter settings: read from [tool.black],
ruff's configuration or flake8's max-line-length, and checked with the real black and ruff."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.engine import style
from migrator.engine.style import Style, style_for
from tests.test_cli import run

CLIENT = textwrap.dedent('''\
    import requests


    class WeatherClient:
        def __init__(self, base_url, token):
            self.base_url = base_url
            self.session = requests.Session()
            self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

        def forecast(self, city, days=3):
            response = self.session.get(self.base_url + "/forecast", params={"city": city, "days": days}, timeout=5)
            response.raise_for_status()
            return response.json()

        def close(self):
            self.session.close()
''')


@pytest.fixture(autouse=True)
def _fresh_style_cache():
    style._style_of_folder.cache_clear()
    style.read_toml.cache_clear()
    yield
    style._style_of_folder.cache_clear()
    style.read_toml.cache_clear()


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": "[tool.black]\nline-length = 79\nskip-string-normalization = true\n"},
     Style(79, string_normalization=False, source="[tool.black] in pyproject.toml")),
    ({"pyproject.toml": "[tool.black]\nline-length = 100\ntarget-version = ['py311']\nskip-magic-trailing-comma = true\n"},
     Style(100, magic_trailing_comma=False, target_versions=("py311",), source="[tool.black] in pyproject.toml")),
    ({"pyproject.toml": "[tool.ruff]\nline-length = 120\n\n[tool.ruff.format]\nquote-style = 'single'\n"},
     Style(120, string_normalization=False, single_quotes=True, source="[tool.ruff] in pyproject.toml")),
    ({"ruff.toml": "line-length = 99\n[format]\nquote-style = 'preserve'\n", "pyproject.toml": "[project]\nname = 'p'\n"},
     Style(99, string_normalization=False, source="ruff's ruff.toml")),
    ({"setup.cfg": "[flake8]\nmax-line-length = 79\n"}, Style(79, source="flake8's max-line-length in setup.cfg")),
    ({"tox.ini": "[flake8]\nmax-line-length = 110\n", "pyproject.toml": "[project]\nname = 'p'\n"},
     Style(110, source="flake8's max-line-length in tox.ini")),
    ({"pyproject.toml": "[project]\nname = 'p'\n"}, Style()),
])
def test_settings_are_read_where_the_project_keeps_them(tmp_path, monkeypatch, files, expected):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "pkg").mkdir()
    assert style_for(str(tmp_path / "pkg" / "m.py")) == expected


def test_a_monorepo_package_without_its_own_settings_takes_the_roots_as_black_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 79\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 's'\n")
    assert style_for(str(tmp_path / "sub" / "m.py")).line_length == 79  # black passes a pyproject without [tool.black]
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 's'\n\n[tool.black]\nline-length = 100\n")
    style._style_of_folder.cache_clear()
    style.read_toml.cache_clear()
    assert style_for(str(tmp_path / "sub" / "m.py")).line_length == 100
    (tmp_path / "sub" / "m.py").write_text("")
    black = subprocess.run([str(Path(sys.executable).parent / "black"), "--verbose", "--check", "sub/m.py"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert "/sub` as project root" in black.stderr  # (black agrees)


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return [str(exe)]
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return [found]


@pytest.mark.parametrize("config, formatter, check", [
    ("[tool.black]\nline-length = 79\n", ["black", "-q"], ["black", "--check", "-q"]),
    ("[tool.black]\nline-length = 110\nskip-string-normalization = true\n", ["black", "-q"], ["black", "--check", "-q"]),
    ("[tool.ruff]\nline-length = 100\n\n[tool.ruff.format]\nquote-style = 'single'\n", ["ruff", "format", "-q"], ["ruff", "format", "--check", "-q"]),
    ("[tool.ruff]\nline-length = 72\n", ["ruff", "format", "-q"], ["ruff", "format", "--check", "-q"]),
])
def test_a_formatted_project_stays_formatted_by_its_own_formatter(tmp_path, config, formatter, check):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\ndependencies = ["requests"]\n\n' + config)
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "__init__.py").write_text("")
    (tmp_path / "w" / "client.py").write_text(CLIENT)
    tool = lambda args: subprocess.run(_tool(args[0]) + args[1:] + ["w"], cwd=tmp_path, capture_output=True, text=True)
    assert tool(formatter).returncode == 0
    assert tool(check).returncode == 0  # the project as its formatter leaves it
    proc = run("--no-cache", str(tmp_path / "w"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "httpx.Client(" in (tmp_path / "w" / "client.py").read_text()
    assert "touched lines formatted as [tool." in proc.stderr
    after = tool(check)
    assert after.returncode == 0, after.stdout + after.stderr + (tmp_path / "w" / "client.py").read_text()


IMPORTING = textwrap.dedent('''\
    """The weather client."""
    import logging
    import os
    from collections import ChainMap, Counter, OrderedDict, defaultdict, deque, namedtuple

    import requests

    from w.settings import TOKEN

    log = logging.getLogger(__name__)


    def forecast(city, days=3):
        response = requests.get("https://api.example.com/forecast", params={"city": city, "days": days}, timeout=5)
        response.raise_for_status()
        return response.json(), TOKEN, os.sep
''')


@pytest.mark.parametrize("config, sorter, check", [
    ('[tool.isort]\nprofile = "black"\nknown_first_party = ["w"]\n', [sys.executable, "-m", "isort", "-q"],
     [sys.executable, "-m", "isort", "--check-only", "-q"]),
    ('[tool.isort]\nforce_single_line = true\nforce_sort_within_sections = true\n', [sys.executable, "-m", "isort", "-q"],
     [sys.executable, "-m", "isort", "--check-only", "-q"]),
    ('[tool.ruff.lint]\nselect = ["E", "F", "I"]\n\n[tool.ruff.lint.isort]\nknown-first-party = ["w"]\nforce-sort-within-sections = true\n',
     ["ruff", "check", "-q", "--fix", "--select", "I"], ["ruff", "check", "-q", "--select", "I"]),
    ('[tool.ruff]\nline-length = 79\n\n[tool.ruff.lint]\nextend-select = ["I"]\n\n[tool.ruff.lint.isort]\nforce-single-line = true\n',
     ["ruff", "check", "-q", "--fix", "--select", "I"], ["ruff", "check", "-q", "--select", "I"]),
    # no sorter named: isort's black profile at black's line length, and black itself still passes
    ('[tool.black]\nline-length = 79\n', [sys.executable, "-m", "isort", "-q", "--profile", "black", "-l", "79"],
     [sys.executable, "-m", "isort", "--check-only", "-q", "--profile", "black", "-l", "79"]),
])
def test_a_sorted_project_stays_sorted_by_its_own_import_sorter(tmp_path, config, sorter, check):
    """The helper the migration adds needs urllib.parse: it lands where the project's sorter puts a
    standard-library import, checked by the sorter itself (isort --check-only, ruff check --select I)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\ndependencies = ["requests"]\n\n' + config)
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "__init__.py").write_text("")
    (tmp_path / "w" / "settings.py").write_text('TOKEN = "x"\n')
    (tmp_path / "w" / "client.py").write_text(IMPORTING)
    tool = lambda args: subprocess.run((_tool(args[0]) if args[0] in ("ruff", "black") else args[:1]) + args[1:] + ["w"],
                                       cwd=tmp_path, capture_output=True, text=True)
    tool(sorter)
    if "[tool.black]" in config:
        tool(["black", "-q"])
        assert tool(["black", "--check", "-q"]).returncode == 0
    assert tool(check).returncode == 0  # the project as its tools leave it
    proc = run("--no-cache", str(tmp_path / "w"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "w" / "client.py").read_text()
    assert "import urllib.parse" in text and "import httpx" in text
    assert "imports sorted as " in proc.stderr or "isort" not in config and "ruff" not in config
    if "[tool.black]" in config:
        assert tool(["black", "--check", "-q"]).returncode == 0
    after = tool(check)
    assert after.returncode == 0, after.stdout + after.stderr + text


def test_an_unsorted_file_is_not_reordered(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\n\n[tool.isort]\nprofile = "black"\n')
    source = "import requests\nimport os\n\n\ndef f(u):\n    return requests.get(u, timeout=3).json(), os.sep\n"
    (tmp_path / "m.py").write_text(source)
    assert run("--no-cache", str(tmp_path)).returncode == 0
    assert (tmp_path / "m.py").read_text().startswith("import httpx\nimport os\n")  # in requests' place, os after it


def test_a_project_naming_no_sorter_keeps_a_file_in_isorts_order(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\n')
    (tmp_path / "m.py").write_text(
        "import os\n\nimport requests\n\n\ndef f(u, q):\n    return requests.get(u, params=q, timeout=3).json(), os.sep\n")
    proc = run("--no-cache", str(tmp_path))
    assert proc.returncode == 0 and "imports sorted as" not in proc.stderr
    assert (tmp_path / "m.py").read_text().startswith("import os\nimport urllib.parse\n\nimport httpx\n")


@pytest.mark.parametrize("text, head", [
    ('"""Doc.\n\nmore\n"""\nimport os\nfrom x import (\n    a,\n)\n\nimport requests\n\nX = 1\nimport late\n',
     '"""Doc.\n\nmore\n"""\nimport os\nfrom x import (\n    a,\n)\n\nimport requests\n'),
    ("#!/usr/bin/env python\nfrom __future__ import annotations\nimport a\ntry:\n    import b\nexcept ImportError:\n    b = None\n",
     "#!/usr/bin/env python\nfrom __future__ import annotations\nimport a\n"),
    ("x = 1\nimport a\n", ""),
    ("import a, \\\n    b\n", None),
    # a parenthesis in a comment does not end the import (found by review)
    ("import os\nfrom m import (  # noqa: F401 (re-exported)\n    a,  # (old)\n    b,\n)\n\nX = 1\n",
     "import os\nfrom m import (  # noqa: F401 (re-exported)\n    a,  # (old)\n    b,\n)\n"),
])
def test_isort_is_given_the_leading_imports_alone(text, head):
    from migrator.engine.import_order import _head

    cut = _head(text)
    assert (cut[0] if cut else None) == head
    assert cut is None or "".join(cut) == text


def test_single_quotes_as_ruff_writes_them_and_never_in_a_raw_string():
    from migrator.engine.style import single_quoted

    text = 'x = key.strip("\\"\' ")\ny = {"q": r"say \\"hi\\""}\nz = "it\'s"\nw = "plain"\n'
    assert single_quoted(text, [(1, 4)]) == 'x = key.strip(\'"\\\' \')\ny = {\'q\': r"say \\"hi\\""}\nz = "it\'s"\nw = \'plain\'\n'


def test_a_project_naming_no_sorter_sorts_the_same_from_any_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "__init__.py").write_text("")
    (tmp_path / "demo" / "util.py").write_text("X = 1\n")
    source = "import os\n\nimport pytest\nimport requests\n\nfrom demo import util\n\n\ndef f(u):\n    return requests.get(u, timeout=3), os, pytest, util\n"
    (tmp_path / "demo" / "m.py").write_text(source)
    proc = subprocess.run([sys.executable, "-m", "migrator", "--no-cache", str(tmp_path / "demo" / "m.py")],
                          cwd="/", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "demo" / "m.py").read_text().startswith("import os\n\nimport httpx\nimport pytest\n\nfrom demo import util\n")
