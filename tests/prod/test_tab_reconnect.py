"""Two backend workers on a real Redis: a duplicated tab gets a token of its own (also while the
first worker's subscription is briefly down), but a tab whose worker died keeps its token (and so
its state) when it reconnects to the other worker."""

import asyncio
import threading

import redis.asyncio

from portal_app.tab_reconnect import ReconnectingTokenManager, alive_channel
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

        # The first worker's subscription drops for a moment (a network blip, a Redis restart):
        # it is alive and resubscribes, so a second tab with its token is still a duplicate.
        name = alive_channel(first.instance_id)
        [conn] = [c for c in await second.redis.client_list() if c.get("name") == name]
        await second.redis.execute_command("CLIENT", "KILL", "ID", conn["id"])
        after_blip = await second.link_token_to_sid("tab-token", "sid-blip")
        still_first = first.sid_to_token.get("sid-1")

        # The first worker's process ends without its clean-up: its Redis connections close,
        # its socket record for the tab stays behind.
        await first.close()
        assert await second.redis.exists(second._get_redis_key("tab-token"))
        reconnect = await second.link_token_to_sid("tab-token", "sid-3")
        return {"duplicate": duplicate, "after_blip": after_blip, "still_first": still_first,
                "reconnect": reconnect, "holder": second.token_to_socket["tab-token"]}
    finally:
        await second.close()


async def _capped_pool_scenario(url: str) -> list:
    """Reflex's smallest allowed pool (REFLEX_REDIS_MAX_CONNECTIONS=3) holds its own two listeners;
    the worker's alive subscription must not take the last connection its commands need."""
    pool = redis.asyncio.BlockingConnectionPool.from_url(url, max_connections=3, timeout=2)
    manager = ReconnectingTokenManager(redis.asyncio.Redis.from_pool(pool))
    manager._reset_instance_id()

    async def no_emit(update, token):
        return None

    try:
        manager.ensure_lost_and_found_task(emit_update=no_emit)
        answers = [await manager.link_token_to_sid(f"tab-{i}", f"sid-{i}") for i in range(5)]
        assert await manager.worker_alive(manager.instance_id)
        return answers
    finally:
        await manager.close()


def _run(scenario, url: str):
    """Run on a thread of its own: the browser tests before this one leave Playwright's loop on the main thread."""
    outcome = {}

    def run():
        try:
            outcome["result"] = asyncio.run(scenario(url))
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def test_duplicated_tab_gets_a_new_token_but_a_dead_workers_tab_keeps_its_own():
    with private_redis() as url:
        result = _run(_scenario, url)
    assert result["duplicate"] not in (None, "tab-token")  # the first worker was alive: a duplicated tab
    assert result["after_blip"] not in (None, "tab-token")  # alive after a dropped subscription: still a duplicate
    assert result["still_first"] == "tab-token"  # and the original tab keeps its token
    assert result["reconnect"] is None  # its worker gone: the same tab, same token, same state
    assert result["holder"].sid == "sid-3"


def test_the_alive_subscription_leaves_reflexs_capped_pool_alone():
    with private_redis() as url:
        assert _run(_capped_pool_scenario, url) == [None] * 5
