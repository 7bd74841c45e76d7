"""`GET /api/job/{jobId}` of the seed's services, for any wowz job (the seed answered 404 for a
job without idea_id; wowz always knows its jobs)."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from producers.http.auth import requires
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import JobId, owned_job
from schemas.jobs import JobStatus
from store.keys import ApiKey

router = APIRouter(prefix="/api", tags=["seed"])

FAILED = {JobStatus.failed, JobStatus.timeout, JobStatus.cancelled}


@router.get("/job/{job_id}")
async def seed_job(job_id: JobId, key: Annotated[ApiKey, Depends(requires("read"))],
                   ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    job = await owned_job(ingress, key, job_id)
    images = [i.url for i in job.output.images] if job.output else []
    answer = {
        "success": True, "jobId": job.id, "status": job.status.value,
        "createdAt": job.created_at.isoformat(), "updatedAt": job.updated_at.isoformat(),
        "errorMessage": job.error.message if job.error else None, "images": images,
        "isComplete": job.status == JobStatus.completed, "isFailed": job.status in FAILED,
        "isProcessing": job.status in (JobStatus.pending, JobStatus.processing)}
    return Response(json.dumps(answer), media_type="application/json")
