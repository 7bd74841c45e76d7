"""A private RabbitMQ node for the tests that stop the broker: its own node name, ports, data
directory and Erlang cookie, so that stopping it disturbs nobody else's tests on the machine's
broker. Started from the local RabbitMQ installation, stopped (and its data removed) at the end."""

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

from tests.e2e.conftest import free_port

# Debian's /usr/sbin scripts switch to the rabbitmq user (and its home and directories); the
# scripts behind them run the node as whoever calls them.
SCRIPT_DIRS = ("/usr/lib/rabbitmq/bin", "/usr/local/lib/rabbitmq/bin", "/opt/rabbitmq/sbin")
START_TIMEOUT_S = 60.0


def scripts_dir() -> Path | None:
    for folder in SCRIPT_DIRS:
        if (Path(folder) / "rabbitmq-server").is_file():
            return Path(folder)
    found = shutil.which("rabbitmq-server")
    return Path(found).parent if found else None


class PrivateBroker:
    def __init__(self, root: Path, scripts: Path):
        self.root = root
        self.scripts = scripts
        self.port = free_port()
        self.node = f"wowzfault{os.getpid()}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self._process: asyncio.subprocess.Process | None = None
        home = root / "home"  # the Erlang cookie, shared by the node and rabbitmqctl
        home.mkdir(parents=True, exist_ok=True)
        (root / "enabled_plugins").write_text("[].\n")  # no management plugin, no port clash
        (root / "env.conf").write_text("")  # not the machine's rabbitmq-env.conf (its NODENAME)
        (root / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        self.env = {
            **os.environ, "HOME": str(home), "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(root / "mnesia"), "RABBITMQ_LOG_BASE": str(root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(root / "env.conf"),
            "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq.conf"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}"}

    async def start(self) -> "PrivateBroker":
        log = (self.root / "server.out").open("ab")  # the node keeps it open
        self._process = await asyncio.create_subprocess_exec(
            str(self.scripts / "rabbitmq-server"), env=self.env, stdout=log, stderr=log,
            start_new_session=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while not await self._accepts():
            if self._process.returncode is not None or loop.time() > deadline:
                await self.stop()
                raise RuntimeError(f"the private RabbitMQ did not start; see {log.name}")
            await asyncio.sleep(0.2)
        return self

    async def _accepts(self) -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        return True

    async def ctl(self, *args: str) -> str:
        """rabbitmqctl on this node, e.g. `stop_app`, `start_app`; what it printed."""
        done = await asyncio.to_thread(
            subprocess.run, [str(self.scripts / "rabbitmqctl"), "-n", self.node, *args],
            env=self.env, check=True, capture_output=True, timeout=120, text=True)
        return done.stdout

    async def queues(self) -> dict[str, dict[str, int]]:
        """Per queue: messages ready, unacknowledged, and consumers, as the broker counts them."""
        out = await self.ctl("list_queues", "-q", "--no-table-headers", "name",
                             "messages_ready", "messages_unacknowledged", "consumers")
        return {name: {"ready": int(r), "unacked": int(u), "consumers": int(c)}
                for name, r, u, c in (line.split() for line in out.splitlines() if line.strip())}

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            try:
                await self.ctl("stop")
                await asyncio.wait_for(self._process.wait(), 30)
            except (subprocess.SubprocessError, TimeoutError):
                os.killpg(self._process.pid, signal.SIGKILL)
                await self._process.wait()
        shutil.rmtree(self.root / "mnesia", ignore_errors=True)
