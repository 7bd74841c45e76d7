"""`wowz submit`: post a job, optionally follow it to the end. Exit codes a script can use:
0 completed, 1 failed, 2 bad input (or refused), 3 timeout."""

import json
import sys
import time

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
        return _follow(client, job["id"])


def _follow(client: httpx.Client, job_id: str) -> int:
    with client.stream("GET", f"/v1/jobs/{job_id}/events", timeout=None) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            data = json.loads(line[5:])
            if "percent" in data:
                bar = "#" * (data["percent"] // 5)
                print(f"\r[{bar:<20}] {data['percent']:3d}% {data.get('stage', '')}   ",
                      end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    job = client.get(f"/v1/jobs/{job_id}").json()
    for _ in range(50):  # the stream ends on the terminal event; the row follows within moments
        if job["status"] in EXIT:
            break
        time.sleep(0.1)
        job = client.get(f"/v1/jobs/{job_id}").json()
    if job["status"] == "completed":
        for image in (job.get("output") or {}).get("images", []):
            print(image["url"])
    else:
        error = job.get("error") or {}
        print(f"{job['status']}: {error.get('code')}: {error.get('message')}", file=sys.stderr)
    return EXIT.get(job["status"], 1)
