"""Benchmark: migrate --dry-run on a monorepo-shaped corpus, against the floor and LibCST's runner.

    python bench/run.py [--packages 100] [--repeat 2] [--skip-libcst] [--keep DIR] [--baseline CHECKOUT]

The corpus: the Python standard library as background code that never imports requests, plus the
fixtures' before.py files (the code that does) copied into N packages. Measured:

- floor: read every file, plus ``libcst.parse_module(src).code`` of the files importing requests,
  in this process;
- LibCST's own runner doing a trivial rename (``python -m libcst.tool codemod rename.RenameCommand``,
  ``-j 2``);
- ``migrate --dry-run --jobs 2 --no-cache`` with every codemod, on the full corpus (also with
  ``--no-format``) and on a quarter of the packages (time should grow linearly);
- the same run twice with the cache of earlier results, timing the second (nothing changed).

Each measurement is the least of ``--repeat`` runs (default 2; LibCST's runner runs once).
Prints lines/s, each command's ratio to the floor, and the peak memory (max RSS) of each
command's own process and of its largest worker (read from /proc: Linux).
Not a test: numbers depend on the machine; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS_REQUESTS = re.compile(rb"^[ \t]*(?:from[ \t]+requests\b|import[ \t]+[^#\n]*\brequests\b)", re.M)


def build(corpus: Path, packages: int) -> tuple[int, int]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    background = corpus / "background"
    shutil.copytree(stdlib, background, ignore=shutil.ignore_patterns("site-packages", "test", "tests", "__pycache__", "idlelib", "lib2to3", "*.pyc"))
    fixtures = sorted(p for p in (ROOT / "fixtures").glob("*/*/before.py") if "demo_project" not in str(p))
    demo = sorted((ROOT / "fixtures" / "demo_project" / "weather").glob("*.py"))
    for k in range(packages):
        package = corpus / f"pkg{k:03}"
        (package / "src").mkdir(parents=True)
        (package / "pyproject.toml").write_text(f'[project]\nname = "pkg{k:03}"\ndependencies = ["requests>=2.31"]\n')
        for i, path in enumerate(fixtures + demo):
            (package / "src" / f"m{i:02}_{path.parent.name}.py").write_text(path.read_text())
    files = list(corpus.rglob("*.py"))
    return len(files), sum(len(f.read_bytes().splitlines()) for f in files)


def floor(corpus: Path) -> tuple[float, int, int]:
    import libcst

    start = time.perf_counter()
    lines = requests_lines = 0
    for path in corpus.rglob("*.py"):
        data = path.read_bytes()
        lines += data.count(b"\n")
        if IMPORTS_REQUESTS.search(data):
            requests_lines += data.count(b"\n")
            libcst.parse_module(data.decode("utf-8")).code
    return time.perf_counter() - start, lines, requests_lines


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as fh:
                    parents[int(entry.name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        kids = [c for c, p in parents.items() if p == pid]
        out += kids
        todo += kids
    return out


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def best(cmd: list[str], cwd: Path, repeat: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """:func:`timed`, the least time of ``repeat`` runs (and the largest peaks)."""
    runs = [timed(cmd, cwd, env) for _ in range(max(1, repeat))]
    return min(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(seconds, peak RSS in MiB of the command's own process, largest peak RSS of its workers).

    Peaks are read from /proc while the command runs (VmHWM, which only grows)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    main_peak, worker_peaks = 0, {}
    while True:
        main_peak = max(main_peak, _peak_kib(proc.pid))
        for pid in _descendants(proc.pid):
            worker_peaks[pid] = max(worker_peaks.get(pid, 0), _peak_kib(pid))
        try:
            _, stderr = proc.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            continue
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return elapsed, main_peak / 1024, max(worker_peaks.values(), default=0) / 1024


def compare(migrate: list[str], corpus: Path, floor_seconds: float, baseline: Path, repeat: int) -> None:
    """The baseline's and this tree's cold runs, in turns (the machine drifts; turns see the same drift)."""
    trees = {"baseline": baseline, "this tree": ROOT}
    times: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(max(1, repeat)):
        for name, tree in trees.items():
            times[name].append(timed(migrate, corpus, {**os.environ, "PYTHONPATH": str(tree)})[0])
    for name, tree in trees.items():
        print(f"{name} ({tree}): {min(times[name]):.2f} s, {min(times[name]) / floor_seconds:.2f}x the floor "
              f"(runs: {', '.join(f'{t:.2f}' for t in times[name])})")
    print(f"this tree / baseline: {min(times['this tree']) / min(times['baseline']):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=100)
    parser.add_argument("--skip-libcst", action="store_true", help="skip LibCST's runner (slow)")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--repeat", type=int, default=2, help="run each measurement this many times, keep the least (default 2; LibCST's runner once)")
    parser.add_argument("--baseline", type=Path, help="a checkout of the tool (say, of the last release) to time in turns with this one, "
                        "cold, on the same corpus: only the two ratios to the floor are measured")
    args = parser.parse_args()

    corpus = args.keep or Path(tempfile.mkdtemp(prefix="r2h-bench-"))
    try:
        files, total_lines = build(corpus, args.packages)
        # every measurement is the least of --repeat runs: this kind of machine drifts
        seconds, lines, requests_lines = min(floor(corpus) for _ in range(args.repeat))
        print(f"corpus: {files} files, {total_lines} lines, {requests_lines} lines in files importing requests")
        print(f"floor (read all + parse/codegen requests files, 1 process): {seconds:.2f} s, {lines / seconds:,.0f} lines/s")
        migrate = [sys.executable, "-m", "migrator", "--dry-run", "--jobs", "2", "-q", "--no-cache", "."]
        if args.baseline is not None:
            compare(migrate, corpus, seconds, args.baseline.resolve(), args.repeat)
            return
        m_seconds, m_main, m_worker = best(migrate, corpus, args.repeat)
        print(f"migrate --dry-run --jobs 2: {m_seconds:.2f} s, {lines / m_seconds:,.0f} lines/s, "
              f"{m_seconds / seconds:.2f}x the floor, peak RSS {m_main:.0f} MiB (main), {m_worker:.0f} MiB (largest worker)")
        unformatted, _, _ = best([*migrate[:-1], "--no-format", "."], corpus, args.repeat)
        print(f"  the same with --no-format: {unformatted:.2f} s, {unformatted / seconds:.2f}x the floor")
        quarter = [str(p.relative_to(corpus)) for p in sorted(corpus.glob("pkg*"))[: max(1, args.packages // 4)]]
        q_seconds, q_main, q_worker = best([*migrate[:-1], "background", *quarter], corpus, args.repeat)
        print(f"  a quarter of the packages: {q_seconds:.2f} s (full/quarter time ratio {m_seconds / q_seconds:.2f}), "
              f"peak RSS {q_main:.0f} MiB (main), {q_worker:.0f} MiB (largest worker)")
        cache = corpus.parent / (corpus.name + "-cache")
        env = {**os.environ, "REQUESTS2HTTPX_CACHE_DIR": str(cache)}
        cached = [c for c in migrate if c != "--no-cache"]
        timed(cached, corpus, env)  # fills the cache
        w_seconds, _, _ = best(cached, corpus, args.repeat, env)
        shutil.rmtree(cache, ignore_errors=True)
        print(f"  run again with the cache (nothing changed): {w_seconds:.2f} s, {w_seconds / seconds:.2f}x the floor")
        if not args.skip_libcst:
            (corpus / ".libcst.codemod.yaml").write_text(
                "generated_code_marker: '@generated'\nformatter: ['black', '-']\nblacklist_patterns: []\n"
                "modules: ['libcst.codemod.commands']\nrepo_root: '.'\n"
            )
            libcst_cmd = [sys.executable, "-m", "libcst.tool", "codemod", "rename.RenameCommand",
                          "--old_name", "requests.get", "--new_name", "httpx.get", "-j", "2", "-u", "1", "--no-format", "."]
            l_seconds, l_main, l_worker = timed(libcst_cmd, corpus)
            print(f"libcst.tool codemod rename, -j 2: {l_seconds:.2f} s, {lines / l_seconds:,.0f} lines/s, "
                  f"{l_seconds / seconds:.2f}x the floor, peak RSS {l_main:.0f} MiB (main), {l_worker:.0f} MiB (largest worker)")
    finally:
        if args.keep is None:
            shutil.rmtree(corpus, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
