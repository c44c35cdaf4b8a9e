"""Where the ``_requests_*`` helpers go: after the imports (and a guarded import of httpx), before
any code that may call them, without taking the comments of the statement they are put above."""

from __future__ import annotations

import subprocess
import sys

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

SCRIPT = '''import requests

# the service's address
URL = "http://127.0.0.1:9/"


def main(url):
    return requests.get(url).text


if __name__ == "__main__":
    import httpx

    print(main(URL))
'''


def test_helpers_go_before_the_code_that_calls_them_and_keep_the_comments_there(tmp_path):
    out = migrate_source(SCRIPT, "app.py", Options()).code
    assert out.index("def _requests_text(") < out.index('# the service\'s address\nURL = "http://127.0.0.1:9/"')
    assert out.index('URL = "http://127.0.0.1:9/"') < out.index("def main(url):") < out.index('if __name__ == "__main__":')
    # run as a script, the helper exists when main() calls it (the port refuses: httpx says so)
    path = tmp_path / "app.py"
    path.write_text(out)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert "ConnectError" in proc.stderr and "NameError" not in proc.stderr, proc.stderr
