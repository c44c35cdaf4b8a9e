"""An import of requests that nothing uses once the run is over is removed (and the package's
dependency with it), unless another file of the run, a test's patch, ``__all__``, a ``# noqa`` or a
mention in the file's text still needs it; a package's ``__init__.py`` keeps it, with an info."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_cli import run

FILES = {
    "requirements.txt": "requests>=2\n",
    "pkg/__init__.py": "from requests import Session\n",
    "pkg/leftover.py": "import os\nimport requests\nfrom requests import Session\n\n\ndef cwd():\n    return os.getcwd()\n",
    "pkg/only_import.py": "import requests\n",
    "pkg/reexport.py": "import requests\n",
    "pkg/user.py": "from pkg.reexport import requests  # noqa: F401\n\n\ndef status(url):\n    return requests.get(url).status_code\n",
    "pkg/listed.py": "import requests\n\n__all__ = [\"requests\"]\n",
    "pkg/on_purpose.py": "import requests  # noqa: F401 (its adapters register themselves)\n",
    "pkg/mentioned.py": "import requests\n\n\ndef doc():\n    \"\"\"Talks to the service with requests.\"\"\"\n",
    "pkg/patched.py": "import requests\n",
    "tests/test_patched.py": "from unittest import mock\n\n\n@mock.patch(\"pkg.patched.requests\")\ndef test_it(fake):\n    assert fake\n",
}


def _project(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_imports_nothing_needs_are_removed_and_the_dependency_goes(tmp_path):
    project = _project(tmp_path)
    proc = run("--no-cache", "--report", "report.json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    text = {name: (project / name).read_text() for name in FILES}
    assert text["pkg/leftover.py"] == "import os\n\n\ndef cwd():\n    return os.getcwd()\n"
    assert text["pkg/only_import.py"] == ""
    for kept in ("pkg/__init__.py", "pkg/reexport.py", "pkg/listed.py", "pkg/on_purpose.py", "pkg/mentioned.py", "pkg/patched.py"):
        assert text[kept] == FILES[kept], kept
    # user.py was migrated (it calls requests.get); the requests imports left keep the dependency
    report = json.loads((project / "report.json").read_text())
    infos = [f for f in report["findings"] if f["code"] == "requests-import-unused"]
    assert [(f["path"], f["line"]) for f in infos] == [("pkg/__init__.py", 1)]
    # every changed file still compiles, and a second run changes nothing
    for name in FILES:
        if name.endswith(".py"):
            compile(text[name], name, "exec")
    again = run("--no-cache", "--check", ".", cwd=project)
    assert again.returncode == 0 and "0 would change" in again.stderr, again.stderr
    assert {name: (project / name).read_text() for name in FILES} == text


def test_the_package_drops_requests_once_no_file_imports_it(tmp_path):
    (tmp_path / "requirements.txt").write_text("requests>=2\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("import os\nimport requests\n\n\ndef cwd():\n    return os.getcwd()\n")
    assert run("--no-cache", ".", cwd=tmp_path).returncode == 0
    assert "requests" not in (tmp_path / "pkg" / "a.py").read_text()
    assert "requests" not in (tmp_path / "requirements.txt").read_text()
    proc = subprocess.run([sys.executable, "-c", "import pkg.a; print(pkg.a.cwd())"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
