"""Object storage behind one small interface: local disk (served by the ingress under /files)
or Supabase Storage."""

import asyncio
from pathlib import Path
from typing import Protocol


class ObjectStore(Protocol):
    async def put(self, bucket: str, path: str, data: bytes, content_type: str) -> str:
        """Store the object (overwriting) and return its public URL."""


def _safe(bucket: str, path: str) -> str:
    key = f"{bucket}/{path}"
    if ".." in key.split("/") or key.startswith("/"):
        raise ValueError(f"object key: {key!r} is not a plain relative path")
    return key


class LocalStore:
    """Files under `root`, served by the ingress at `<public_url>/files/<bucket>/<path>`."""

    def __init__(self, root: Path, public_url: str):
        self.root = root
        self.public_url = public_url.rstrip("/")

    async def put(self, bucket: str, path: str, data: bytes, content_type: str) -> str:
        key = _safe(bucket, path)
        target = self.root / key
        await asyncio.to_thread(_write_atomically, target, data)
        return f"{self.public_url}/files/{key}"


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)


class SupabaseStore:
    """Supabase Storage through its async client; buckets are public, as the seed's were."""

    def __init__(self, url: str, service_key: str):
        from supabase import acreate_client  # imported here: only needed when configured

        self._connect = lambda: acreate_client(url, service_key)
        self._client = None

    async def put(self, bucket: str, path: str, data: bytes, content_type: str) -> str:
        _safe(bucket, path)
        if self._client is None:
            self._client = await self._connect()
        storage = self._client.storage.from_(bucket)
        await storage.upload(path, data, {"content-type": content_type, "upsert": "true"})
        return await storage.get_public_url(path)


def object_store(*, storage_dir: Path, public_url: str, supabase_url: str | None,
                 supabase_key: str | None) -> ObjectStore:
    if supabase_url and supabase_key:
        return SupabaseStore(supabase_url, supabase_key)
    return LocalStore(storage_dir, public_url)
