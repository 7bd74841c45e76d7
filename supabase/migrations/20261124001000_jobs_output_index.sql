-- Finding the job of an asset by the ids the seed's clients hold (an Ideogram response id in
-- output.images, an upload id in output.text): jsonb containment on the output.
create index if not exists jobs_output on jobs using gin (output jsonb_path_ops);
