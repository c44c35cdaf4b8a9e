"""Dependency files: requests → httpx (with extras), types-requests dropped, comments and order kept."""

from __future__ import annotations

import pytest

from migrator.project.dependencies import Needs, needs_of, rewrite

DONE = Needs(httpx=True, drop_requests=True)
MIXED = Needs(httpx=True, drop_requests=False)


def test_needs_from_migrated_code():
    needs = needs_of(["import httpx\nhttpx.Client(proxy='socks5://h:1')\n", "import httpx_retries\nimport httpx\n"])
    assert needs.httpx and needs.httpx_retries and needs.httpx_extras == {"socks"} and needs.drop_requests
    assert not needs_of(["import httpx\n", "from requests import Session\n"]).drop_requests


def test_requirements_txt():
    text = "# runtime\nclick==8.1\nrequests[socks]>=2.31  # HTTP client\ntypes-requests==2.31\nresponses\n"
    edit = rewrite("requirements.txt", text, DONE)
    assert edit.text == "# runtime\nclick==8.1\nhttpx[socks]>=0.28  # HTTP client\nresponses\n"
    assert [f.code for f in edit.findings] == ["test-mock-dependency"] and edit.declared_requests


def test_requirements_txt_mixed_keeps_requests_and_adds_httpx():
    edit = rewrite("requirements-dev.txt", "requests==2.32.3\n", Needs(httpx=True, httpx_retries=True))
    assert edit.text == "requests==2.32.3\nhttpx>=0.28\nhttpx-retries>=0.4\n"


def test_pyproject_pep621_and_optional_dependencies():
    text = (
        '[project]\nname = "app"\n'
        'dependencies = [\n    "click>=8",  # cli\n    "requests>=2.31; python_version >= \'3.8\'",\n]\n\n'
        '[project.optional-dependencies]\ntest = ["pytest", "types-requests", "requests-mock"]\n'
        '\n[tool.other]\nx = ["requests"]\n'
    )
    edit = rewrite("pyproject.toml", text, DONE)
    assert '    "httpx>=0.28; python_version >= \'3.8\'",\n' in edit.text
    assert 'test = ["pytest", "requests-mock"]' in edit.text
    assert 'x = ["requests"]' in edit.text  # not a dependency table
    assert "    \"click>=8\",  # cli\n" in edit.text
    assert [f.code for f in edit.findings] == ["test-mock-dependency"]


def test_pyproject_poetry():
    text = '[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.31"\n\n[tool.poetry.group.dev.dependencies]\ntypes-requests = "*"\n'
    edit = rewrite("pyproject.toml", text, Needs(httpx=True, drop_requests=True, httpx_extras={"socks"}))
    assert edit.text == (
        '[tool.poetry.dependencies]\npython = "^3.10"\nhttpx = { version = "^0.28", extras = ["socks"] }\n\n'
        "[tool.poetry.group.dev.dependencies]\n"
    )


def test_setup_cfg():
    text = "[metadata]\nname = app\n\n[options]\ninstall_requires =\n    click\n    requests>=2\nzip_safe = False\n"
    edit = rewrite("setup.cfg", text, DONE)
    assert edit.text == "[metadata]\nname = app\n\n[options]\ninstall_requires =\n    click\n    httpx>=0.28\nzip_safe = False\n"


def test_setup_py_through_libcst():
    text = "from setuptools import setup\n\nsetup(\n    name='app',\n    install_requires=['click', 'requests>=2', 'types-requests'],\n)\n"
    edit = rewrite("setup.py", text, DONE)
    assert "install_requires=['click', 'httpx>=0.28']," in edit.text
    assert edit.declared_requests


def test_nothing_to_do_leaves_files_byte_identical():
    text = "requests>=2\n"
    assert rewrite("requirements.txt", text, Needs(httpx=False, drop_requests=False)).text == text


def test_mock_libraries_follow_the_migrated_tests():
    needs = needs_of(["import httpx\nimport respx\n"])
    assert needs.swaps == {"responses": "respx>=0.21", "requests-mock": "respx>=0.21"}
    edit = rewrite("requirements-dev.txt", "pytest\nresponses==0.25  # mocks\nrequests-mock\n", needs)
    assert edit.text == "pytest\nrespx>=0.21  # mocks\n" and not edit.findings
    edit = rewrite("pyproject.toml", '[project.optional-dependencies]\ntest = ["pytest", "responses", "requests-mock"]\n', needs)
    assert 'test = ["pytest", "respx>=0.21"]' in edit.text
    # tests still on responses: noted, not swapped
    kept = rewrite("requirements-dev.txt", "responses\n", needs_of(["import responses\n"]))
    assert kept.text == "responses\n" and [f.code for f in kept.findings] == ["test-mock-dependency"]


