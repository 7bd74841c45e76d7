"""The bus's AsyncAPI document, as JSON and as a plain page (no CDN: the machine may be
offline)."""

import html
import json

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from bus.asyncapi import document

router = APIRouter(tags=["docs"], include_in_schema=False)


@router.get("/docs/asyncapi.json")
async def asyncapi_json() -> Response:
    return Response(json.dumps(document(), indent=2), media_type="application/json")


@router.get("/docs/asyncapi")
async def asyncapi_page() -> HTMLResponse:
    doc = document()
    rows = "".join(
        f"<tr><td><code>{html.escape(c['address'])}</code></td>"
        f"<td>{', '.join(html.escape(doc['components']['messages'][m]['name']) for m in c['messages'])}"
        "</td></tr>" for c in doc["channels"].values())
    schemas = "".join(
        f"<details><summary><code>{html.escape(name)}</code></summary>"
        f"<pre>{html.escape(json.dumps(schema, indent=2))}</pre></details>"
        for name, schema in doc["components"]["schemas"].items())
    return HTMLResponse(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(doc['info']['title'])} - AsyncAPI</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .8rem;
text-align:left}}pre{{background:#f6f6f6;padding:1rem;overflow:auto}}</style></head><body>
<h1>{html.escape(doc['info']['title'])}</h1><p>{html.escape(doc['info']['description'])}</p>
<p><a href="/docs/asyncapi.json">AsyncAPI 3 document (JSON)</a></p>
<h2>Channels (routing keys on <code>wowz.events</code>)</h2>
<table><tr><th>routing key</th><th>message</th></tr>{rows}</table>
<h2>Schemas</h2>{schemas}</body></html>""")
