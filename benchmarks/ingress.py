"""How many jobs a second the ingress accepts, next to bare FastAPI endpoints that do only
what any ingress must: one confirmed, persistent aio-pika publish per request.

    .venv/bin/python -m benchmarks.ingress --seconds 15 --rounds 3

Three servers, each in a subprocess under uvicorn (uvloop, httptools, one worker) on a free port
of 127.0.0.1, over their own vhost and database (created when missing, emptied at start):
- `bare`: publishes the request body as it came (no headers);
- `bare-event`: publishes the CloudEvent the ingress would send for it (bus.codec: the
  `cloudEvents:*` headers and the validated data), to tell the cost of the message format from
  the cost of the ingress's own work;
- `wowz`: the ingress (auth, validation, the job INSERT, the 202; its announcer publishes the
  accepted jobs in batches right after). A wowz run ends when every job it accepted is
  published and marked, and its CPU figures include that tail (printed as `drain`).
All publish to the same exchange and routing key, so the same two quorum queues take the
messages. wrk (`apt-get install -y wrk`; a Python load generator would be the bottleneck on two
cores) drives each with 64 connections and `benchmarks/post_job.lua`, after a warm-up, in
alternating rounds (the machine is shared; medians are printed). Besides jobs/s, p50 and p99, it
prints the CPU time per job of the server, of Postgres, of RabbitMQ and of the whole machine."""

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aio_pika
import asyncpg
import uvicorn
from fastapi import FastAPI, Request, Response

from bus import topology
from bus.codec import to_message
from producers.http.app import create_app
from schemas.events import Event, JobRequested
from store import db
from store.keys import create_key

HERE = Path(__file__).resolve().parent
AMQP = "amqp://guest:guest@127.0.0.1:5672/wowz_bench_ingress"
DATABASE = "postgresql://postgres@127.0.0.1:5432/wowz_bench_ingress"
PROVIDERS = ["midjourney"]
KINDS = ("bare", "bare-event", "wowz")


def bare_app(connection: aio_pika.abc.AbstractConnection, *, as_event: bool) -> FastAPI:
    """One endpoint, one confirmed publish: of the request body as it came (`bare`), or of
    the CloudEvent the ingress would send for it, through bus.codec (`bare-event`)."""
    state = {}

    async def lifespan(app: FastAPI):
        channel = await connection.channel(publisher_confirms=True)
        state["exchange"] = await channel.get_exchange(topology.EVENTS)
        yield
        await channel.close()

    app = FastAPI(lifespan=lifespan, telemetry={"tracing": False, "metrics": False,
                                                "logs": False})  # as the ingress has it

    @app.post("/v1/jobs", status_code=202)
    async def publish(request: Request) -> Response:
        body = await request.body()
        if as_event:
            message = to_message(Event.of(JobRequested(
                job_id=str(uuid.uuid4()), **json.loads(body))))
        else:
            message = aio_pika.Message(body, content_type="application/json",
                                       delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await state["exchange"].publish(message, routing_key="job.requested.midjourney")
        return Response(b'{"accepted":true}', status_code=202, media_type="application/json")

    return app


async def serve(kind: str, port: int) -> None:
    """One server in this process until SIGTERM (uvicorn's own signal handling)."""
    connection = await aio_pika.connect_robust(AMQP)
    pool = await db.create_pool(DATABASE, max_size=20)  # as `wowz up` makes it
    if kind == "wowz":
        app = create_app(pool=pool, connection=connection, object_root=Path("/tmp/wowz-bench"),
                         public_url=f"http://127.0.0.1:{port}", allow_private_urls=False,
                         providers=PROVIDERS)
    else:
        app = bare_app(connection, as_event=kind == "bare-event")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="none", http="httptools",
                            log_level="warning", access_log=False)
    await uvicorn.Server(config).serve()
    await pool.close()
    await connection.close()


def ensure_vhost() -> None:
    vhost = AMQP.rsplit("/", 1)[-1]
    if shutil.which("rabbitmqctl"):  # an existing vhost is fine: no check
        subprocess.run(["rabbitmqctl", "add_vhost", vhost], capture_output=True, check=False)
        subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                       capture_output=True, check=False)


async def prepare() -> str:
    """Topology and database ready and empty; returns a new API key."""
    await db.migrate(DATABASE)
    pool = await db.create_pool(DATABASE)
    await pool.execute("truncate jobs, job_events, job_runs, api_keys")
    # Limits far above what one ingress takes: they are checked (their cost is measured), never hit.
    key = await create_key(pool, name="benchmark", rate_limit_per_s=1e6,
                           rate_limit_burst=10**6, max_jobs_in_flight=10**9)
    await pool.close()
    await purge()
    return key.api_key


