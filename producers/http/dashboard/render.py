"""Templates and the small formatting helpers they use."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from store.keys import ApiKey

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
NOTICES = {"replayed": "The webhook is being sent again.",
           "requeued": "Sent back to its queue.", "discarded": "Discarded.",
           "disabled": "Disabled: it takes no new jobs; the running ones finish.",
           "enabled": "Enabled: it takes jobs again once healthy."}

env = Environment(loader=FileSystemLoader(HERE / "templates"),
                  autoescape=select_autoescape(default=True), trim_blocks=True,
                  lstrip_blocks=True)


def seconds(start: datetime | None, end: datetime | None = None) -> str:
    """`4s`, `3m 05s`, `2h 10m`: an age or a duration."""
    if start is None:
        return ""
    total = int(((end or datetime.now(UTC)) - start).total_seconds())
    if total < 60:
        return f"{max(total, 0)}s"
    if total < 3600:
        return f"{total // 60}m {total % 60:02d}s"
    return f"{total // 3600}h {total % 3600 // 60:02d}m"


def local(request: Request, url: str) -> str:
    """An object URL of this server as a path: the page's CSP allows images from its own
    origin (and the Supabase project's only), and the public URL may name it differently than
    the browser does."""
    public = request.app.state.ingress.public_url
    return url[len(public):] if url.startswith(public + "/") else url


env.filters["seconds"] = seconds
env.globals["iso"] = lambda dt: dt.isoformat() if dt else ""


def page(request: Request, template: str, key: ApiKey | None, code: int = 200,
         **context: Any) -> HTMLResponse:
    notice = NOTICES.get(request.query_params.get("notice", ""))
    html = env.get_template(template).render(
        request=request, key=key, notice=notice, local=lambda url: local(request, url),
        **context)
    return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})
