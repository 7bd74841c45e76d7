"""A provider service: one AccountWorker per account of the provider, one job runner, and a
listener for cancel requests (which may reach any replica; the one running the job acts) and
operators' account switches (every replica running the account obeys)."""

import asyncio
import logging
from collections.abc import Callable

import asyncpg
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from bus import topology
from bus.consumer import decode
from bus.provider_token import TokenSeal
from bus.publisher import Publisher
from consumers.providers.accounts import Account, AccountState
from consumers.providers.context import Adapter
from consumers.providers.runner import JobRunner
from consumers.providers.worker import AccountWorker
from schemas.events import AccountControl, JobCancel
from store.objects import ObjectStore

log = logging.getLogger("wowz.provider")

AdapterFactory = Callable[[Account], Adapter]


class ProviderService:
    def __init__(self, *, provider: str, accounts: list[Account], adapter_factory: AdapterFactory,
                 pool: asyncpg.Pool, connection: AbstractConnection, objects: ObjectStore,
                 credentials_loader: Callable[[Account, Adapter], object] | None = None,
                 recheck_s: float = 30.0, grace_s: float = 30.0,
                 token_seal: TokenSeal | None = None):
        self.provider = provider
        self.accounts = [a for a in accounts if a.provider == provider]
        self.adapter_factory = adapter_factory
        self.pool = pool
        self.connection = connection
        self.objects = objects
        self.credentials_loader = credentials_loader
        self.recheck_s = recheck_s
        self.grace_s = grace_s
        self.token_seal = token_seal
        self.workers: list[AccountWorker] = []
        self.runner: JobRunner | None = None
        self._publisher: Publisher | None = None
        self._command_channel = None

    @property
    def name(self) -> str:
        return self.provider

    async def start(self) -> None:
        self._publisher = await Publisher.open(self.connection)
        self.runner = JobRunner(pool=self.pool, publisher=self._publisher, objects=self.objects,
                                token_seal=self.token_seal)
        for account in self.accounts:
            adapter = self.adapter_factory(account)
            reload = None
            if self.credentials_loader is not None:
                reload = self.credentials_loader(account, adapter)
            self.workers.append(AccountWorker(
                state=AccountState(account), adapter=adapter, runner=self.runner,
                connection=self.connection, publisher=self._publisher,
                reload_credentials=reload, recheck_s=self.recheck_s))
        self.runner.peers = lambda: {w.account_id: w.adapter for w in self.workers
                                     if w.state.healthy}
        self.runner.states = lambda: {w.account_id: w.state for w in self.workers}
        self.runner.pause_account = self._pause_account
        # Listening first: a switch made while the workers read the accounts table is heard.
        await self._listen_for_commands()
        await asyncio.gather(*(w.start() for w in self.workers))
        healthy = sum(w.state.healthy for w in self.workers)
        log.info("provider service started", extra={
            "provider": self.provider, "accounts": len(self.workers), "healthy": healthy})

    async def _listen_for_commands(self) -> None:
        self._command_channel = await self.connection.channel()
        queue = await topology.declare_listener(self._command_channel, [
            f"job.cancel.{self.provider}", f"account.control.{self.provider}"])

        async def on_command(message: AbstractIncomingMessage) -> None:
            async with message.process(ignore_processed=True):
                try:
                    event = decode(message)
                except ValueError:
                    return  # a private, auto-deleted queue: nothing to keep
                if isinstance(event.data, JobCancel) and self.runner.cancel(event.data.job_id):
                    log.info("job cancel requested", extra={"job_id": event.data.job_id})
                if isinstance(event.data, AccountControl):
                    await self._switch(event.data)

        await queue.consume(on_command)

    async def _switch(self, control: AccountControl) -> None:
        for worker in self.workers:
            if worker.account_id == control.account_id:
                await (worker.enable() if control.enabled else worker.disable())

    async def _pause_account(self, account_id: str, reason: str) -> None:
        for worker in self.workers:
            if worker.account_id == account_id:
                await worker.unhealthy(reason)

    def states(self) -> list[dict]:
        return [w.state.view() for w in self.workers]

    async def stop(self) -> None:
        await asyncio.gather(*(w.stop(self.grace_s) for w in self.workers))
        if self._command_channel is not None:
            await self._command_channel.close()
        if self._publisher is not None:
            await self._publisher.close()