async def purge() -> None:
    connection = await aio_pika.connect_robust(AMQP)
    channel = await connection.channel()
    await topology.declare(channel, PROVIDERS)
    for name in topology.service_queues(PROVIDERS):
        await (await channel.get_queue(name)).purge()
    await connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(kind: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.ingress", "--serve", kind,
                                "--port", str(port)], cwd=HERE.parent)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{kind} server exited with {process.returncode}")
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{kind} server did not listen within 20 s")


def wrk(url: str, seconds: int, connections: int, api_key: str) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(HERE / "post_job.lua"), f"{url}/v1/jobs"],
        capture_output=True, text=True, check=True, env={**os.environ, "WOWZ_BENCH_KEY": api_key})
    line = next(x for x in output.stdout.splitlines() if x.startswith("WRK "))
    return json.loads(line.removeprefix("WRK "))


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes_cpu_s(name: str) -> float:
    """CPU seconds used so far by every process whose command name starts with `name`, and by
    its ended children (a database backend that closed counts in the postmaster)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended
        if text[text.index("(") + 1:].startswith(name):
            fields = text.rpartition(")")[2].split()
            total += sum(map(int, fields[11:15]))
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy so far (every process: server, broker,
    database, wrk, and anything else running)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


async def unpublished() -> int:
    connection = await asyncpg.connect(DATABASE)
    try:
        return await connection.fetchval("select count(*) from jobs where published_at is null")
    finally:
        await connection.close()


def drain(timeout_s: float = 60.0) -> float:
    """Seconds until every job the ingress accepted is published and marked."""
    started = time.monotonic()
    while asyncio.run(unpublished()):
        if time.monotonic() - started > timeout_s:
            raise SystemExit(f"jobs still unpublished {timeout_s:g} s after the run")
        time.sleep(0.05)
    return time.monotonic() - started


def measure(process: subprocess.Popen, url: str, args: argparse.Namespace,
            api_key: str, *, outbox: bool = False) -> dict:
    asyncio.run(purge())
    def cpu() -> dict[str, float]:
        return {"server": cpu_s(process.pid), "postgres": processes_cpu_s("postgres"),
                "rabbitmq": processes_cpu_s("beam"), "machine": machine_busy_s()}

    before = cpu()
    result = wrk(url, args.seconds, args.connections, api_key)
    drained = drain() if outbox else 0.0
    after = cpu()
    ok = max(result["requests"] - result["non_2xx"] - result["socket_errors"], 1)
    return {"jobs_per_s": ok / (result["duration_us"] / 1e6), "p50_ms": result["p50_us"] / 1e3,
            "p99_ms": result["p99_us"] / 1e3,
            **{f"{k}_ms": (after[k] - before[k]) * 1e3 / ok for k in before},
            "failed": result["non_2xx"] + result["socket_errors"], "drain_s": drained}


CPU = ("server_ms", "postgres_ms", "rabbitmq_ms", "machine_ms")


def cpu_line(run: dict) -> str:
    return " ".join(f"{k.removesuffix('_ms')} {run[k]:.2f}" for k in CPU)


def median(runs: list[dict], name: str) -> float:
    return statistics.median(r[name] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="per run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each, alternating, reported as the median")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvloop

        uvloop.run(serve(args.serve, args.port))
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    ensure_vhost()
    api_key = asyncio.run(prepare())
    servers = {kind: start_server(kind) for kind in KINDS}
    runs: dict[str, list[dict]] = {kind: [] for kind in servers}
    try:
        for _, url in servers.values():
            wrk(url, args.warmup, args.connections, api_key)
        for n in range(args.rounds):
            for kind in (KINDS if n % 2 == 0 else KINDS[::-1]):
                process, url = servers[kind]
                runs[kind].append(measure(process, url, args, api_key,
                                          outbox=kind == "wowz"))
                r = runs[kind][-1]
                print(f"round {n + 1} {kind:>10}: {r['jobs_per_s']:6.0f} jobs/s  "
                      f"p50 {r['p50_ms']:5.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
                      f"CPU ms/job: {cpu_line(r)}  failed {r['failed']}  "
                      f"drain {r['drain_s']:.2f} s", flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
        asyncio.run(purge())
    print(f"median of {args.rounds} x {args.seconds} s, {args.connections} connections:")
    for kind, kind_runs in runs.items():
        print(f"{kind:>10}: {median(kind_runs, 'jobs_per_s'):6.0f} jobs/s  "
              f"p50 {median(kind_runs, 'p50_ms'):5.1f} ms  p99 {median(kind_runs, 'p99_ms'):6.1f} ms"
              f"  CPU ms/job: {cpu_line({k: median(kind_runs, k) for k in CPU})}")
    wowz = median(runs["wowz"], "jobs_per_s")
    for baseline in ("bare", "bare-event"):
        ratio = wowz / median(runs[baseline], "jobs_per_s")
        print(f"ratio wowz/{baseline}: {ratio:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()
