"""--target httpx2 and --from httpx: the rename, what stays httpx's for respx, what refuses, the
dependency files, the command line, and the findings."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import textwrap

import pytest

from codemods._httpx2 import checks as _httpx2_checks
from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source
from migrator.project.dependencies import Needs, needs_from, features, rewrite
from tests.fixture_cases import FIXTURES
from tests.test_cli import run
from tests.test_mock_libraries import httpx2_pytest_path, run_pytest

MOVE = Options(source="httpx", target="httpx2", format=False)
TO_HTTPX2 = Options(target="httpx2", format=False)


def _moved(source: str, options: Options = MOVE):
    return migrate_source(textwrap.dedent(source), "tests/test_m.py", options)


def _names(code: str) -> set[str]:
    tree = ast.parse(code)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
    } | {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


@pytest.mark.parametrize("case, pythonpath", [("respx_tests", None), ("pytest_httpx_tests", "httpx2-pytest")])
def test_test_files_on_httpx_pass_before_and_after_the_move(case, pythonpath, tmp_path):
    """respx tests pass on httpx before and on httpx2 after (pytest-httpx2 installed); pytest-httpx
    tests pass before, and after with httpx2-pytest."""
    folder = FIXTURES / "to_httpx2" / case
    counts = []
    for name, extra in (("before", None), ("after", httpx2_pytest_path() if pythonpath else None)):
        path = tmp_path / name / "test_case.py"
        path.parent.mkdir()
        path.write_text((folder / f"{name}.py").read_text())
        proc = run_pytest(path, extra)
        assert proc.returncode == 0, (name, proc.stdout + proc.stderr)
        counts.append(proc.stdout.strip().splitlines()[-1].split()[0])
    assert counts[0] == counts[1] and int(counts[0]) >= 4, counts


def test_every_spelling_of_an_httpx_import_moves():
    result = _moved("""
        import httpx
        import httpx as hx
        import httpx._types
        from httpx import Client as C, codes
        from httpx._exceptions import HTTPError
        from . import httpx_helpers

        def f(c: "httpx.Client") -> hx.Response:
            return isinstance(c, (httpx.Client, C)) and codes.OK and httpx._types and HTTPError
    """)
    code = result.code
    assert "import httpx2\nimport httpx2 as hx\nimport httpx2._types\nfrom httpx2 import Client as C, codes\n" in code
    assert "from httpx2._exceptions import HTTPError\nfrom . import httpx_helpers\n" in code
    assert 'def f(c: "httpx2.Client") -> hx.Response:' in code and "isinstance(c, (httpx2.Client, C))" in code
    runnable = code.replace("from . import httpx_helpers\n", "")
    exec(compile(runnable, "m.py", "exec"), {"__name__": "m"})  # every name it imports exists in httpx2


def test_attribute_and_keyword_names_are_not_the_module():
    code = _moved("""
        import httpx

        def f(obj):
            obj.httpx = httpx.Client
            return dict(httpx=1)
    """).code
    assert "obj.httpx = httpx2.Client" in code and "dict(httpx=1)" in code


def test_patch_targets_and_importorskip_name_httpx2():
    code = _moved("""
        from unittest import mock
        import httpx
        import pytest

        pytest.importorskip("httpx")

        def test_x(monkeypatch):
            monkeypatch.setattr("pkg.api.httpx.get", None)
            with mock.patch("httpx.Client.send"), mock.patch.object(httpx.Client, "get"):
                monkeypatch.setattr(api.httpx, "get", None)
            assert "httpx.Client" != "keep this string"
    """).code
    assert 'pytest.importorskip("httpx2")' in code and '"pkg.api.httpx2.get"' in code
    assert 'mock.patch("httpx2.Client.send")' in code and "mock.patch.object(httpx2.Client" in code
    assert "monkeypatch.setattr(api.httpx2, " in code
    assert '"httpx2.Client" != "keep this string"' in code  # a dotted name moves (a patch target in a constant)


def test_an_existing_httpx2_import_is_not_written_twice():
    code = _moved("import httpx\nimport httpx2\n\nhttpx.get\nhttpx2.post\n").code
    assert code == "import httpx2\n\nhttpx2.get\nhttpx2.post\n"


@pytest.mark.parametrize("source, why", [
    ("import httpx\n\ndef f(httpx2):\n    return httpx.get\n", "'httpx2' is bound"),
    ("import httpx\n\nfor httpx in []:\n    pass\n", "'httpx' is bound"),
    ("import httpx\nimport httpx_retries\n", "httpx-retries"),
    ("import httpx as hx\nimport respx\n", "alias"),
])
def test_a_file_that_cannot_move_whole_stays_as_it_is(source, why):
    result = _moved(source)
    assert result.code == source
    [finding] = [f for f in result.findings if f.code == "httpx2-not-moved"]
    assert why in finding.message and finding.severity == "error"


def test_respx_answers_stay_httpx_responses_and_the_rest_moves():
    code = _moved("""
        import httpx
        import respx

        def answer(request):
            return httpx.Response(200)

        def test_x():
            with respx.mock(base_url="https://x.test") as router:
                router.get("/a").mock(return_value=httpx.Response(204), side_effect=answer)
                router.get("/b").mock(side_effect=[httpx.ReadTimeout, httpx.Response(200)])
                router.get("/c") % httpx.Response(201)
                response = httpx.get("https://x.test/a")
            assert isinstance(response, httpx.Response)
            canned = httpx.Response(204)
            router.get("/d").mock(return_value=canned)
    """).code
    assert 'respx.mock(base_url="https://x.test", using="httpcore2")' in code
    assert "return httpx.Response(200)" in code and "return_value=httpx.Response(204)" in code
    assert "side_effect=[httpx2.ReadTimeout(\"Mock Error\"), httpx.Response(200)]" in code
    assert "% httpx.Response(201)" in code
    assert "isinstance(response, httpx2.Response)" in code and "canned = httpx.Response(204)" in code
    assert "import httpx\nimport httpx2\nimport respx\n" in code
    assert "DEFAULT_MOCKER" not in code  # no module-level router here


def test_respx_module_level_router_gets_httpcore2_as_its_default():
    code = _moved("import httpx\nimport respx\n\n\n@respx.mock\ndef test_x():\n    respx.get('https://x.test')\n").code
    assert 'import respx\n\n# respx\'s module-level router' in code and 'respx.mocks.DEFAULT_MOCKER = "httpcore2"\n' in code
    assert "import httpx\n" not in code  # nothing of respx's answers was built here


_GLOBAL_ROUTER_TEST = """
    import httpx
    import pytest
    import respx


    @respx.mock
    def test_global_router():
        respx.get("https://x.test/a").respond(204)
        assert httpx.get("https://x.test/a").status_code == 204


    def test_fixture(respx_mock):
        respx_mock.get("https://x.test/b").respond(201)
        assert httpx.get("https://x.test/b").status_code == 201
