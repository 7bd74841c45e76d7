-- wowz core tables. Applied by `wowz migrate` (and at start), or by `supabase db push`.

create table if not exists api_keys (
  id               text primary key,
  name             text not null,
  key_hash         text not null unique,            -- sha256 of the key; the key is shown once
  webhook_secret   text not null,                   -- whsec_...: signs this key's webhooks
  scopes           text[] not null default '{submit,read}',
  created_at       timestamptz not null default now(),
  revoked_at       timestamptz
);

create table if not exists jobs (
  id               text primary key,
  status           text not null default 'pending'
                   check (status in ('pending','processing','completed','failed','timeout','cancelled')),
  provider         text not null,
  action           text not null,
  input            jsonb not null,
  output           jsonb,
  error            jsonb,
  progress         integer not null default 0,
  account_id       text,
  provider_job_id  text,
  webhook          jsonb,
  metadata         jsonb not null default '{}',
  idempotency_key  text,
  api_key_id       text,
  timeout_s        integer not null default 600,
  seq              bigint not null default 0,
  published_at     timestamptz,                     -- outbox: null until the bus confirmed it
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  started_at       timestamptz,
  finished_at      timestamptz
);
create unique index if not exists jobs_idempotency
  on jobs (coalesce(api_key_id, ''), idempotency_key) where idempotency_key is not null;
create index if not exists jobs_unpublished on jobs (created_at) where published_at is null;
create index if not exists jobs_created on jobs (created_at desc, id desc);
create index if not exists jobs_status on jobs (status, created_at desc);
create index if not exists jobs_metadata on jobs using gin (metadata jsonb_path_ops);

create table if not exists job_events (
  id               text primary key,                -- the event id: a redelivery is a no-op
  job_id           text not null,
  type             text not null,
  seq              bigint not null,
  data             jsonb not null,
  time             timestamptz not null,
  received_at      timestamptz not null default now()
);
create index if not exists job_events_job on job_events (job_id, seq);

-- A provider consumer's claim on a job: which attempt, and the provider's own job id, so that a
-- redelivered message resumes the provider job instead of submitting it again.
create table if not exists job_runs (
  job_id               text primary key,
  account_id           text,
  attempt              integer not null default 0,
  provider_job_id      text,
  claimed_at           timestamptz,
  cancel_requested_at  timestamptz
);

create table if not exists webhook_deliveries (
  id               text primary key,
  job_id           text not null,
  event_id         text not null,
  event_type       text not null,
  url              text not null,
  attempt          integer not null,
  status_code      integer,
  error            text,
  duration_ms      integer,
  next_attempt_at  timestamptz,
  delivered_at     timestamptz,
  exhausted        boolean not null default false,
  payload          jsonb not null,
  created_at       timestamptz not null default now()
);
create index if not exists webhook_deliveries_job on webhook_deliveries (job_id, created_at);
create index if not exists webhook_deliveries_event on webhook_deliveries (event_id);

-- The table of the apps that use the seed system, created only where it does not exist.
create table if not exists product_design (
  id                     uuid primary key default gen_random_uuid(),
  user_id                uuid,
  prompt                 text,
  original_image_url     text,
  generated_designs_url  jsonb,
  remixed_designs_url    jsonb,
  job_id                 text unique,
  job_status             text,
  job_created_at         timestamptz default now(),
  job_updated_at         timestamptz default now(),
  error_message          text,
  created_at             timestamptz default now(),
  updated_at             timestamptz default now()
);
