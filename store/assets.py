"""Which wowz job made a provider's asset: the Ideogram image a response id names, the upload
an upload id names. The seed's clients hold only those ids; wowz needs the job (its account
alone sees the asset). Served by the `jobs_output` index (jsonb containment)."""

import asyncpg


async def job_of_image(pool: asyncpg.Pool, *, api_key_id: str,
                       response_id: str) -> tuple[str, int] | None:
    """(job id, image index) of this key's completed Ideogram job holding `response_id`."""
    row = await pool.fetchrow(
        """select id, image->>'index' as index
           from jobs, jsonb_array_elements(output->'images') as image
           where output @> jsonb_build_object('images',
                                              jsonb_build_array(jsonb_build_object(
                                                  'response_id', $2::text)))
             and provider = 'ideogram' and status = 'completed' and api_key_id = $1
             and image->>'response_id' = $2
           order by created_at desc limit 1""", api_key_id, response_id)
    return (row["id"], int(row["index"])) if row else None


async def upload_owner(pool: asyncpg.Pool, upload_id: str) -> str | None:
    """The account of the completed `ideogram/upload` job that gave `upload_id`."""
    return await pool.fetchval(
        """select account_id from jobs
           where output @> jsonb_build_object('text', $1::text)
             and provider = 'ideogram' and action = 'upload' and status = 'completed'
           order by created_at desc limit 1""", upload_id)
