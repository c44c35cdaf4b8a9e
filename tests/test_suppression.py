"""``# requests2httpx: ignore`` keeps a line on requests on purpose; ``ignore[codes]`` silences findings."""

from __future__ import annotations

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

SOURCE = '''import requests


def f(url):
    keep = requests.get(url, stream=True)  # requests2httpx: ignore
    moved = requests.get(url)
    noisy = requests.post(url, data=url.encode() if url else None)  # requests2httpx: ignore[data-type-unknown]
    return keep, moved, noisy
'''


def test_ignored_statement_is_left_alone_and_keeps_its_import():
    result = migrate_source(SOURCE, "x.py", Options(format=False))
    lines = result.code.splitlines()
    assert lines[0] == "import requests" and lines[1] == "import httpx"
    assert "keep = requests.get(url, stream=True)  # requests2httpx: ignore" in result.code
    assert "moved = httpx.get(url, follow_redirects=True, timeout=None)" in result.code
    assert all(f.line != 5 for f in result.findings)


def test_an_ignored_import_line_is_kept_as_it_is_while_the_code_migrates():
    source = "import requests  # requests2httpx: ignore\n\n\ndef f(u):\n    return requests.get(u).status_code\n"
    result = migrate_source(source, "x.py", Options(format=False))
    assert result.code.splitlines()[:2] == ["import requests  # requests2httpx: ignore", "import httpx"]
    assert "return httpx.get(u, follow_redirects=True, timeout=None).status_code" in result.code


def test_ignore_with_codes_rewrites_but_silences_those_codes():
    result = migrate_source(SOURCE, "x.py", Options(format=False))
    assert "noisy = httpx.post(" in result.code
    assert "data-type-unknown" not in [f.code for f in result.findings]
    assert result.suppressed == 2  # the ignored statement and the silenced finding


def test_ignored_with_header_keeps_the_session_but_migrates_the_body():
    source = (
        "import requests\n\n\ndef f(url):\n"
        "    with requests.Session() as s:  # requests2httpx: ignore\n"
        "        r = requests.get(url)\n"
        "    return s, r\n"
    )
    result = migrate_source(source, "x.py", Options(format=False))
    assert "with requests.Session() as s:  # requests2httpx: ignore" in result.code
    assert "r = httpx.get(url" in result.code
    assert result.code.startswith("import requests\nimport httpx\n")


def test_check_passes_on_a_file_whose_only_requests_use_is_ignored(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "legacy.py"
    path.write_text("import requests\n\nSESSION = requests.Session()  # requests2httpx: ignore\n")
    proc = subprocess.run([sys.executable, "-m", "migrator", "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "1 suppressed" in proc.stderr
