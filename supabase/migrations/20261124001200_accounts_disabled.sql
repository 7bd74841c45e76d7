-- An operator's switch (dashboard, `wowz accounts disable`, POST /v1/accounts/{id}/disable): a
-- disabled account takes no new jobs until it is enabled again. Written by the ingress only
-- (the provider services never overwrite it); they read it at start and hear each change as a
-- wowz.account.control event.
alter table accounts add column if not exists disabled_at timestamptz,
                     add column if not exists disabled_by text;  -- the operator's API key id
