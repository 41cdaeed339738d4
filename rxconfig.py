"""Reflex configuration: database and origins from the environment, Radix theme, telemetry off.

Production choices measured in BENCHMARKS.md: with Redis, Reflex would start 2×cores+1 Granian
workers; we start PORTAL_WORKERS (default 2) unless GRANIAN_WORKERS is set explicitly. Without
Redis (one process) state is kept in memory: Reflex's default disk manager grew ~8× slower at p95
after 3,000 sessions had come and gone. Sign-in survives a restart either way (session cookie).
A worker that dies is respawned rather than stopping the app (`_respawn_failed_workers`).
"""

import os

import reflex as rx

from portal_app.config import backend_workers, base_url, database_url, redis_url

if redis_url():
    os.environ.setdefault("GRANIAN_WORKERS", str(backend_workers()))


def _respawn_failed_workers() -> None:
    """A backend worker that dies (crash, OOM kill) is replaced; without this Granian stops the whole app.

    Reflex builds Granian's server without `respawn_failed_workers` (default off) and offers no
    setting for it; GRANIAN_RESPAWN_FAILED_WORKERS is read only by Granian's own command line.
    """
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # the development server does not use Granian
        return
    init = AbstractServer.__init__
    if getattr(init, "portal_respawns", False):
        return

    def __init__(self, *args, respawn_failed_workers: bool = True, **kwargs):
        init(self, *args, respawn_failed_workers=respawn_failed_workers, **kwargs)

    __init__.portal_respawns = True
    AbstractServer.__init__ = __init__


_respawn_failed_workers()

config = rx.Config(
    app_name="portal_app",
    db_url=database_url(),
    redis_url=redis_url(),
    state_manager_mode=rx.constants.StateManagerMode.REDIS if redis_url() else rx.constants.StateManagerMode.MEMORY,
    telemetry_enabled=False,
    cors_allowed_origins=[base_url()],
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="indigo", gray_color="slate", radius="medium", scaling="100%")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
