"""The command line: ``migrate`` (also installed as ``requests2httpx``, and ``python -m migrator``).

``commands`` holds the typer apps (``migrate`` and ``migrate lint``) and ``main``; ``config``
reads ``[tool.requests2httpx]`` from pyproject.toml, ``interactive`` is ``migrate -i``'s
hunk-by-hunk review and ``progress`` the progress bar. Nothing below this layer imports it.
``main`` is imported here because the installed scripts name ``migrator.cli:main``.
"""

from migrator.cli.commands import main

__all__ = ["main"]
