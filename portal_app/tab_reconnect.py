"""A tab whose backend worker died reconnects to another worker with its state, not a blank one.

With Redis, Reflex records which worker holds each tab's websocket (a Redis key per client
token, kept for an hour) and treats a second connection with the same token as a duplicated
browser tab: it hands that connection a new token, i.e. a fresh, empty state. A worker that dies
(crash, SIGKILL, a restart that does not finish its clean-up) leaves its records behind, so for
the next hour every tab it served lost its state on reconnect: a half-filled form went blank.

Here every worker holds a Redis subscription to a channel named after itself while it runs. The
connection dies with the process, so `PUBSUB NUMSUB` tells at once whether the worker that holds
a token is still there. A token held by a worker that is gone is taken over by the reconnecting
tab; a token held by a live worker is still a duplicated tab and gets a new one, as before.
"""

import asyncio
import logging
import pickle

from reflex.utils.tasks import ensure_task
from reflex.utils.token_manager import RedisTokenManager

log = logging.getLogger(__name__)


def alive_channel(instance_id: str) -> str:
    return f"portal_worker_alive_{instance_id}"


class ReconnectingTokenManager(RedisTokenManager):
    """Reflex's Redis token manager that tells a reconnect after a worker died from a duplicated tab."""

    _alive_task: asyncio.Task | None = None
    _alive: asyncio.Event | None = None

    async def _hold_alive(self) -> None:
        """Stay subscribed to this worker's channel for as long as the process lives."""
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(alive_channel(self.instance_id))
            self._alive.set()
            async for _ in pubsub.listen():
                pass

    async def _announce(self) -> None:
        """Be visibly alive before holding any token, so no other worker takes ours for a dead one's."""
        if self._alive is None:
            self._alive = asyncio.Event()
        ensure_task(owner=self, task_attribute="_alive_task", coro_function=self._hold_alive,
                    suppress_exceptions=[Exception])
        await asyncio.wait_for(self._alive.wait(), timeout=5)

    async def worker_alive(self, instance_id: str) -> bool:
        counts = await self.redis.pubsub_numsub(alive_channel(instance_id))
        return bool(counts and counts[0][1])

    async def _release_if_holder_gone(self, token: str) -> None:
        key = self._get_redis_key(token)
        raw = await self.redis.get(key)
        if not raw:
            return
        holder = pickle.loads(raw).instance_id
        if holder != self.instance_id and not await self.worker_alive(holder):
            log.warning("tab %s… reconnects after its worker %s… went away", token[:8], holder[:8])
            await self.redis.delete(key)

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        try:
            await self._announce()
            record = self.token_to_socket.get(token)
            if record is None or record.sid != sid:
                await self._release_if_holder_gone(token)
        except Exception:  # noqa: BLE001 - Redis trouble: fall back to Reflex's own rule
            log.exception("could not check the worker holding a reconnecting tab")
        return await super().link_token_to_sid(token, sid)

    async def close(self) -> None:
        if self._alive_task is not None and not self._alive_task.done():
            self._alive_task.cancel()
            try:
                await self._alive_task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing anyway
                pass
        await super().close()


def install(app) -> None:
    """Use the reconnect-aware token manager where Reflex chose its Redis one."""
    namespace = app.event_namespace
    if namespace is not None and type(namespace._token_manager) is RedisTokenManager:
        namespace._token_manager = ReconnectingTokenManager(namespace._token_manager.redis)
