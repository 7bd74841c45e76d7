"""The dashboard's buttons: plain form posts (no script needed), answered by a redirect back
to the page with a notice. The cookie is SameSite=Strict, so another site cannot post them."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from producers.http import routes_accounts, routes_deliveries
from producers.http.dashboard.pages import Viewer, refused, to_login
from producers.http.dashboard.render import page
from producers.http.errors import ApiError
from producers.http.ingress import Ingress, ingress
from producers.http.routes_dead import DeadId, DeadLetters
from store import deliveries
from store.keys import ApiKey

router = APIRouter(prefix="/ui")


@router.post("/deliveries/{delivery_id}/replay")
async def replay(request: Request, delivery_id: Annotated[str, Path(max_length=64)],
                 key: Viewer, ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    if key is None:
        return to_login(request)
    if (answer := refused(request, key, "submit")) is not None:
        return answer
    try:
        await routes_deliveries.replay(delivery_id, key, ingress)
    except ApiError as exc:
        return page(request, "message.html", key, exc.status, title="Not replayed",
                    message=exc.message)
    delivery = await deliveries.get_delivery(ingress.pool, delivery_id)
    return RedirectResponse(f"/ui/jobs/{delivery.job_id}?notice=replayed", status_code=303)


@router.post("/dead/{letter_id}/{verb}")
async def dead_letter(request: Request, letter_id: DeadId,
                      verb: Annotated[str, Path(pattern="^(requeue|discard)$")], key: Viewer,
                      ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    dead = DeadLetters(ingress.connection)
    done = "requeued" if verb == "requeue" else "discarded"
    return await _as_admin(
        request, key,
        lambda: dead.requeue(letter_id) if verb == "requeue" else dead.discard(letter_id),
        f"/ui/dead?notice={done}")


@router.post("/accounts/{account_id}/{verb}")
async def account_switch(request: Request, account_id: routes_accounts.AccountId,
                         verb: Annotated[str, Path(pattern="^(enable|disable)$")], key: Viewer,
                         ingress: Annotated[Ingress, Depends(ingress)]) -> Response:
    return await _as_admin(
        request, key,
        lambda: routes_accounts.switch(ingress, key, account_id, enabled=verb == "enable"),
        f"/ui/accounts?notice={verb}d")


async def _as_admin(request: Request, key: ApiKey | None, act: Callable[[], Awaitable[object]],
                    then: str) -> Response:
    """A platform-wide button: done for an `admin` key, then back to `then`; why not, if not."""
    if key is None:
        return to_login(request)
    if (answer := refused(request, key, "admin")) is not None:
        return answer
    try:
        await act()
    except ApiError as exc:
        return page(request, "message.html", key, exc.status, title="Not done",
                    message=exc.message)
    return RedirectResponse(then, status_code=303)
