"""A tab whose backend worker died reconnects to another worker with its state, not a blank one.

With Redis, Reflex records which worker holds each tab's websocket (a Redis key per client
token, kept for an hour) and treats a second connection with the same token as a duplicated
browser tab: it hands that connection a new token, i.e. a fresh, empty state. A worker that dies
(crash, SIGKILL, a restart that does not finish its clean-up) leaves its records behind, so for
the next hour every tab it served lost its state on reconnect: a half-filled form went blank.

Here every worker holds a Redis subscription to a channel named after itself while it runs. The
connection dies with the process, so `PUBSUB NUMSUB` tells whether the worker that holds a token
is still there. A live worker's subscription can drop for a moment too (a network blip, a Redis
restart) and comes back within a second, so a holder counts as gone only when it is still missing
after `CONFIRM_SECONDS`; then its record is deleted, if it is still that very record, and the
reconnecting tab keeps its token. A token held by a live worker is a duplicated tab, as before.
"""

import asyncio
import logging
import pickle

import redis.asyncio
from reflex.utils.token_manager import RedisTokenManager

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 2.5
_RETRY_SECONDS = 0.5

# Delete the key only if it still holds the record that was found stale.
_DELETE_IF_SAME = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def alive_channel(instance_id: str) -> str:
    return f"portal_worker_alive_{instance_id}"


class ReconnectingTokenManager(RedisTokenManager):
    """Reflex's Redis token manager that tells a reconnect after a worker died from a duplicated tab."""

    _alive_task: asyncio.Task | None = None
    _alive: asyncio.Event | None = None
    _alive_redis: redis.asyncio.Redis | None = None

    def _own_connection(self) -> redis.asyncio.Redis:
        """A client of its own for the subscription: Reflex may cap its pool (REFLEX_REDIS_MAX_CONNECTIONS,
        3 at least, two of them for its own listeners), and a third listener there would take the
        connection every state read and write waits for."""
        if self._alive_redis is None:
            shared = self.redis.connection_pool
            pool = redis.asyncio.ConnectionPool(connection_class=shared.connection_class, **shared.connection_kwargs)
            self._alive_redis = redis.asyncio.Redis.from_pool(pool)
        return self._alive_redis

    async def _hold_alive(self) -> None:
        """Stay subscribed to this worker's channel for as long as the process lives, resubscribing after any drop."""
        while True:
            subscribed_as = self.instance_id
            try:
                async with self._own_connection().pubsub() as pubsub:
                    # Named, so that CLIENT LIST shows which connection keeps which worker alive.
                    await pubsub.execute_command("CLIENT", "SETNAME", alive_channel(subscribed_as))
                    await pubsub.subscribe(alive_channel(subscribed_as))
                    self._alive.set()
                    ticks = 0
                    while self.instance_id == subscribed_as:  # Reflex renews the id when a worker starts
                        await pubsub.get_message(timeout=1.0)
                        ticks += 1
                        if ticks % 5 == 0:
                            await pubsub.ping()  # a dead connection shows up as an error here
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis went away for a moment: subscribe again
                log.warning("lost this worker's Redis subscription; subscribing again", exc_info=True)
            self._alive.clear()
            await asyncio.sleep(_RETRY_SECONDS)

    async def _announce(self) -> None:
        """Be visibly alive before holding any token, so no other worker takes ours for a dead one's."""
        if self._alive is None:
            self._alive = asyncio.Event()
        if self._alive_task is None or self._alive_task.done():
            self._alive_task = asyncio.create_task(self._hold_alive())
        # Without our own subscription we must not judge others: Reflex's rule applies (see below).
        await asyncio.wait_for(self._alive.wait(), timeout=1.0)

    async def worker_alive(self, instance_id: str) -> bool:
        counts = await self.redis.pubsub_numsub(alive_channel(instance_id))
        return bool(counts and counts[0][1])

    async def _release_if_holder_gone(self, token: str) -> None:
        key = self._get_redis_key(token)
        raw = await self.redis.get(key)
        if not raw:
            return
        holder = pickle.loads(raw).instance_id
        if holder == self.instance_id or await self.worker_alive(holder):
            return
        await asyncio.sleep(CONFIRM_SECONDS)  # a live worker's dropped subscription is back by then
        if await self.worker_alive(holder):
            return
        if await self.redis.eval(_DELETE_IF_SAME, 1, key, raw):
            log.warning("tab %s… reconnects after its worker %s… went away", token[:8], holder[:8])

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
        if self._alive_redis is not None:
            await self._alive_redis.aclose()
            self._alive_redis = None
        await super().close()


def install(app) -> None:
    """Use the reconnect-aware token manager where Reflex chose its Redis one."""
    namespace = app.event_namespace
    if namespace is not None and type(namespace._token_manager) is RedisTokenManager:
        namespace._token_manager = ReconnectingTokenManager(namespace._token_manager.redis)
