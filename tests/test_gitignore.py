"""Which files a run takes follows git's own reading of ignore files: checked against
``git ls-files --others --exclude-standard`` on a real repository (nested .gitignore files,
negations, directory patterns, anchoring, ``**``, and .git/info/exclude)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from migrator.project.discovery import discover

FILES = [
    "a.py", "keep_me.py", "gen_x.py", "deep/gen_y.py", "deep/gen_keep.py", "build_out/x.py", "src/pkg/mod.py",
    "src/pkg/_version.py", "src/pkg/tmp/scratch.py", "src/pkg/sub/tmp.py", "docs/conf.py", "docs/api/gen.py",
    "notes/local.py", "notes/shared.py", "top.py", "x/top.py", "logs/a/b.py",
]
IGNORES = {
    ".gitignore": "gen_*.py\n!gen_keep.py\nbuild_*/\n/top.py\nlogs/**/b.py\n# a comment\n\n",
    "src/.gitignore": "pkg/_version.py\ntmp/\n",
    "docs/.gitignore": "api/\n!conf.py\n",
    "notes/.gitignore": "*.py\n!shared.py\n",
}
EXCLUDE = "keep_me.py\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_files_taken_are_those_git_does_not_ignore(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("import requests\n")
    for name, text in IGNORES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / ".git" / "info" / "exclude").write_text(EXCLUDE)
    git = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", "*.py"], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.split()
    assert "top.py" not in git and "x/top.py" in git and "keep_me.py" not in git and "deep/gen_keep.py" in git  # (the case)
    taken = discover([str(tmp_path)])
    assert sorted(p.removeprefix(str(tmp_path) + "/") for p in taken) == sorted(git)
