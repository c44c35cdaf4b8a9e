"""migrate -i through a real pseudo-terminal (pexpect), and the partial-selection logic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrator.interactive import assemble, hunks, make_consistent

pexpect = pytest.importorskip("pexpect")

SOURCE = '''import requests

TIMEOUT_NOTE = "requests waits forever by default"
RETRIES = 3


def first(url):
    """Status of a GET."""
    # kept apart from the import so that each change is its own hunk
    return requests.get(url).status_code


def unrelated():
    return [1, 2, 3]


def second(url):
    return requests.post(url, json={}).status_code
'''
PROMPT = r"Apply this hunk to .*\[y,n,a,d,q,\?\]\? "


def spawn(path: Path):
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "-i", "--no-format", str(path)],
                          encoding="utf-8", timeout=60, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    return child


def test_approving_every_hunk_writes_the_full_migration(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    child = spawn(path)
    child.expect(PROMPT)
    child.sendline("a")
    child.expect("1 file written")
    child.expect(pexpect.EOF)
    text = path.read_text()
    assert "import requests" not in text and text.count("httpx.") == 2


def test_rejecting_a_hunk_keeps_requests_imported_for_the_rest(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    child = spawn(path)
    answers = []
    while True:
        index = child.expect([PROMPT, "file written", pexpect.EOF])
        if index != 0:
            break
        hunk = child.before
        answer = "n" if "requests.post" in hunk else "y"
        answers.append(answer)
        child.sendline(answer)
    text = path.read_text()
    assert "n" in answers and "y" in answers
    assert "import requests\n" in text and "import httpx\n" in text  # both still needed
    assert "requests.post(url, json={})" in text and "httpx.get(url" in text
    compile(text, "app.py", "exec")


def test_help_and_quit_write_nothing_more(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    child = spawn(path)
    child.expect(PROMPT)
    child.sendline("?")
    child.expect("apply this hunk and all later hunks")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect("0 files written")
    child.expect(pexpect.EOF)
    assert path.read_text() == SOURCE


def test_refuses_without_a_terminal(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE)
    proc = subprocess.run([sys.executable, "-m", "migrator", "-i", str(path)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "-i needs a terminal" in proc.stderr
    assert path.read_text() == SOURCE


def test_partial_selection_that_cannot_compile_is_detected():
    old = "import requests\n\nx = (\n    requests.get('u')\n)\n"
    assert make_consistent(old, old, "x = (\n") is None


def test_assemble_and_fix_imports_for_one_hunk():
    new = SOURCE.replace("import requests", "import httpx").replace(
        "requests.get(url)", "httpx.get(url)").replace("requests.post(url, json={})", "httpx.post(url, json={})")
    parts = hunks(SOURCE, new)
    only_get = [h for h in parts if "httpx.get" in h.text and "httpx.post" not in h.text]
    partial = make_consistent(SOURCE, new, assemble(SOURCE, new, only_get))
    assert partial is not None
    assert "import requests" in partial and "import httpx" in partial


def test_progress_bar_then_ctrl_c_stops_cleanly_with_no_half_written_file(tmp_path):
    source = (Path(__file__).parent.parent / "fixtures" / "response_api" / "basic" / "before.py").read_text()
    for i in range(600):
        (tmp_path / f"m{i:03}.py").write_text(source)
    child = pexpect.spawn(sys.executable, ["-m", "migrator", "--jobs", "2", str(tmp_path)],
                          encoding="utf-8", timeout=120, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    child.expect("migrating")  # the progress bar: stderr is a terminal here
    child.sendintr()
    child.expect("interrupted; no file was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not [n for n in names if n.startswith(".requests2httpx-")]  # no temp file left behind
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert text == source or ("import httpx" in text and "import requests" not in text)
        compile(text, str(path), "exec")
