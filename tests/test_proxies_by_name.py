"""proxies= given by name: followed to the dict literal the name is bound to once and never changed
(in the function or at module level), else left and reported, as a literal would be."""

from __future__ import annotations

from migrator.engine.options import Options
from migrator.engine.pipeline import migrate_source

SOURCE = '''import requests

PROXIES = {"http": "http://proxy.local:3128", "https": "http://proxy.local:3128"}
MIXED = {"http": "http://a:1", "https": "http://b:2"}
CHANGED = {"http": "http://a:1", "https": "http://a:1"}
CHANGED["https"] = "http://c:3"
UPDATED = {"all": "http://a:1"}


def via_constant(url):
    return requests.get(url, proxies=PROXIES)


def via_local(url, proxy_url):
    proxies = {"http": proxy_url, "https": proxy_url}
    return requests.get(url, proxies=proxies)


def via_param(url, proxies):
    return requests.get(url, proxies=proxies)


def via_mixed(url):
    return requests.get(url, proxies=MIXED)


def via_changed(url):
    return requests.get(url, proxies=CHANGED)


def via_updated(url):
    UPDATED.update(http="http://d:4")
    return requests.get(url, proxies=UPDATED)


def via_rebound(url, proxy_url):
    proxies = {"all": proxy_url}
    if url.startswith("https"):
        proxies = {"https": proxy_url}
    return requests.get(url, proxies=proxies)
'''


def test_a_dict_bound_once_and_never_changed_gives_its_one_proxy():
    result = migrate_source(SOURCE, "app.py", Options(format=False))
    assert 'proxy=PROXIES["http"]' in result.code
    assert 'proxy=proxies["http"]' in result.code
    reported = sorted(f.line for f in result.findings if f.code == "request-arg-unsupported")
    # the parameter, the dict with two proxies, the one changed by item, by .update(), and one bound twice
    assert reported == [20, 24, 28, 33, 40]
    assert all("requests.get(url, proxies=" in SOURCE.splitlines()[line - 1] for line in reported)
    assert result.code.count("requests.get(url, proxies=") == 5  # each left as it was


def test_a_dict_bound_to_another_name_or_passed_on_may_change_there_so_it_is_reported():
    source = (
        "import requests\n\n"
        'ALIASED = {"http": "http://a:1", "https": "http://a:1"}\n'
        "other = ALIASED\n"
        'other["https"] = "http://b:2"\n'
        'PASSED = {"http": "http://a:1", "https": "http://a:1"}\n'
        "configure(PASSED)\n\n\n"
        "def aliased(url):\n    return requests.get(url, proxies=ALIASED)\n\n\n"
        "def passed(url):\n    return requests.get(url, proxies=PASSED)\n\n\n"
        "def session(url):\n    s = requests.Session()\n    s.proxies = ALIASED\n    return s.get(url)\n"
    )
    result = migrate_source(source, "app.py", Options(format=False))
    assert result.code.count("requests.get(url, proxies=") == 2
    assert "s.proxies = ALIASED" in result.code and "httpx.Client" not in result.code
    assert sorted(f.code for f in result.findings if f.severity == "error") == ["request-arg-unsupported", "request-arg-unsupported", "session-kept"]


def test_session_proxies_that_the_environment_overrode_in_requests_are_reported(tmp_path):
    """requests lets HTTP_PROXY win over session.proxies; the migrated client's own proxies win
    in httpx. Shown by running both with HTTP_PROXY set; reported on this and every later run."""
    import os
    import subprocess
    import sys

    from migrator.lint.rules import lint_source
    from tests.loopback import LoopbackServers

    source = (
        "import sys\n\nimport requests\n\n\ndef main(url):\n    with requests.Session() as s:\n"
        '        s.proxies = {"http": "http://127.0.0.1:9", "https": "http://127.0.0.1:9"}\n'
        "        try:\n            return s.get(url).status_code\n        except Exception as exc:\n"
        "            return type(exc).__name__\n\n\nprint(main(sys.argv[1]))\n"
    )
    result = migrate_source(source, "app.py", Options())
    assert [f.line for f in result.findings if f.code == "session-proxies-environment"] == [7]
    assert "session-proxies-environment" in {f.code for f in lint_source(result.code, "app.py")}
    (tmp_path / "before.py").write_text(source)
    (tmp_path / "after.py").write_text(result.code)
    servers = LoopbackServers()
    try:
        env = {**os.environ, "HTTP_PROXY": servers.proxy_url, "http_proxy": servers.proxy_url, "NO_PROXY": "", "no_proxy": ""}
        seen = [subprocess.run([sys.executable, str(tmp_path / name), servers.url + "/json"], env=env,
                               capture_output=True, text=True, timeout=60).stdout.strip() for name in ("before.py", "after.py")]
    finally:
        servers.close()
    assert seen == ["200", "ConnectError"]  # requests went through the environment's proxy
