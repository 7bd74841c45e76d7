"""The dashboard at `/`: server-rendered pages over the API's data, live over server-sent
events, behind the API key (a login form sets it as an HttpOnly cookie) or its header."""

from fastapi import APIRouter

from producers.http.dashboard import actions, feed, pages

router = APIRouter(include_in_schema=False)
for _module in (pages, actions, feed):
    router.include_router(_module.router)
