"""What making a client per object costs the migrated program (not a test: numbers depend on the machine).

    python bench/client_cost.py [--objects 200]

Migrates ``fixtures/shared_ssl_context/basic/before.py`` twice — as the tool does, and with the
``shared_ssl_context`` codemod left out — and times making (and closing) N ``Account`` objects with
each version and with the requests original.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrator.engine.options import Options  # noqa: E402
from migrator.engine.pipeline import migrate_source  # noqa: E402

SOURCE = ROOT / "fixtures" / "shared_ssl_context" / "basic" / "before.py"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _time(module, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        module.Account("http://127.0.0.1:9", f"u{i}").close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=200)
    n = parser.parse_args().objects
    text = SOURCE.read_text()
    versions = {
        "requests (before)": text,
        "httpx, a context per client": migrate_source(text, "a.py", Options(ignore=("shared_ssl_context",))).code,
        "httpx, one shared context": migrate_source(text, "a.py", Options()).code,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, code) in enumerate(versions.items()):
            path = Path(tmp) / f"v{i}.py"
            path.write_text(code)
            seconds = _time(_load(path, f"v{i}"), n)
            print(f"{label:32} {n} objects: {seconds:.3f} s ({seconds / n * 1000:.3f} ms each)")


if __name__ == "__main__":
    main()
