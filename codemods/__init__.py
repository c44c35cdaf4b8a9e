"""The rewrite rules, one module per concern, run in this declared order.

Order matters where one rule builds on another: request calls are rewritten
before sessions (a session's calls read what the call rewrite decided), and the
catch-all runs last, reporting every requests use the others left behind.
"""

from __future__ import annotations

from codemods.async_calls import AsyncCalls
from codemods.module_functions import ModuleFunctions
from codemods.session_subclass import SessionSubclass
from codemods.session_to_client import SessionToClient
from codemods.client_configuration import ClientConfiguration
from codemods.shared_ssl_context import SharedSslContext
from codemods.auth import Auth
from codemods.annotations import Annotations
from codemods.prepared_requests import PreparedRequests
from codemods.streaming import Streaming
from codemods.exceptions import Exceptions
from codemods.status_codes import StatusCodes
from codemods.mock_libraries import MockLibraries
from codemods.response_api import ResponseApi
from codemods.response_text import ResponseText
from codemods.catch_all import CatchAll

ORDER = (AsyncCalls, ModuleFunctions, SessionSubclass, SessionToClient, ClientConfiguration, SharedSslContext, Auth, Annotations, PreparedRequests, Streaming, Exceptions, StatusCodes, ResponseText, ResponseApi, MockLibraries, CatchAll)
BY_NAME = {cls.name: cls for cls in ORDER}


def selected(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[type]:
    """The codemod classes a run uses, in order.  ``catch_all`` always runs: nothing is silent."""
    unknown = [n for n in (*select, *ignore) if n not in BY_NAME]
    if unknown:
        raise ValueError(f"unknown codemod {unknown[0]!r} (known: {', '.join(BY_NAME)})")
    chosen = [c for c in ORDER if (not select or c.name in select) and c.name not in ignore]
    if CatchAll not in chosen:
        chosen.append(CatchAll)
    return chosen
