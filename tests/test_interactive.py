"""migrate -i through a real pseudo-terminal (pexpect), and the partial-selection logic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrator.cli.interactive import assemble, hunks, make_consistent

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
PROMPT = r"(?:Apply this change to|Migrate .* in) .*\[y,n,a,d,q,s,\?\]\? "


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
    child.expect("apply this change and every later one")
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


# The command, run with a pause where the test wants Ctrl-C to land: the pause announces itself
# (the test then sends Ctrl-C), so where the interrupt lands never depends on timing.
_PAUSED_RUN = r"""
import signal, sys, time
from migrator.cli import commands

where, args = sys.argv[1], sys.argv[2:]
if where == "run":
    real_run = commands.run

    def run(files, options, jobs, progress, cache):
        def advance(n):  # the first results are in, the pool is busy with the others
            if progress:
                progress(n)
            print("@@paused@@", file=sys.stderr, flush=True)
            time.sleep(120)

        return real_run(files, options, jobs, advance, cache)

    commands.run = run
else:
    real_write, calls = commands.atomic_write, []

    def atomic_write(path, data):  # the third file is being written when Ctrl-C comes
        calls.append(path)
        if len(calls) == 3:
            print("@@paused@@", file=sys.stderr, flush=True)
            while signal.SIGINT not in signal.sigpending():  # held off while a file is written
                time.sleep(0.01)
        real_write(path, data)

    commands.atomic_write = atomic_write
sys.argv = ["migrate", *args]
commands.main()
"""


def _interrupt(where: str, folder: Path, count: int, *args: str):
    source = (Path(__file__).parent.parent / "fixtures" / "response_api" / "basic" / "before.py").read_text()
    for i in range(count):
        (folder / f"m{i:03}.py").write_text(source)
    child = pexpect.spawn(sys.executable, ["-c", _PAUSED_RUN, where, "--no-cache", *args, str(folder)],
                          encoding="utf-8", timeout=120, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    child.expect("@@paused@@")
    shown = child.before
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".requests2httpx-")]  # no temp file left behind
    return child.exitstatus, shown + child.before, source


def test_progress_bar_then_ctrl_c_stops_cleanly_and_writes_nothing(tmp_path):
    status, output, source = _interrupt("run", tmp_path, 60, "--jobs", "2")
    assert "migrating" in output  # the progress bar: stderr is a terminal here
    assert "migrate: interrupted; no file was written" in output
    assert status == 130
    assert [p.name for p in tmp_path.iterdir() if p.read_text() != source] == []


def test_ctrl_c_while_writing_finishes_the_file_being_written_and_says_how_many(tmp_path):
    status, output, source = _interrupt("write", tmp_path, 6, "--jobs", "1")
    assert "migrate: interrupted; 3 files were written in full, every other file left as it was" in output
    assert "Traceback" not in output
    assert status == 130
    changed = sorted(p.name for p in tmp_path.iterdir() if p.read_text() != source)
    assert changed == ["m000.py", "m001.py", "m002.py"]
    for name in changed:
        text = (tmp_path / name).read_text()
        assert "import httpx" in text and "import requests" not in text
        compile(text, name, "exec")


def test_an_httpx_import_nothing_uses_any_more_is_dropped():
    old = "import requests\n\n\ndef f(u):\n    return requests.get(u)\n"
    new = "import httpx\n\n\ndef f(u):\n    return httpx.get(u)\n"
    partial = make_consistent(old, new, "import httpx\n\n\ndef f(u):\n    return requests.get(u)\n")
    assert partial == old
