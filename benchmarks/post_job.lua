-- wrk script for benchmarks/ingress.py: POST /v1/jobs with a valid Midjourney job, the API key
-- from WOWZ_BENCH_KEY, and one machine-readable summary line at the end.
wrk.method = "POST"
wrk.body = '{"provider":"midjourney","action":"imagine",' ..
           '"input":{"prompt":"a cat in a teapot, sticker"},"metadata":{"source":"benchmark"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("WOWZ_BENCH_KEY") or "")

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
