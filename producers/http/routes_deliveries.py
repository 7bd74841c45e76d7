"""The webhook delivery log of a job, and replays of a delivery (after its retries were used
up, or to send it again)."""

import dataclasses
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from bus.topology import NOTIFIER_QUEUE
from producers.http.auth import requires
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from producers.http.routes_jobs import ERRORS, JobId, owned_job
from schemas.errors import ErrorCode
from schemas.http import Replayed
from store import deliveries
from store.keys import ApiKey

router = APIRouter(tags=["webhooks"])

REPLAY = "x-wowz-replay"  # the notifier sends a replayed event even if it was delivered before


class DeliveryPage(BaseModel):
    data: list[deliveries.Delivery]


def _view(delivery: deliveries.Delivery) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in dataclasses.asdict(delivery).items()}


@router.get("/v1/jobs/{job_id}/deliveries", responses={**ERRORS, 200: {"model": DeliveryPage}})
async def job_deliveries(job_id: JobId, key: Annotated[ApiKey, Depends(requires("read"))],
                         ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Every webhook attempt for the job, newest first."""
    await owned_job(ingress, key, job_id)
    found = await deliveries.list_deliveries(ingress.pool, job_id=job_id)
    return Response(json.dumps({"data": [_view(d) for d in found]}),
                    media_type="application/json")


@router.post("/v1/deliveries/{delivery_id}/replay", status_code=202,
             responses={**ERRORS, 202: {"model": Replayed}})
async def replay(delivery_id: Annotated[str, Path(max_length=64)],
                 key: Annotated[ApiKey, Depends(requires("submit"))],
                 ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    """Send the delivery's event to the job's webhook again (a new series of attempts)."""
    delivery = await deliveries.get_delivery(ingress.pool, delivery_id)
    if delivery is None:
        raise ApiError(404, ErrorCode.not_found, f"no delivery {delivery_id}")
    await owned_job(ingress, key, delivery.job_id)
    event = await deliveries.load_event(ingress.pool, delivery.event_id)
    if event is None:
        raise ApiError(409, ErrorCode.conflict,
                       f"the event {delivery.event_id} of this delivery is not stored (yet)")
    await ingress.publisher.send(NOTIFIER_QUEUE, event, headers={REPLAY: "1"})
    return Response(json.dumps({"replayed": delivery_id, "event_id": delivery.event_id}),
                    status_code=202, media_type="application/json")