def test_features_from_bytes_match_features_of_text():
    from pathlib import Path

    from migrator.project.dependencies import features, features_of_bytes

    root = Path(__file__).resolve().parent.parent
    samples = [p.read_bytes() for p in sorted(root.glob("fixtures/**/*.py"))] + [
        b"x = 1\n", b"proxy = 'socks5h://h:1'\n", b"def test(requests_mock):\n    pass\n", "é = 'http2=True'\n".encode()]
    assert any(features_of_bytes(s) for s in samples)
    for data in samples:
        assert features_of_bytes(data) == features(data.decode("utf-8", "replace"))
    # a BOM before the first line's import (the text the migration sees has none)
    assert features_of_bytes(b"\xef\xbb\xbfimport requests\n") == features("import requests\n") == {"requests"}


def test_a_package_keeps_requests_while_a_file_left_as_is_still_imports_it(tmp_path):
    """Files the run leaves unchanged still count when deciding the package's dependencies."""
    from migrator.engine.options import Options
    from migrator.project.dependencies import results_for
    from migrator.project.runner import run

    (tmp_path / "requirements.txt").write_text("requests>=2\n")
    (tmp_path / "a.py").write_text("import requests\nrequests.get('http://x')\n")
    (tmp_path / "b.py").write_text("import requests  # requests2httpx: ignore\n")
    results = run([str(tmp_path / "a.py"), str(tmp_path / "b.py")], Options(format=False), 1)
    from migrator.project.packages import package_of

    deps = results_for(results, package_of)
    req = [r for r in deps if r.path.endswith("requirements.txt")]
    assert req and "requests" in req[0].new_text and "httpx" in req[0].new_text


# the migrated code decodes text as requests did, detecting charsets with what requests brought
TEXT_DONE = Needs(httpx=True, drop_requests=True, charset_normalizer=True)


def test_charset_detection_brings_charset_normalizer_where_requests_was():
    migrated = "import httpx\n\ndef _requests_text(response):\n    try:\n        import charset_normalizer as detector\n    except ImportError:\n        pass\n"
    assert needs_of([migrated]).charset_normalizer and not needs_of(["import httpx\n"]).charset_normalizer
    assert rewrite("requirements.txt", "requests>=2\n", TEXT_DONE).text == "httpx>=0.28\ncharset-normalizer>=2\n"
    poetry = rewrite("pyproject.toml", '[tool.poetry.dependencies]\nrequests = "^2.31"\n', TEXT_DONE).text
    assert poetry == '[tool.poetry.dependencies]\nhttpx = "^0.28"\ncharset-normalizer = "^2"\n'
    pep621 = rewrite("pyproject.toml", '[project]\ndependencies = ["requests>=2"]\n', TEXT_DONE).text
    assert pep621 == '[project]\ndependencies = ["httpx>=0.28", "charset-normalizer>=2"]\n'
    setup_py = rewrite("setup.py", "setup(install_requires=['requests>=2'])\n", TEXT_DONE).text
    assert setup_py == "setup(install_requires=['httpx>=0.28', 'charset-normalizer>=2'])\n"


def test_charset_normalizer_is_added_once_even_where_httpx_is_declared_already():
    text = "requests>=2\nhttpx>=0.28\n"
    once = rewrite("requirements.txt", text, TEXT_DONE).text
    assert once == "charset-normalizer>=2\nhttpx>=0.28\n"
    assert rewrite("requirements.txt", once, TEXT_DONE).text == once
    declared = "requests>=2\ncharset_normalizer==3.3\n"
    assert rewrite("requirements.txt", declared, TEXT_DONE).text == "httpx>=0.28\ncharset_normalizer==3.3\n"


