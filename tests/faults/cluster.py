"""The platform as separate processes (`wowz run <service>`), as compose runs it, so that a
fault test can kill one and start it again."""

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SERVICES = ("ingress", "midjourney", "persister", "notifier")


@dataclass
class Cluster:
    env: dict[str, str]
    logs: Path
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)

    async def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")  # the child process keeps it open
        self.processes[name] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "wowz.cli", "run", name, env=self.env, stdout=log,
            stderr=log, start_new_session=True)

    async def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()

    async def stop(self) -> None:
        for name, process in list(self.processes.items()):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def cluster_env(*, tmp: Path, db: str, amqp: str, port: int, sandbox, accounts) -> dict:
    accounts_file = tmp / "accounts.yaml"
    accounts_file.write_text(yaml.safe_dump({"accounts": [
        {"id": a.id, "provider": a.provider, "credentials": str(a.credentials),
         "user_id": a.user_id, "concurrency": a.concurrency} for a in accounts]}))
    return {**os.environ, "WOWZ_DATABASE_URL": db, "WOWZ_AMQP_URL": amqp,
            "WOWZ_ACCOUNTS_FILE": str(accounts_file), "WOWZ_PORT": str(port),
            "WOWZ_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "WOWZ_MIDJOURNEY_URL": sandbox.midjourney_url,
            "WOWZ_MIDJOURNEY_CDN_URL": sandbox.cdn_url,
            "WOWZ_STORAGE_DIR": str(tmp / "storage"), "WOWZ_PROFILES_DIR": str(tmp / "profiles"),
            "WOWZ_ALLOW_PRIVATE_URLS": "true", "WOWZ_API_KEY_CACHE_S": "0",
            "WOWZ_POLL_INTERVAL_S": "0.5", "WOWZ_RETRY_DELAYS_S": "[1, 1, 5, 5, 30]"}
