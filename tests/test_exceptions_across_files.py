"""An except clause migrated in one module of a package catches requests' errors too while another
module of the package keeps sending through requests (pyairtable's utils.py caught only
httpx.HTTPStatusError around calls into its api.py, whose session stays on requests)."""

from __future__ import annotations

import subprocess
import sys

from tests.test_cli import run

KEPT = (  # a session handed out by a public function: kept on requests
    "import requests\n\n\ndef make_session():\n    return requests.Session()\n\n\n"
    "def fetch(url):\n    r = make_session().get(url)\n    r.raise_for_status()\n    return r\n"
)
WRAPPER = (
    "import requests\n\nfrom pkg import api\n\n\ndef fetch_or_none(url):\n    try:\n        return api.fetch(url)\n"
    "    except requests.HTTPError:\n        return None\n"
)


def test_a_handler_around_kept_code_in_another_module_catches_requests_errors(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "api.py").write_text(KEPT)
    (tmp_path / "pkg" / "wrapper.py").write_text(WRAPPER)
    proc = run("--no-cache", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wrapper = (tmp_path / "pkg" / "wrapper.py").read_text()
    assert "except (requests.HTTPError, httpx.HTTPStatusError):" in wrapper
    # and it still catches what the kept code raises (a refused connection is not an HTTPError:
    # raise one from a server answering 404)
    check = (
        "import http.server, threading\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n        self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers()\n"
        "    def log_message(self, *a): pass\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), H)\nthreading.Thread(target=s.serve_forever, daemon=True).start()\n"
        "from pkg import wrapper\nassert wrapper.fetch_or_none(f'http://127.0.0.1:{s.server_port}/') is None\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