def test_an_array_laid_out_one_requirement_a_line_keeps_its_layout():
    """Seen on todoist-api-python's [dependency-groups]: what is added goes on lines of its own."""
    text = ('[project]\nname = "p"\ndependencies = [\n  "requests>=2",  # the client\n  "attrs"\n]\n\n'
            '[dependency-groups]\ndev = [\n  "pytest",\n  "responses>=0.23"\n]\n')
    needs = needs_of(["import httpx\nimport respx\n"])
    needs.swaps["responses"] = "respx>=0.21"
    needs.after["respx"] = ["pytest-httpx2>=1.0"]
    out = rewrite("pyproject.toml", text, needs).text
    assert '  "httpx>=0.28",  # the client\n  "attrs"\n' in out
    assert 'dev = [\n  "pytest",\n  "respx>=0.21",\n  "pytest-httpx2>=1.0"\n]\n' in out
    one_line = rewrite("pyproject.toml", '[project]\ndependencies = ["requests", "attrs"]\n', needs_of(["import httpx\nimport charset_normalizer\n"])).text
    assert one_line.startswith('[project]\ndependencies = ["httpx>=0.28", ')


def test_httpx_goes_where_requests_was_even_when_an_extra_declares_it():
    """An extra already naming httpx does not make it a core dependency: code that imported requests
    in the core must find httpx installed without the extra."""
    needs = needs_of(["import httpx\n"])
    text = '[project]\nname = "p"\ndependencies = ["requests>=2"]\n\n[project.optional-dependencies]\nhttp2 = ["httpx[http2]"]\n'
    out = rewrite("pyproject.toml", text, needs).text
    assert 'dependencies = ["httpx>=0.28"]' in out and 'http2 = ["httpx[http2]"]' in out
    assert rewrite("pyproject.toml", out, needs).text == out  # declared where requests was: a second run adds nothing
    extra = '[project]\nname = "p"\ndependencies = ["attrs"]\n\n[project.optional-dependencies]\nhttp = ["requests"]\ncli = ["httpx"]\n'
    out = rewrite("pyproject.toml", extra, needs).text
    assert 'dependencies = ["attrs"]' in out and 'http = ["httpx>=0.28"]' in out  # an extra stays an extra
    cfg = "[options]\ninstall_requires =\n    requests\n\n[options.extras_require]\nfast =\n    httpx[http2]\n"
    out = rewrite("setup.cfg", cfg, needs).text
    assert "install_requires =\n    httpx>=0.28\n" in out and "fast =\n    httpx[http2]\n" in out
    same = '[project]\nname = "p"\ndependencies = ["requests", "httpx>=0.27"]\n'
    assert rewrite("pyproject.toml", same, needs).text == '[project]\nname = "p"\ndependencies = ["httpx>=0.27"]\n'


def test_tox_nox_pipfile_and_pip_tools_files_are_edited_like_the_others(tmp_path):
    from migrator.project.dependencies import dependency_files

    needs = needs_of(["import httpx\n", "import respx\n"])
    tox = "[tox]\nenvlist = py311\n\n[testenv]\ndeps =\n    pytest\n    responses>=0.23  # mocks\n    -rrequirements.txt\ncommands = pytest\n"
    assert rewrite("tox.ini", tox, needs).text == tox.replace("responses>=0.23", "respx>=0.21")
    nox = ('import nox\n\n\n@nox.session\ndef tests(session):\n    session.install("-e", ".", "pytest", "requests-mock")\n'
           '    session.install("requests", silent=True)\n    session.run("pytest")\n')
    out = rewrite("noxfile.py", nox, needs).text
    assert 'session.install("-e", ".", "pytest", "respx>=0.21")' in out
    assert 'session.install("httpx>=0.28", silent=True)' in out
    pipfile = '[packages]\nrequests = "*"\n\n[dev-packages]\nresponses = "*"\npytest = "*"\n'
    out = rewrite("Pipfile", pipfile, needs).text
    assert out == '[packages]\nhttpx = ">=0.28"\n\n[dev-packages]\nrespx = ">=0.21"\npytest = "*"\n'
    assert rewrite("requirements-dev.in", "requests\nresponses\n", needs).text == "httpx>=0.28\nrespx>=0.21\n"
    setup = 'setup(install_requires=["requests"], tests_require=["responses"])\n'
    assert rewrite("setup.py", setup, needs).text == 'setup(install_requires=["httpx>=0.28"], tests_require=["respx>=0.21"])\n'
    poetry = '[tool.poetry.group.dev.dependencies]\nrequests-mock = "^1.11"\n'
    assert rewrite("pyproject.toml", poetry, needs).text == '[tool.poetry.group.dev.dependencies]\nrespx = "^0.21"\n'
    for name in ("tox.ini", "noxfile.py", "Pipfile", "requirements-dev.in", "setup.py"):
        (tmp_path / name).write_text("")
    assert sorted(p.rsplit("/", 1)[-1] for p in dependency_files(str(tmp_path))) == [
        "Pipfile", "noxfile.py", "requirements-dev.in", "setup.py", "tox.ini"]


