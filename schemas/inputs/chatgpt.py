"""Inputs of `chatgpt/<action>` jobs."""

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator

from schemas.inputs.base import Strict

URL_MAX = 2048


def _http_url(url: str | None, what: str) -> str | None:
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"{what} is malformed: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{what} must not carry credentials (user:password@)")
    return url


class ChatGPTRemixDesign(Strict):
    """A design remixed by the custom GPT: a prompt, an image, or both."""

    prompt: str | None = Field(None, min_length=1, max_length=8000)
    image_url: str | None = Field(None, max_length=URL_MAX, json_schema_extra={"format": "uri"},
                                  description="an image (at most 20 MB) attached to the message")
    gpt_url: str | None = Field(
        None, max_length=URL_MAX, json_schema_extra={"format": "uri"},
        description="a custom GPT (https://chatgpt.com/g/g-<id>); default: the account's GPT")

    @field_validator("image_url")
    @classmethod
    def _image_url(cls, url: str | None) -> str | None:
        return _http_url(url, "image_url")

    @field_validator("gpt_url")
    @classmethod
    def _gpt_url(cls, url: str | None) -> str | None:
        _http_url(url, "gpt_url")
        if url is not None and not urlsplit(url).path.startswith("/g/g-"):
            raise ValueError("gpt_url must be a custom GPT's address: <origin>/g/g-<id>")
        return url

    @model_validator(mode="after")
    def _something_to_remix(self) -> "ChatGPTRemixDesign":
        if self.prompt is None and self.image_url is None:
            raise ValueError("give a prompt, an image_url or both")
        return self


class ChatGPTChat(Strict):
    """A message in a conversation: a new one, or the one `conversation_id` names."""

    prompt: str = Field(min_length=1, max_length=8000)
    image_url: str | None = Field(None, max_length=URL_MAX, json_schema_extra={"format": "uri"})
    conversation_id: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{8,64}$")

    @field_validator("image_url")
    @classmethod
    def _image_url(cls, url: str | None) -> str | None:
        return _http_url(url, "image_url")


class ChatGPTRecentImages(Strict):
    """The account's recent generated images, newest first; `cursor` from the previous page."""

    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=500)


ACTIONS: dict[str, type[BaseModel]] = {
    "remix_design": ChatGPTRemixDesign,
    "chat": ChatGPTChat,
    "recent_images": ChatGPTRecentImages,
}
