"""The web adapter: FastAPI app with the TikTok webhook receiver, signed media links and a
health check. The dashboard (Jinja2 pages) and the REST API join it in later issues."""

from .app import create_app
from .server import RunningServer, serve, start_in_thread

__all__ = ["RunningServer", "create_app", "serve", "start_in_thread"]
