-- Provider accounts as their provider service sees them, so any process (the ingress's
-- GET /v1/accounts) can show them. Written by the provider service on every change; one row
-- per account id, the last writer wins (one service runs an account at a time).
create table if not exists accounts (
  id           text primary key,
  provider     text not null,
  healthy      boolean not null,
  reason       text,                           -- why unhealthy: auth_expired, captcha_required, ...
  since        timestamptz not null,           -- when the health last changed
  running      integer not null default 0,     -- jobs running now
  jobs_today   integer not null default 0,     -- jobs started today (UTC), for the daily cap
  concurrency  integer not null,
  mode         text not null,
  enabled      boolean not null,
  daily_cap    integer,
  updated_at   timestamptz not null default now()
);
