"""The seed system's HTTP API, same bodies and response shapes, so that existing n8n workflows
and apps keep working when pointed at wowz. Each route maps its body onto a `/v1` job."""

from fastapi import APIRouter

from producers.http.seed import chatgpt, ideogram, ideogram_sync, jobs, midjourney

router = APIRouter()
for module in (midjourney, jobs, ideogram, ideogram_sync, chatgpt):
    router.include_router(module.router)
