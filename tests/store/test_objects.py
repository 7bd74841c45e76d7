"""Object storage: local files served by the ingress, or Supabase Storage through its client.
Supabase itself cannot run here, so its Storage API is played by a local HTTP server that
answers the two calls the client makes; the client library is the real one."""

import base64
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from store.objects import LocalStore, SupabaseStore, object_store
from tests.e2e.receiver import Receiver

pytestmark = pytest.mark.connected


def service_key() -> str:
    """A JWT-shaped key, as Supabase's client expects; made here, not a real one."""
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'HS256'})}.{part({'role': 'service_role'})}.signature"


class StorageApi(Receiver):
    """`POST /storage/v1/object/<bucket>/<path>` as Supabase Storage answers it."""

    def app(self):
        async def upload(request: Request):
            self.requests.append({"path": request.url.path, "headers": dict(request.headers),
                                  "body": await request.body()})
            key = request.path_params["key"]
            return JSONResponse({"Key": key, "Id": "0e1f"})

        return Starlette(routes=[Route("/storage/v1/object/{key:path}", upload,
                                       methods=["POST", "PUT"])])


async def test_images_go_to_supabase_storage_when_it_is_configured():
    api = await StorageApi().start()
    try:
        store = object_store(storage_dir=None, public_url="http://wowz", supabase_url=api.url,
                             supabase_key=service_key())
        assert isinstance(store, SupabaseStore)
        url = await store.put("product-designs", "product_design/idea-1/generated_1_0.png",
                              b"\x89PNG...", "image/png")
    finally:
        await api.stop()
    [upload] = api.requests
    assert upload["path"] == "/storage/v1/object/product-designs/product_design/idea-1/generated_1_0.png"
    assert upload["headers"]["authorization"] == f"Bearer {service_key()}"
    assert upload["headers"]["content-type"].startswith("multipart/form-data")
    assert upload["headers"]["x-upsert"] == "true"
    # the multipart part named "file" carries the bytes with their content type
    [file_part] = [p for p in upload["body"].split(b"--") if b'name="file"' in p]
    head, _, data = file_part.partition(b"\r\n\r\n")
    assert b"content-type: image/png" in head.lower()
    assert data == b"\x89PNG...\r\n"
    assert url.startswith(f"{api.url}/storage/v1/object/public/product-designs/product_design/")


async def test_without_supabase_images_are_files_with_ingress_urls(tmp_path):
    store = object_store(storage_dir=tmp_path, public_url="http://wowz:8000/", supabase_url=None,
                         supabase_key=None)
    url = await store.put("product-ideas", "job-1/r-1.png", b"png", "image/png")
    assert isinstance(store, LocalStore)
    assert url == "http://wowz:8000/files/product-ideas/job-1/r-1.png"
    assert (tmp_path / "product-ideas/job-1/r-1.png").read_bytes() == b"png"
    with pytest.raises(ValueError, match="not a plain relative path"):
        await store.put("product-ideas", "../escape.png", b"x", "image/png")
