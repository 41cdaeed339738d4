"""Two backend workers on a real Redis: a duplicated tab gets a token of its own, but a tab whose
worker died keeps its token (and so its state) when it reconnects to the other worker."""

import asyncio
import threading

import redis.asyncio

from portal_app.tab_reconnect import ReconnectingTokenManager
from tests.prod.conftest import private_redis


def _worker(url: str) -> ReconnectingTokenManager:
    manager = ReconnectingTokenManager(redis.asyncio.Redis.from_url(url))
    manager._reset_instance_id()
    return manager


async def _scenario(url: str) -> dict:
    first, second = _worker(url), _worker(url)
    try:
        assert await first.link_token_to_sid("tab-token", "sid-1") is None
        duplicate = await second.link_token_to_sid("tab-token", "sid-2")

        # The first worker's process ends without its clean-up: its Redis connections close,
        # its socket record for the tab stays behind.
        await first.close()
        assert await second.redis.exists(second._get_redis_key("tab-token"))
        reconnect = await second.link_token_to_sid("tab-token", "sid-3")
        return {"duplicate": duplicate, "reconnect": reconnect, "holder": second.token_to_socket["tab-token"]}
    finally:
        await second.close()


def test_duplicated_tab_gets_a_new_token_but_a_dead_workers_tab_keeps_its_own():
    with private_redis() as url:
        # A thread of its own: the browser tests before this one leave Playwright's loop on the main thread.
        outcome = {}

        def run():
            try:
                outcome["result"] = asyncio.run(_scenario(url))
            except BaseException as exc:  # noqa: BLE001 - handed back to the test below
                outcome["error"] = exc

        runner = threading.Thread(target=run)
        runner.start()
        runner.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    assert result["duplicate"] not in (None, "tab-token")  # the first worker was alive: a duplicated tab
    assert result["reconnect"] is None  # its worker gone: the same tab, same token, same state
    assert result["holder"].sid == "sid-3"
