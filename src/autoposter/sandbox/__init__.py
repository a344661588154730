"""The built-in TikTok sandbox: an emulator of TikTok's Login Kit, Display API and Content
Posting API, read independently from ``tiktok-api.md``. It imports nothing else of Autoposter.
"""

from .app import create_app
from .config import FaultConfig, SandboxConfig
from .server import RunningSandbox, serve, start_in_thread
from .state import World

__all__ = [
    "FaultConfig",
    "RunningSandbox",
    "SandboxConfig",
    "World",
    "create_app",
    "serve",
    "start_in_thread",
]