"""


def test_a_pytest_module_sets_respxs_default_mocker_for_its_own_tests_alone():
    code = _moved(_GLOBAL_ROUTER_TEST).code
    assert "@pytest.fixture(autouse=True)\ndef _respx_mocks_httpx2(monkeypatch):" in code
    assert 'monkeypatch.setattr(respx.mocks, "DEFAULT_MOCKER", "httpcore2")' in code
    assert "\nrespx.mocks.DEFAULT_MOCKER" not in code
    assert migrate_source(code, "tests/test_m.py", MOVE).code == code  # written once


@pytest.mark.parametrize("early", [
    "@pytest.fixture(scope='module')\ndef router():\n    with respx.mock:\n        yield\n",
    "class TestX:\n    @classmethod\n    def setup_class(cls):\n        respx.start()\n",
])
def test_a_router_started_before_the_tests_fixtures_gets_the_module_level_default(early):
    code = _moved(textwrap.dedent(_GLOBAL_ROUTER_TEST) + "\n\n" + early).code
    assert '\nrespx.mocks.DEFAULT_MOCKER = "httpcore2"\n' in code and "_respx_mocks_httpx2" not in code


def test_a_test_file_left_on_httpx_passes_in_the_same_session_as_a_moved_one(tmp_path):
    """respx's default mocker is process-wide: set at module level by the moved file, it would make
    respx's module-level router miss httpx in the file left on httpx (whichever runs first)."""
    moved = _moved(_GLOBAL_ROUTER_TEST).code
    assert "import httpx2" in moved
    (tmp_path / "test_a_moved.py").write_text(moved)
    (tmp_path / "test_b_left.py").write_text(textwrap.dedent(_GLOBAL_ROUTER_TEST))
    (tmp_path / "test_c_moved.py").write_text(moved)
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0 and "6 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_fixture_only_respx_test_takes_pytest_httpx2s_fixture():
    code = _moved("""
        import httpx
        import pytest

        @pytest.mark.respx(base_url="https://x.test")
        def test_x(respx_mock):
            respx_mock.get("/a").mock(return_value=httpx.Response(204))
    """).code
    assert "@pytest.mark.httpx2(base_url=" in code and "def test_x(httpx2_mock):" in code
    assert "httpx2_mock.get(\"/a\").mock(return_value=httpx.Response(204))" in code


