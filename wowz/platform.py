"""Wiring: settings -> the services, sharing one Postgres pool and one AMQP connection per
process. `wowz up` starts them all in one process, `wowz run NAME` one of them."""

import asyncio
import contextlib
import logging

import aio_pika
import prometheus_client
import uvicorn

from bus import topology
from bus.provider_token import TokenSeal
from consumers.providers.accounts import Account, load_accounts
from schemas.inputs import PROVIDERS
from store import db
from store.objects import object_store
from wowz.settings import Settings

log = logging.getLogger("wowz")

SERVICES = ("ingress", "persister", "notifier", *PROVIDERS)


class _Server(uvicorn.Server):
    """The CLI owns the signals; several servers may share the process."""

    def capture_signals(self):
        return contextlib.nullcontext()


def configured_accounts(settings: Settings) -> list[Account]:
    path = settings.providers.accounts_file
    return load_accounts(path) if path and path.is_file() else []


class Platform:
    def __init__(self, settings: Settings, names: list[str], accounts: list[Account]):
        unknown = set(names) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown service(s) {sorted(unknown)}; known: {list(SERVICES)}")
        self.settings = settings
        self.names = names
        self.accounts = accounts
        self.services: list = []
        self.pool = None
        self.connection = None
        self._server: _Server | None = None
        self._server_task: asyncio.Task | None = None

    async def start(self) -> None:
        s = self.settings
        database_url = s.store.database_url.get_secret_value()
        await db.migrate(database_url)
        self.pool = await db.create_pool(database_url, max_size=20)
        self.connection = await aio_pika.connect_robust(
            s.bus.amqp_url.get_secret_value(), client_properties={
                "connection_name": "wowz " + ",".join(self.names)})
        channel = await self.connection.channel()
        await topology.declare(channel, PROVIDERS)
        await channel.close()
        # Consumers before the ingress, so the first accepted job finds them ready.
        for name in sorted(self.names, key=lambda n: n == "ingress"):
            if name == "ingress":
                await self._start_ingress()
            else:
                service = self._build(name)
                await service.start()
                self.services.append(service)
        if "ingress" not in self.names and s.http.metrics_port:
            prometheus_client.start_http_server(s.http.metrics_port, addr=s.http.host)
        log.info("wowz started", extra={"services": ",".join(self.names)})

    def _objects(self):
        s = self.settings.store
        return object_store(
            storage_dir=s.storage_dir, public_url=self.settings.http.public_url,
            supabase_url=s.supabase_url,
            supabase_key=s.supabase_service_key.get_secret_value() if s.supabase_service_key
            else None)

    def _build(self, name: str):
        s = self.settings
        if name == "persister":
            from consumers.persister.service import Persister
            return Persister(self.pool, self.connection)
        if name == "notifier":
            from consumers.notifier.service import Notifier
            return Notifier(self.pool, self.connection,
                            allow_private_urls=s.notifier.allow_private_urls,
                            timeout_s=s.notifier.webhook_timeout_s,
                            retry_delays_s=s.notifier.retry_delays_s)
        from wowz.providers import PROVIDER_SERVICES, Shared

        if name in PROVIDER_SERVICES:
            accounts = [a for a in self.accounts if a.provider == name]
            if not accounts:
                log.warning("no %s accounts configured; its jobs wait in the queue", name)
            return PROVIDER_SERVICES[name](Shared(s, self.accounts, self.pool,
                                                  self.connection, self._objects()))
        raise ValueError(name)

    async def _start_ingress(self) -> None:
        from producers.http.app import create_app
        from producers.http.limits import KeyLimits, LimitDefaults
        from producers.http.routes_hooks import Hooks

        s = self.settings
        h = s.http
        limits = KeyLimits(self.pool, LimitDefaults(h.rate_limit_per_s, h.rate_limit_burst,
                                                    h.max_jobs_in_flight),
                           redis_url=h.redis_url.get_secret_value() if h.redis_url else None)
        app = create_app(pool=self.pool, connection=self.connection, limits=limits,
                         request_timeout_s=h.request_timeout_s, cors_origins=h.cors_origins,
                         object_root=s.store.storage_dir, public_url=s.http.public_url,
                         allow_private_urls=s.notifier.allow_private_urls,
                         max_body_bytes=s.http.max_body_bytes,
                         seed_wait_s=s.http.seed_wait_s,
                         api_key_cache_s=s.http.api_key_cache_s, providers=list(PROVIDERS),
                         supabase_url=s.store.supabase_url,
                         token_seal=TokenSeal(s.bus.provider_token_key.get_secret_value()),
                         hooks=Hooks(secret=s.hooks.supabase_hook_secret.get_secret_value()
                                     if s.hooks.supabase_hook_secret else None,
                                     maps=s.hooks.supabase_hook_maps))
        config = uvicorn.Config(app, host=s.http.host, port=s.http.port, http="httptools",
                                log_config=None, access_log=False, timeout_graceful_shutdown=10)
        self._server = _Server(config)
        self._server_task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._server_task.done():
                await self._server_task
                raise RuntimeError(f"ingress did not start on {s.http.host}:{s.http.port}")
            await asyncio.sleep(0.02)
        log.info("ingress listening", extra={"url": s.http.public_url})

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            await self._server_task
        for service in reversed(self.services):
            await service.stop()
        if self.connection is not None:
            await self.connection.close()
        if self.pool is not None:
            await self.pool.close()
        log.info("wowz stopped")