def test_requirements_are_read_as_pep_508_says():
    needs = needs_of(["import httpx\n"])
    text = 'requests[socks] @ https://example.com/requests.whl ; python_version >= "3.8"\nRequests_Toolbelt==1.0\n-r base.txt\n'
    out = rewrite("requirements.txt", text, needs).text
    assert out.splitlines()[0] == 'httpx[socks]>=0.28; python_version >= "3.8"'
    assert "Requests_Toolbelt==1.0\n-r base.txt\n" in out  # another project, and an option line
    assert rewrite("requirements.txt", "requests>=2,<\n", needs).text == "requests>=2,<\n"  # not a requirement: left


def test_a_requirements_file_without_a_final_newline_keeps_each_requirement_on_its_line():
    needs = needs_of(["import httpx\nimport charset_normalizer\n"])
    out = rewrite("requirements.txt", "attrs\nrequests>=2  # http", needs).text
    assert out == "attrs\nhttpx>=0.28  # http\ncharset-normalizer>=2", out  # (it ended without a newline, and still does)


def test_a_setup_cfg_extra_named_in_capitals_is_one_list():
    needs = needs_of(["import httpx\n"])
    cfg = "[options.extras_require]\nHTTP =\n    requests>=2.28\n    httpx>=0.27\n"
    out = rewrite("setup.cfg", cfg, needs).text
    assert out.count("httpx") == 1 and "httpx>=0.27" in out, out


def test_a_noxfile_install_call_is_never_left_empty_nor_reformatted_without_a_change():
    needs = needs_of(["import httpx\n"])
    nox = ('@nox.session\ndef lint(session):\n    session.install("types-requests")\n    session.install(\n        "pytest",\n'
           '        "coverage[toml]",\n    )\n    session.install(*DEPS, "requests")\n')
    assert rewrite("noxfile.py", nox, needs).text == nox


def test_a_pipfile_keeps_requests_tables_markers_and_comments_and_its_sections_apart(tmp_path):
    """Found by review: httpx in [dev-packages] stood for the runtime's; requests' table lost its
    marker and comment; a project with a Pipfile alone was no package."""
    from migrator.project.packages import package_of_dir

    needs = needs_of(["import httpx\n"])
    pipfile = ('[packages]\nrequests = {version = ">=2.28", markers = "python_version >= \'3.8\'", extras = ["socks"]}  # http\n\n'
               '[dev-packages]\nhttpx = "*"\n')
    out = rewrite("Pipfile", pipfile, needs).text
    assert out.startswith('[packages]\nhttpx = {version = ">=0.28", markers = "python_version >= \'3.8\'", extras = ["socks"]}  # http\n'), out
    assert '[dev-packages]\nhttpx = "*"\n' in out
    (tmp_path / "Pipfile").write_text(pipfile)
    package_of_dir.cache_clear()
    assert package_of_dir(str(tmp_path)) != ""


def test_a_quoted_name_in_a_toml_comment_is_not_a_requirement():
    needs = needs_of(["import httpx\n"])
    text = '[project]\ndependencies = [\n  "urllib3<2",  # "requests" breaks with 2.x\n  "requests>=2",\n]\n'
    out = rewrite("pyproject.toml", text, needs).text
    assert '  "urllib3<2",  # "requests" breaks with 2.x\n  "httpx>=0.28",\n' in out, out


@pytest.mark.parametrize("before, after", [
    ('setup(\n    install_requires=[\n        "attrs",\n        "requests>=2",  # c\n    ],\n)\n',
     'setup(\n    install_requires=[\n        "attrs",\n        "httpx>=0.28",\n        "charset-normalizer>=2",  # c\n    ],\n)\n'),
    ('setup(\n    install_requires=[\n        "requests>=2",  # c\n        "attrs",\n    ],\n)\n',
     'setup(\n    install_requires=[\n        "httpx>=0.28",  # c\n        "charset-normalizer>=2",\n        "attrs",\n    ],\n)\n'),
    ('setup(install_requires=["attrs", "requests"])\n', 'setup(install_requires=["attrs", "httpx>=0.28", "charset-normalizer>=2"])\n'),
])
def test_setup_py_requirements_added_where_one_stood_follow_the_lists_layout(before, after):
    """Found by review: the last element with a comment became '"httpx>=0.28","charset-normalizer>=2",  # c'."""
    assert rewrite("setup.py", before, needs_of(["import httpx\nimport charset_normalizer\n"])).text == after
