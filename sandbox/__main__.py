"""`python -m sandbox`: run the stand-ins in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import signal

from sandbox.server import start_sandbox


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--midjourney-port", type=int, default=8801)
    parser.add_argument("--cdn-port", type=int, default=8802)
    parser.add_argument("--generation-s", type=float, default=3.0)
    parser.add_argument("--image-size", type=int, default=512)
    return parser.parse_args()


async def _run(arguments: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with await start_sandbox(
        arguments.host,
        arguments.midjourney_port,
        arguments.cdn_port,
        generation_s=arguments.generation_s,
        image_size=arguments.image_size,
    ) as sandbox:
        print(f"midjourney web: {sandbox.midjourney_url}", flush=True)
        print(f"midjourney cdn: {sandbox.cdn_url}", flush=True)
        await stop.wait()


def main() -> None:
    asyncio.run(_run(_arguments()))


if __name__ == "__main__":
    main()