def test_requests_code_is_not_touched_by_the_move():
    source = "import httpx\nimport requests\n\nrequests.get('u')\nhttpx.get('u')\n"
    code = _moved(source).code
    assert code == "import httpx2\nimport requests\n\nrequests.get('u')\nhttpx2.get('u')\n"


def test_the_move_is_stable():
    first = _moved("import httpx\nimport respx\n\n@respx.mock\ndef test_x():\n    respx.get('u').mock(return_value=httpx.Response(200))\n").code
    assert migrate_source(first, "tests/test_m.py", MOVE).code == first


def test_findings_of_a_migration_to_httpx2_speak_of_httpx2():
    result = migrate_source("import requests\n\n\ndef f(u):\n    return requests.post(u, json={'a': 1})\n", "m.py", TO_HTTPX2)
    assert result.findings and all("httpx " not in f.message and "httpx." not in f.message for f in result.findings)
    assert any("httpx2" in f.message for f in result.findings if f.code != "httpx2-trust-store")
    [trust] = [f for f in result.findings if f.code == "httpx2-trust-store"]
    assert trust.line == 1 and trust.severity == "info"


def test_code_naming_certifi_or_requests_ca_variables_is_warned():
    result = _moved("import os\nimport certifi\nimport httpx\n\nhttpx.Client(verify=os.environ.get('REQUESTS_CA_BUNDLE', certifi.where()))\n")
    lines = sorted((f.line, f.severity) for f in result.findings if f.code == "httpx2-trust-store")
    assert lines == [(2, "warning"), (3, "info"), (5, "warning")]


