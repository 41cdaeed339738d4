"""Reflex configuration: database and origins from the environment, Radix theme, telemetry off."""

import os

import reflex as rx

from portal_app.config import base_url, database_url

config = rx.Config(
    app_name="portal_app",
    db_url=database_url(),
    redis_url=os.environ.get("PORTAL_REDIS_URL") or None,
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
