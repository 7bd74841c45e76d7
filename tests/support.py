"""What the provider tests share: a listener on every job event, matching a job's events, and
the browser process of a profile."""

import asyncio
import os

from bus.codec import from_message


class Events:
    """Every job and account event on the bus, as a test listener sees them. Messages that are
    not our events (other systems publish on the same exchange) are skipped."""

    def __init__(self, queue):
        self.queue = queue
        self.seen = []

    async def until(self, predicate, timeout=30.0):
        async def scan():
            checked = 0
            while True:
                for event in self.seen[checked:]:
                    if predicate(event):
                        return event
                checked = len(self.seen)
                message = await self.queue.get(fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                await message.ack()
                try:
                    self.seen.append(from_message(message))
                except ValueError:
                    continue
        return await asyncio.wait_for(scan(), timeout)

    def of(self, job_id: str) -> list[str]:
        return [e.type for e in self.seen if getattr(e.data, "job_id", None) == job_id]


def ended(job, event_type: str):
    return lambda e: e.type == event_type and getattr(e.data, "job_id", None) == job.data.job_id


def chromium_pids(profile_dir) -> list[int]:
    """The browser process (not its renderers) running on this profile."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                cmdline = file.read().split(b"\0")
        except OSError:
            continue
        if f"--user-data-dir={profile_dir}".encode() in cmdline and not any(
                arg.startswith(b"--type=") for arg in cmdline):
            pids.append(int(pid))
    return pids