def test_a_package_built_on_httpx_is_reported(tmp_path, monkeypatch):
    dist = tmp_path / "fancy_sdk-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fancy-sdk\nVersion: 1.0\nRequires-Dist: httpx>=0.27\n")
    (dist / "top_level.txt").write_text("fancy_sdk\n")
    (dist / "RECORD").write_text("fancy_sdk/__init__.py,,\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _httpx2_checks._distributions.cache_clear()
    _httpx2_checks._built_on_httpx.cache_clear()
    try:
        assert "fancy_sdk" in importlib.metadata.packages_distributions()
        result = _moved("import httpx\nfrom fancy_sdk import Api\n\nApi(http_client=httpx.Client())\n")
        (tmp_path / "fancy_sdk").mkdir()  # the project's own package: not reported
        (tmp_path / "fancy_sdk" / "__init__.py").write_text("")
        own = migrate_source("import httpx\nimport fancy_sdk\n", str(tmp_path / "tests" / "test_own.py"), MOVE)
    finally:
        _httpx2_checks._distributions.cache_clear()
        _httpx2_checks._built_on_httpx.cache_clear()
    [found] = [f for f in result.findings if f.code == "httpx-package"]
    assert found.line == 2 and "fancy-sdk" in found.message and "httpx2" in result.code
    assert "httpx-package" not in [f.code for f in own.findings] and "httpx2" in own.code


# ---- dependency files -----------------------------------------------------------------------------
def test_needs_for_httpx2():
    needs = needs_from([features("import httpx2\nimport respx\nimport httpx\n"), features("import httpx2\n")], "httpx2")
    assert needs.httpx and needs.drop_httpx and needs.after == {"respx": ["pytest-httpx2>=1.0"]}
    assert needs.httpx_requirement() == "httpx2>=2.16"
    assert not needs_from([features("import httpx\n"), features("import httpx2\n")], "httpx2").drop_httpx


def test_requirements_move_to_httpx2_keeping_extras_markers_and_comments():
    needs = Needs(target="httpx2", httpx=True, drop_httpx=True, drop_requests=True, after={"respx": ["pytest-httpx2>=1.0"]},
                  swaps={"pytest-httpx": "httpx2-pytest>=2.0"})
    text = "httpx[http2]>=0.27; python_version >= '3.9'  # client\nrespx==0.22\npytest-httpx>=0.30\n"
    edit = rewrite("requirements.txt", text, needs)
    assert edit.text == ("httpx2[http2]>=2.16; python_version >= '3.9'  # client\nrespx==0.22\npytest-httpx2>=1.0\n"
                         "httpx2-pytest>=2.0\n")
    assert [(f.line, f.code) for f in edit.findings] == [(3, "httpx2-pytest-needs-pytest-9")]
    assert rewrite("requirements.txt", edit.text, needs).text == edit.text


def test_requests_becomes_httpx2_in_pyproject_setup_cfg_setup_py_and_poetry():
    needs = Needs(target="httpx2", httpx=True, drop_requests=True)
    assert 'dependencies = ["httpx2>=2.16"]' in rewrite("pyproject.toml", '[project]\ndependencies = ["requests>=2"]\n', needs).text
    assert "    httpx2>=2.16\n" in rewrite("setup.cfg", "[options]\ninstall_requires =\n    requests\n", needs).text
    assert '"httpx2>=2.16"' in rewrite("setup.py", 'setup(install_requires=["requests"])\n', needs).text
    poetry = rewrite("pyproject.toml", '[tool.poetry.dependencies]\nrequests = "^2.31"\n', needs).text
    assert 'httpx2 = "^2.16"' in poetry and "requests" not in poetry


def test_httpx_becomes_httpx2_in_pyproject_setup_py_and_poetry():
    needs = Needs(target="httpx2", httpx=True, drop_httpx=True)
    text = '[project]\ndependencies = ["httpx[socks]>=0.27", "requests"]\n'
    assert 'dependencies = ["httpx2[socks]>=2.16", "requests"]' in rewrite("pyproject.toml", text, needs).text
    assert '"httpx2>=2.16"' in rewrite("setup.py", 'setup(install_requires=["httpx"])\n', needs).text
    assert 'httpx2 = "^2.16"' in rewrite("pyproject.toml", '[tool.poetry.dependencies]\nhttpx = "^0.27"\n', needs).text
    table = '[tool.poetry.dependencies]\nhttpx = { version = "^0.27", extras = ["http2"], optional = true }  # the client\n'
    assert 'httpx2 = { version = "^2.16", extras = ["http2"], optional = true }  # the client\n' in rewrite("pyproject.toml", table, needs).text


# ---- the command line -------------------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--target", "httpx3"], "--target takes httpx or httpx2"),
    (["--from", "urllib3"], "--from takes requests or httpx"),
    (["--from", "httpx"], "add --target httpx2"),
    (["--target", "httpx2", "--retries", "httpx-retries"], "httpx-retries works with httpx only"),
])
def test_bad_target_options_exit_2(tmp_path, args, message):
    proc = run(*args, str(tmp_path))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_target_from_the_config_file_and_a_project_moved_twice(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["requests>=2"]\n\n[tool.requests2httpx]\ntarget = "httpx2"\n')
    (tmp_path / "p.py").write_text("import requests\n\n\ndef f(u):\n    return requests.get(u, timeout=3).json()\n")
    proc = run("--no-cache", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "import httpx2\n" in (tmp_path / "p.py").read_text()
    assert '"httpx2>=2.16"' in (tmp_path / "pyproject.toml").read_text()
    again = run("--no-cache", "--check", str(tmp_path))
    assert again.returncode == 0, again.stderr


def test_httpx_names_imported_one_by_one_in_a_respx_file():
    """``from httpx import Response``, respx's answers: Response stays httpx's, the rest of the import
    moves; an exception class imported by name is given to respx built."""
    code = _moved("""
        import respx
        from httpx import Client, ConnectError, Response

        @respx.mock(base_url="https://x.test")
        def test_x(respx_mock):
            respx_mock.get("/a").mock(return_value=Response(204))
            respx_mock.get("/b").mock(side_effect=ConnectError)
            with Client() as client:
                assert client.get("https://x.test/a").status_code == 204
    """).code
    assert "from httpx import Response\nfrom httpx2 import Client, ConnectError\n" in code
    assert 'side_effect=ConnectError("Mock Error")' in code and "return_value=Response(204)" in code


def test_a_response_class_imported_by_name_and_used_otherwise_too_keeps_the_file():
    source = textwrap.dedent("""
        import respx
        from httpx import Response

        @respx.mock
        def test_x():
            respx.get("https://x.test").mock(return_value=Response(204))
            assert isinstance(fetch(), Response)
    """)
    result = _moved(source)
    assert result.code == source
    assert any(f.code == "httpx2-not-moved" and "Response" in f.message for f in result.findings)


def test_an_optional_import_guard_moves_with_its_none():
    code = _moved("try:\n    import httpx\nexcept ImportError:\n    httpx = None\n\n\ndef f():\n    return httpx and httpx.get\n").code
    assert code == "try:\n    import httpx2\nexcept ImportError:\n    httpx2 = None\n\n\ndef f():\n    return httpx2 and httpx2.get\n"
    guarded = migrate_source("try:\n    import requests\nexcept ImportError:\n    requests = None\n\n\ndef f(u):\n"
                             "    return requests.get(u, timeout=1)\n", "m.py", TO_HTTPX2).code
    assert "    import httpx2\n" in guarded and "    httpx2 = None\n" in guarded and "httpx2.get(" in guarded


def test_a_requests_mock_library_becomes_respx_with_pytest_httpx2():
    needs = needs_from([features("import httpx2\n"), features("import respx\nimport httpx2\n")], "httpx2")
    text = rewrite("requirements-dev.txt", "responses==0.25\npytest\n", needs).text
    assert text == "respx>=0.21\npytest-httpx2>=1.0\npytest\n"
    toml = rewrite("pyproject.toml", '[project.optional-dependencies]\ntest = ["requests-mock", "pytest"]\n', needs).text
    assert 'test = ["respx>=0.21", "pytest-httpx2>=1.0", "pytest"]' in toml


def test_a_respx_router_serving_as_a_transport_goes_through_an_adapter():
    source = "import httpx\nimport respx\n\nrouter = respx.Router()\nclient = httpx.Client(transport=httpx.MockTransport(router.handler))\n"
    code = _moved(source).code
    assert "httpx2.MockTransport(_respx_handler(router.handler))" in code and "def _respx_handler(handler):" in code
    assert "import httpx\nimport httpx2\nimport respx\n" in code
    assert migrate_source(code, "tests/test_m.py", MOVE).code == code  # written once
    asynchronous = source.replace("router.handler", "router.async_handler")
    result = _moved(asynchronous)
    assert result.code == asynchronous and any(f.code == "httpx2-not-moved" for f in result.findings)


def test_review_cases_of_the_respx_move():
    """A route's side_effect set as an attribute is built; using="httpcore" becomes httpcore2's;
    ``import httpx2 as httpx`` with a fallback stays as it is."""
    code = _moved("""
        import httpx
        import respx

        def test_x():
            with respx.mock(using="httpcore") as router:
                route = router.get("https://x.test")
                route.side_effect = httpx.ConnectError
    """).code
    assert 'using="httpcore2"' in code and 'route.side_effect = httpx2.ConnectError("Mock Error")' in code
    fallback = "try:\n    import httpx2 as httpx\nexcept ImportError:\n    import httpx\n\nhttpx.get\n"
    result = _moved(fallback)
    assert result.code == fallback and any(f.code == "httpx2-not-moved" for f in result.findings)


def _two_mock_libraries(root, code: str, first_test: str) -> None:
    (root / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["httpx>=0.27", "requests>=2"]\n\n'
                                         '[project.optional-dependencies]\ntest = ["respx", "pytest-httpx"]\n')
    (root / "p").mkdir()
    (root / "p" / "__init__.py").write_text("")
    (root / "p" / "api.py").write_text(code)
    (root / "tests").mkdir()
    (root / "tests" / "test_a.py").write_text(first_test)
    (root / "tests" / "test_b.py").write_text(
        "import httpx\n\nfrom p import api\n\n\ndef test_b(httpx_mock):\n    httpx_mock.add_response(json={'a': 1})\n"
        "    assert api.fetch('https://x.test') == {'a': 1}\n")


@pytest.mark.parametrize("source, code, first_test", [
    ("httpx", "import httpx\n\n\ndef fetch(u):\n    return httpx.get(u).json()\n",
     "import httpx\nimport respx\n\nfrom p import api\n\n\n@respx.mock\ndef test_a():\n    respx.get('https://x.test').respond(json={})\n"
     "    assert api.fetch('https://x.test') == {}\n"),
    ("requests", "import requests\n\n\ndef fetch(u):\n    return requests.get(u, timeout=5).json()\n",
     "import responses\n\nfrom p import api\n\n\n@responses.activate\ndef test_a():\n    responses.get('https://x.test', json={})\n"
     "    assert api.fetch('https://x.test') == {}\n"),
])
def test_a_package_whose_tests_need_both_httpx2_mock_plugins_stays_on_httpx(tmp_path, source, code, first_test):
    """respx (pytest-httpx2) and pytest-httpx (httpx2-pytest) install the same module on httpx2: the
    package stays on httpx, whole, and each file using one of them says why; its tests pass."""
    _two_mock_libraries(tmp_path, code, first_test)
    proc = run("--no-cache", "--from", source, "--target", "httpx2", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("httpx2-mock-libraries") == 2, proc.stderr
    assert "test_a.py:" in proc.stderr and "test_b.py:6" in proc.stderr
    texts = [p.read_text() for p in tmp_path.rglob("*.py")] + [(tmp_path / "pyproject.toml").read_text()]
    assert not any("httpx2" in t for t in texts)
    assert "import httpx\n" in (tmp_path / "p" / "api.py").read_text()
    assert "import respx\n" in (tmp_path / "tests" / "test_a.py").read_text()
    proc = run_pytest(tmp_path / "tests")
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr
    again = run("--no-cache", "--check", "--from", source, "--target", "httpx2", str(tmp_path))
    assert again.returncode == 1 and again.stderr.count("httpx2-mock-libraries") == 2, again.stderr


def test_files_linked_to_a_file_that_stays_on_httpx_stay_with_it(tmp_path):
    """api.py cannot move (httpx-retries); the client module it uses, the test patching it and the
    unrelated module differ: only what is linked to api.py by imports stays, and the tests pass."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "__init__.py").write_text("")
    (tmp_path / "p" / "errors.py").write_text("import httpx\n\n\ndef fail(u):\n    raise httpx.ConnectError('down')\n")
    (tmp_path / "p" / "api.py").write_text(
        "import httpx\nimport httpx_retries\n\nfrom p.errors import fail\n\n\ndef fetch(u):\n    try:\n        fail(u)\n"
        "    except httpx.HTTPError:\n        return None\n")
    (tmp_path / "p" / "other.py").write_text("import httpx\n\n\ndef get(u):\n    return httpx.get(u)\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(
        "from unittest import mock\n\nfrom p import api\n\n\ndef test_fetch():\n    with mock.patch('p.api.httpx.get'):\n"
        "        assert api.fetch('u') is None\n")
    before = {p: p.read_text() for p in tmp_path.rglob("*.py")}
    proc = run("--no-cache", "--from", "httpx", "--target", "httpx2", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    changed = {p.relative_to(tmp_path).as_posix() for p, text in before.items() if p.read_text() != text}
    assert changed == {"p/other.py"}, changed
    assert proc.stderr.count("httpx2-not-moved") == 3, proc.stderr  # api.py, and errors.py and the test with it
    assert "p/errors.py:1:1: error [httpx2-not-moved]" in proc.stderr.replace(str(tmp_path) + "/", "")
    if importlib.util.find_spec("httpx_retries"):  # (a test extra)
        proc = run_pytest(tmp_path / "tests")
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_patch_targets_in_keywords_constants_and_type_strings_move():
    code = _moved("""
        from typing import TypeVar, cast
        from unittest import mock

        import httpx

        TARGET = "pkg.api.httpx.Client"
        C = TypeVar("C", bound="httpx.Client")
        Alias = "list[httpx.Response] | None"

        def test_x():
            with mock.patch(target="pkg.api.httpx.get"), mock.patch(TARGET), mock.patch(f"{__name__}.httpx.get"):
                client = cast("httpx.Client", object())
            assert "httpx.Client" != "said httpx.Client here"
    """).code
    assert 'TARGET = "pkg.api.httpx2.Client"' in code and 'bound="httpx2.Client"' in code
    assert 'Alias = "list[httpx2.Response] | None"' in code and 'mock.patch(target="pkg.api.httpx2.get")' in code
    assert 'cast("httpx2.Client", object())' in code and '"said httpx.Client here"' in code  # prose stays
    assert 'mock.patch(f"{__name__}.httpx2.get")' in code


def test_a_projects_own_httpx_module_keeps_its_name_in_patch_targets(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "httpx.py").write_text("def helper():\n    return 1\n")
    (tmp_path / "tests").mkdir()
    test = tmp_path / "tests" / "test_x.py"
    source = "from unittest import mock\n\nimport httpx\n\n\ndef test_x():\n    with mock.patch('pkg.httpx.helper'), mock.patch('pkg.api.httpx.get'):\n        httpx.get\n"
    code = migrate_source(source, str(test), MOVE).code
    assert "mock.patch('pkg.httpx.helper')" in code and "mock.patch('pkg.api.httpx2.get')" in code


def test_loggers_of_httpx_and_httpcore_are_httpx2s():
    code = _moved("import logging\n\nimport httpx\n\nlogging.getLogger('httpx').setLevel(logging.WARNING)\n"
                  "logging.getLogger(name='httpcore.connection')\nlogging.getLogger('httpx_auth')\n").code
    assert "getLogger('httpx2')" in code and "getLogger(name='httpcore2.connection')" in code
    assert "getLogger('httpx_auth')" in code


def test_logger_names_are_those_httpx2_logs_under():
    import httpx2
    import logging

    seen = []
    handler = logging.Handler()
    handler.emit = seen.append
    logging.getLogger("httpx2").addHandler(handler)
    logging.getLogger("httpx2").setLevel(logging.INFO)
    try:
        with httpx2.Client(transport=httpx2.MockTransport(lambda r: httpx2.Response(200))) as client:
            client.get("https://x.test")
    finally:
        logging.getLogger("httpx2").removeHandler(handler)
    assert seen and seen[0].name == "httpx2"


def test_a_module_re_exporting_httpx_stays():
    result = _moved("import httpx\n\n__all__ = ['httpx', 'get']\n\n\ndef get(u):\n    return httpx.get(u)\n")
    assert "httpx2" not in result.code
    [error] = [f for f in result.findings if f.code == "httpx2-not-moved"]
    assert error.line == 3 and "__all__" in error.message


def test_respx_gaps_function_level_response_status_errors_and_side_effects_by_name():
    result = _moved("""
        import httpx
        import pytest
        import respx

        @pytest.mark.parametrize("exc", [httpx.ConnectError])
        def test_x(exc):
            from httpx import Response
            with respx.mock() as router:
                router.get("https://x.test/a").mock(return_value=Response(204))
                router.get("https://x.test/b").mock(side_effect=exc)
                router.get("https://x.test/c").mock(side_effect=[httpx.HTTPStatusError, httpx.ReadTimeout])
    """)
    code = result.code
    assert "    from httpx import Response\n" in code
    assert "side_effect=[httpx2.HTTPStatusError, httpx2.ReadTimeout(\"Mock Error\")]" in code
    assert [f.line for f in result.findings if f.code == "httpx2-respx-side-effect"] == [11]


def test_respx_answers_alone_leave_no_unused_httpx2_import():
    code = _moved("import httpx\nimport respx\n\n\n@respx.mock\ndef test_x():\n    respx.get('u').mock(return_value=httpx.Response(200))\n").code
    assert "import httpx2" not in code and "import httpx\n" in code


@pytest.mark.parametrize("source", ["requests", "httpx"])
def test_a_later_run_keeps_reporting_what_the_move_left_to_check(tmp_path, source):
    """The certifi warning stays until a person deals with it; the once-only info does not repeat;
    a silenced line is counted."""
    (tmp_path / "p.py").write_text(
        f"import os\n\nimport {source}\n\nCA = os.environ['CURL_CA_BUNDLE']  # requests2httpx: ignore[httpx2-trust-store]\n"
        f"BUNDLE = os.environ['REQUESTS_CA_BUNDLE']\n\n\ndef f(u):\n    return {source}.get(u, timeout=3)\n")
    first = run("--no-cache", "--from", source, "--target", "httpx2", str(tmp_path))
    assert first.returncode == 0 and "import httpx2" in (tmp_path / "p.py").read_text(), first.stderr
    again = run("--no-cache", "--check", "--from", source, "--target", "httpx2", str(tmp_path))
    lines = [line for line in again.stderr.splitlines() if "httpx2-trust-store" in line]
    assert [line.split(":")[1] for line in lines] == ["6"] and "warning" in lines[0], again.stderr
    assert "; 1 suppressed" in again.stderr, again.stderr


def test_findings_of_a_file_left_unchanged_speak_of_httpx2():
    source = "import requests\n\n\ndef f(u, h):\n    return requests.get(u, hooks=h, timeout=3)\n"
    result = migrate_source(source, "m.py", TO_HTTPX2)
    assert result.code == source and result.findings
    assert not any(re.search(r"\bhttpx\b(?![-_2])", f.message + f.hint) for f in result.findings), result.findings


def test_a_mock_transports_own_handler_answers_with_httpx2_in_a_respx_file(tmp_path):
    """Seen on replicate: a test file using respx also hands httpx.MockTransport a function of its
    own (through mock.Mock(side_effect=...)); httpx2's MockTransport takes httpx2's responses."""
    source = textwrap.dedent("""
        from unittest import mock

        import httpx
        import respx


        def test_own_handler():
            def answer(request):
                return httpx.Response(401, json={})

            wrapper = mock.Mock(side_effect=answer)
            with httpx.Client(transport=httpx.MockTransport(wrapper)) as client:
                assert client.get("https://x.test").status_code == 401
            with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(204))) as client:
                assert client.get("https://x.test").status_code == 204


        def test_respx_route():
            with respx.mock(base_url="https://x.test") as router:
                router.get("/a").mock(return_value=httpx.Response(201))
                assert httpx.get("https://x.test/a").status_code == 201
    """)
    code = _moved(source).code
    assert "return httpx2.Response(401" in code and "lambda r: httpx2.Response(204)" in code
    assert "return_value=httpx.Response(201)" in code
    (tmp_path / "test_before.py").write_text(source)
    (tmp_path / "test_after.py").write_text(code)
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0 and "4 passed" in proc.stdout, proc.stdout + proc.stderr


def test_respx_imported_for_type_checkers_alone_means_the_fixture_is_pytest_httpx2s(tmp_path):
    """Seen on todoist-api-python: respx imported under TYPE_CHECKING, its fixture used; no name
    respx exists when the tests run, so nothing may be written through it."""
    source = textwrap.dedent("""
        from __future__ import annotations

        from typing import TYPE_CHECKING

        import httpx

        if TYPE_CHECKING:
            import respx


        def test_x(respx_mock: respx.MockRouter) -> None:
            respx_mock.get("https://x.test/a").mock(return_value=httpx.Response(204))
            assert httpx.get("https://x.test/a").status_code == 204
            assert len(respx_mock.calls) == 1
    """)
    code = _moved(source).code
    assert "def test_x(httpx2_mock: respx.MockRouter)" in code and "len(httpx2_mock.calls)" in code
    assert "respx.mocks" not in code and "_respx_mocks_httpx2" not in code
    (tmp_path / "test_before.py").write_text(source)
    (tmp_path / "test_after.py").write_text(code)
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0 and "2 passed" in proc.stdout, proc.stdout + proc.stderr
