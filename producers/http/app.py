"""The FastAPI app of the ingress. Run it with uvicorn (uvloop, httptools)."""

import contextlib
import secrets
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
from aio_pika.abc import AbstractConnection
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bus.provider_token import TokenSeal
from producers.http import (
    dashboard,
    errors,
    openapi,
    routes_accounts,
    routes_asyncapi,
    routes_dead,
    routes_deliveries,
    routes_files,
    routes_health,
    routes_hooks,
    routes_jobs,
    routes_metrics,
    seed,
    sse,
)
from producers.http.edge import Edge, RequestStats, origin
from producers.http.ingress import Ingress
from producers.http.limits import KeyLimits
from producers.http.routes_hooks import Hooks
from producers.http.submit import Submissions


def create_app(*, pool: asyncpg.Pool, connection: AbstractConnection, object_root: Path,
               limits: KeyLimits | None = None, request_timeout_s: float | None = None,
               cors_origins: Sequence[str] = (),
               public_url: str, allow_private_urls: bool, max_body_bytes: int = 1_000_000,
               api_key_cache_s: float = 2.0, providers: list[str],
               outbox_interval_s: float = 3.0, hooks: Hooks | None = None,
               supabase_url: str | None = None, seed_wait_s: float = 300.0,
               token_seal: TokenSeal | None = None) -> FastAPI:
    """`pool` is migrated; `connection` a robust one. The app opens its own channels. `limits`:
    per API key (none by default); `cors_origins`: the browser origins allowed (none). `hooks`
    turns inbound webhooks (Supabase row changes) into jobs; `supabase_url`, when images are
    stored in its Storage, is the one other origin the pages may show images from;
    `seed_wait_s`, how long the seed's synchronous routes wait for their job; `token_seal`
    seals jobs' own provider tokens for the provider services (by default with a random key:
    only services in this process can open them)."""
    ingress = Ingress(pool=pool, connection=connection, object_root=object_root,
                      public_url=public_url, allow_private_urls=allow_private_urls,
                      api_key_cache_s=api_key_cache_s, providers=providers, limits=limits,
                      outbox_interval_s=outbox_interval_s,
                      token_seal=token_seal or TokenSeal(secrets.token_urlsafe(32)))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ingress.start()
        try:
            yield
        finally:
            await ingress.stop()

    app = FastAPI(
        title="wowz", version="1",
        description="AI image jobs on Midjourney, Ideogram and ChatGPT accounts. Authenticate "
                    "with `Authorization: Bearer <key>` or `X-API-Key`.",
        lifespan=lifespan,
        # No OpenTelemetry here (metrics are Prometheus'): skip FastAPI's per-request check.
        telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.ingress = ingress
    app.state.hooks = hooks or Hooks()
    app.state.seed_wait_s = seed_wait_s
    errors.install(app)
    for module in (routes_jobs, sse, routes_deliveries, routes_health, routes_files,
                   seed, routes_asyncapi, routes_hooks,
                   routes_metrics, routes_dead, routes_accounts, dashboard):
        app.include_router(module.router)
    openapi.install(app)
    app.add_middleware(Submissions)
    if cors_origins:  # inside Edge, so its answers carry the request id and security headers
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), max_age=600,
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type",
                                          "Idempotency-Key", "X-Request-Id"],
                           expose_headers=["X-Request-Id", "Retry-After", "Location"])
    app.state.request_stats = RequestStats()
    app.add_middleware(Edge, max_body_bytes=max_body_bytes, stats=app.state.request_stats,
                       timeout_s=request_timeout_s,
                       image_origin=origin(supabase_url) if supabase_url else None)
    return app
