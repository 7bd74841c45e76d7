-- Per-key limits (null: the ingress's defaults, WOWZ_RATE_LIMIT_* / WOWZ_MAX_JOBS_IN_FLIGHT).
alter table api_keys add column if not exists rate_limit_per_s double precision
  check (rate_limit_per_s > 0);
alter table api_keys add column if not exists rate_limit_burst integer
  check (rate_limit_burst >= 1);
alter table api_keys add column if not exists max_jobs_in_flight integer
  check (max_jobs_in_flight >= 1);
-- Rotation: the key and the webhook secret it replaced stay valid until their grace ends.
alter table api_keys add column if not exists previous_key_hash text unique;
alter table api_keys add column if not exists previous_key_expires_at timestamptz;
alter table api_keys add column if not exists previous_webhook_secret text;
alter table api_keys add column if not exists previous_webhook_secret_expires_at timestamptz;
-- A key's jobs in flight, counted by the ingress for its limit.
create index if not exists jobs_in_flight on jobs (api_key_id)
  where status in ('pending', 'processing');
