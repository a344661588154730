"""The ``autoposter`` command line (Typer + Rich).

``--help`` must answer fast (issue 7: under 0.3 s), so the command modules import only Typer
at module level; each command imports the services, Rich and httpx when it runs. The
commands work on the local database, or on a running instance through its REST API with
``--url``/``--token`` (:mod:`.backend`).
"""

from __future__ import annotations

from . import accounts, bulk, data, posting, service_commands  # noqa: F401  (they register)
from .root import app

__all__ = ["app", "main"]


def main() -> None:
    app()
