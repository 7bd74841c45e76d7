"""`wowz submit`: post a job, optionally follow it to the end. Exit codes a script can use:
0 completed, 1 failed, 2 bad input (or refused), 3 timeout."""

import json
import sys
import time
from typing import TextIO

import httpx

EXIT = {"completed": 0, "failed": 1, "cancelled": 1, "timeout": 3}


def submit(settings, args) -> int:
    base = (args.url or settings.http.public_url).rstrip("/")
    key = args.key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if not key:
        print("error: an API key is needed: --key or WOWZ_API_KEY", file=sys.stderr)
        return 2
    try:
        job_input = json.loads(args.input) if args.input else {}
    except ValueError as exc:
        print(f"error: --input is not JSON: {exc}", file=sys.stderr)
        return 2
    if args.prompt is not None:
        job_input["prompt"] = args.prompt
    body = {"provider": args.provider, "action": args.action, "input": job_input,
            "metadata": dict(m.split("=", 1) for m in args.meta if "=" in m)}
    if args.webhook:
        body["webhook"] = {"url": args.webhook}
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        response = client.post("/v1/jobs", json=body)
        if response.status_code >= 400:
            error = response.json().get("error", {})
            print(f"error {response.status_code} {error.get('code')}: {error.get('message')}",
                  file=sys.stderr)
            for detail in error.get("details") or []:
                print(f"  {detail.get('field')}: {detail.get('problem')}", file=sys.stderr)
            return 2
        job = response.json()
        print(f"job {job['id']} {job['status']}")
        if not args.wait:
            return 0
        return _follow(client, job["id"], args.timeout)


QUIET_S = 3.0  # a stream this quiet: ask for the job itself (it may have ended unheard)


def _follow(client: httpx.Client, job_id: str, timeout_s: float | None) -> int:
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    bar = ProgressBar(job_id, sys.stderr)
    while not _stream_until_end(client, job_id, bar, deadline):
        if client.get(f"/v1/jobs/{job_id}").json().get("status") in EXIT:
            break
        if deadline is not None and time.monotonic() >= deadline:
            bar.end()
            print(f"timeout: still waiting for job {job_id} after {timeout_s:g}s "
                  f"(it goes on: wowz jobs)", file=sys.stderr)
            return EXIT["timeout"]
    bar.end()
    job = client.get(f"/v1/jobs/{job_id}").json()
    for _ in range(50):  # the stream ends on the terminal event; the row follows within moments
        if job["status"] in EXIT:
            break
        time.sleep(0.1)
        job = client.get(f"/v1/jobs/{job_id}").json()
    if job["status"] == "completed":
        for image in (job.get("output") or {}).get("images", []):
            print(image["url"])
        for video in (job.get("output") or {}).get("videos", []):
            print(video)
    else:
        error = job.get("error") or {}
        print(f"{job['status']}: {error.get('code')}: {error.get('message')}", file=sys.stderr)
    return EXIT.get(job["status"], 1)


def _stream_until_end(client: httpx.Client, job_id: str, bar: "ProgressBar",
                      deadline: float | None) -> bool:
    """Draw the job's events; True once the stream ended (after the terminal event), False
    when it was quiet for QUIET_S or the deadline passed."""
    event = ""
    quiet_s = QUIET_S if deadline is None else max(0.1, min(QUIET_S,
                                                            deadline - time.monotonic()))
    try:
        with client.stream("GET", f"/v1/jobs/{job_id}/events",
                           timeout=httpx.Timeout(10.0, read=quiet_s)) as stream:
            for line in stream.iter_lines():
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                if line.startswith("id:"):
                    event = line[3:].strip()
                elif line.startswith("event:"):
                    bar.event = line[6:].strip().rsplit(".", 1)[-1]
                elif line.startswith("data:"):
                    bar.show(event, json.loads(line[5:]))
    except httpx.ReadTimeout:
        return False
    return True


class ProgressBar:
    """One line per job: redrawn in place on a terminal, a line per change otherwise (a log)."""

    WIDTH = 24

    def __init__(self, job_id: str, out: TextIO):
        self.job_id = job_id
        self.out = out
        self.tty = out.isatty()
        self.event = ""
        self.percent = 0
        self.account = ""
        self._last = ""
        self._seen: set[str] = set()  # event ids: a stream opened again replays the log

    def show(self, event_id: str, data: dict) -> None:
        if event_id in self._seen:
            return
        self._seen.add(event_id)
        self.percent = data.get("percent", 100 if self.event == "completed" else self.percent)
        self.account = data.get("account_id") or self.account
        stage = data.get("stage") or self.event
        filled = self.percent * self.WIDTH // 100
        line = (f"{self.job_id[:8]} [{'#' * filled:<{self.WIDTH}}] {self.percent:3d}% "
                f"{stage}{f' on {self.account}' if self.account else ''}")
        if line == self._last:
            return
        self._last = line
        if self.tty:
            print(f"\r{line}\x1b[K", end="", file=self.out, flush=True)
        else:
            print(line, file=self.out, flush=True)

    def end(self) -> None:
        if self.tty and self._last:
            print(file=self.out)
