-- A run's end, so that a job redelivered after its terminal event was published is not redone.
alter table job_runs add column if not exists finished_at timestamptz;
