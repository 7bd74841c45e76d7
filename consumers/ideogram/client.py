"""Calls to ideogram.ai from inside the account's page, with its bearer token: a 401 renews the
token once (for every job that saw it) and the call is tried once more."""

import base64
import json
from typing import Any

from consumers.ideogram import wire
from consumers.ideogram.tokens import JobToken, TokenProvider
from consumers.providers.browser import BrowserSession, Response
from schemas.errors import AuthExpired, BadInput, ErrorCode, Moderated, ProviderError, RateLimited

# fetch in the page; the token travels as an argument, never inside the script text
CALL_JS = """async ([url, method, token, body, file]) => {
  const headers = {authorization: "Bearer " + token};
  let payload = body;
  if (file) {
    const bytes = Uint8Array.from(atob(file.data), c => c.charCodeAt(0));
    payload = new FormData();
    payload.append("file", new Blob([bytes], {type: file.type}), file.name);
  } else if (body !== null) {
    headers["content-type"] = "application/json";
  }
  const response = await fetch(url, {method, headers, body: payload, credentials: "include"});
  const head = Object.fromEntries(response.headers);
  if (!response.ok || !(head["content-type"] || "").startsWith("image/")) {
    return {status: response.status, headers: head, text: await response.text()};
  }
  const buffer = new Uint8Array(await response.arrayBuffer());
  let binary = "";
  for (let i = 0; i < buffer.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, buffer.subarray(i, i + 0x8000));
  }
  return {status: response.status, headers: head, text: "", data: btoa(binary)};
}"""


class IdeogramApi:
    def __init__(self, session: BrowserSession, tokens: TokenProvider | JobToken):
        self.session = session
        self.tokens = tokens

    def with_token(self, token: str) -> "IdeogramApi":
        """The same browser session, calling with a client's own token for one job."""
        return IdeogramApi(self.session, JobToken(token))

    async def json(self, method: str, path: str, body: Any = None) -> Any:
        response, _ = await self._call(method, path, body=body)
        return json.loads(response.text)

    async def upload(self, data: bytes, name: str, content_type: str) -> str:
        file = {"data": base64.b64encode(data).decode(), "name": name, "type": content_type}
        response, _ = await self._call("POST", wire.UPLOAD, file=file)
        answer = json.loads(response.text)
        if not answer.get("success") or not answer.get("id"):
            raise ProviderError(f"upload refused: {response.text[:200]}", retryable=False)
        return str(answer["id"])

    async def download(self, path: str) -> bytes:
        _, data = await self._call("GET", path)
        if data is None:
            raise ProviderError(f"{path.split('?')[0]}: not an image", retryable=False)
        return data

    async def _call(self, method: str, path: str, *, body: Any = None,
                    file: dict | None = None) -> tuple[Response, bytes | None]:
        token = await self.tokens.get()
        result = await self._send(method, path, token, body, file)
        if result["status"] == 401:
            token = await self.tokens.refresh(token)
            result = await self._send(method, path, token, body, file)
        response = Response(result["status"], result["headers"], result["text"])
        _raise_for(response, path.split("?")[0])
        data = result.get("data")
        return response, base64.b64decode(data) if data is not None else None

    async def _send(self, method: str, path: str, token: str, body: Any,
                    file: dict | None) -> dict:
        page = await self.session.page()
        payload = json.dumps(body) if body is not None else None
        return await page.evaluate(CALL_JS, [self.session.origin + path, method, token, payload,
                                             file])


def _detail(response: Response) -> tuple[str, dict]:
    try:
        data = json.loads(response.text)
    except ValueError:
        return response.text[:300], {}
    data = data if isinstance(data, dict) else {}
    return str(data.get("detail") or data.get("message") or response.text[:300]), data


def _raise_for(response: Response, path: str) -> None:
    if response.status < 400:
        return
    detail, data = _detail(response)
    if response.status == 401:
        raise AuthExpired(f"{path}: HTTP 401 with a fresh token")
    if data.get("sampling_available") is False:
        raise ProviderError(f"{path}: no generations left: {detail}",
                            code=ErrorCode.quota_exhausted, retryable=False)
    if response.status == 403:
        raise AuthExpired(f"{path}: HTTP 403: {detail}")
    if response.status == 429:
        retry_after = response.headers.get("retry-after")
        raise RateLimited(f"{path}: HTTP 429",
                          retry_after=float(retry_after) if retry_after else None)
    if response.status >= 500:
        raise ProviderError(f"{path}: HTTP {response.status}")
    if wire.is_moderation(detail):
        raise Moderated(f"{path}: {detail}")
    if response.status == 404:
        raise ProviderError(f"{path}: not found: {detail}", retryable=False)
    raise BadInput(f"{path}: HTTP {response.status}: {detail}")
