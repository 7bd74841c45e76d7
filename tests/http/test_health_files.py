"""What the ingress serves without a key: its health, the stored images, its API description."""

import pytest

pytestmark = pytest.mark.connected

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


async def test_health_reports_database_and_bus_without_a_key(api):
    response = await api.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"] == {"database": "ok", "bus": "ok"}
    assert body["uptime_s"] >= 0


async def test_stored_files_are_served_with_their_type_and_nothing_outside(api, tmp_path):
    image = tmp_path / "objects" / "product-designs" / "product_design" / "i-1" / "0.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("not for you")

    response = await api.client.get("/files/product-designs/product_design/i-1/0.png")
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"

    for path in ("/files/product-designs/%2E%2E/%2E%2E/secret.txt",
                 "/files/%2E%2E/secret.txt", "/files/product-designs/..%2F..%2Fsecret.txt"):
        refused = await api.client.get(path)
        assert refused.status_code == 400, path
        assert refused.json()["error"]["details"][0]["field"] == "path"
    missing = await api.client.get("/files/product-designs/product_design/i-1/9.png")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_a_link_out_of_the_store_is_not_followed(api, tmp_path):
    (tmp_path / "secret.txt").write_text("not for you")
    bucket = tmp_path / "objects" / "b"
    bucket.mkdir(parents=True)
    (bucket / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert (await api.client.get("/files/b/link.txt")).status_code == 404


async def test_the_api_is_described_at_openapi_json_and_docs(api):
    spec = (await api.client.get("/openapi.json")).json()
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/events",
            "/health"} <= set(spec["paths"])
    assert "JobRequest" in spec["components"]["schemas"]
    docs = await api.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
