"""The platform's Prometheus metrics, defined once here (beside the bus every service shares)
and exposed by each process: the ingress at `/metrics`, any other service on
`WOWZ_METRICS_PORT`. In `wowz up` one process exposes them all."""

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("wowz_jobs_total", "Jobs that ended, by outcome",
               ["provider", "action", "status"])
JOB_SECONDS = Histogram("wowz_job_duration_seconds", "From started to the terminal event",
                        ["provider", "action"],
                        buckets=(1, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200))
QUEUE_WAIT = Histogram("wowz_job_queue_wait_seconds", "From requested to started",
                       ["provider"],
                       buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600))
IN_FLIGHT = Gauge("wowz_account_jobs_in_flight", "Jobs running on an account",
                  ["provider", "account"])
ACCOUNT_HEALTHY = Gauge("wowz_account_healthy", "1 when the account can take jobs",
                        ["provider", "account"])
WEBHOOK_ATTEMPTS = Counter("wowz_webhook_attempts_total", "Webhook attempts by outcome",
                           ["outcome"])
WEBHOOK_SECONDS = Histogram("wowz_webhook_duration_seconds", "One webhook attempt",
                            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15))
DEAD_LETTERS = Counter("wowz_dead_letters_total", "Messages dead-lettered, by queue",
                       ["queue"])
BROWSER_BYTES = Gauge("wowz_browser_memory_bytes", "PSS of an account's Chromium",
                      ["provider", "account"])
PUBLISH_SECONDS = Histogram("wowz_bus_publish_confirm_seconds",
                            "From publish to the broker's confirm",
                            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1))
