-- Whether the client sent its own provider token with the job. The token itself is never
-- stored (it travels sealed in the JobRequested message's header); this flag lets the outbox
-- relay, which republishes from this row, say that the job's token is missing, so the job
-- fails clearly instead of silently running on an account's token.
alter table jobs add column if not exists own_token boolean not null default false;
