"""Inputs of `ideogram/<action>` jobs, with the seed's field names."""

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, model_validator

from schemas.inputs.base import Strict

Style = Literal["AUTO", "GENERAL", "REALISTIC", "DESIGN", "3D", "ANIME"]
MagicPrompt = Literal["AUTO", "ON", "OFF"]
URL_MAX = 2048


def _image_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"image_url is malformed: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("image_url must be an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("image_url must not carry credentials (user:password@)")
    return url


ImageUrl = Annotated[str, AfterValidator(_image_url),
                     Field(max_length=URL_MAX, json_schema_extra={"format": "uri"})]


# An image uploaded to Ideogram, by its id.
UploadId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Resolution(Strict):
    width: int = Field(1024, ge=256, le=2048)
    height: int = Field(1024, ge=256, le=2048)


class Generation(Strict):
    """What every generating action shares."""

    style: Style = "AUTO"
    magic_prompt: MagicPrompt = Field("AUTO", description="Ideogram's prompt rewriting")
    resolution: Resolution = Field(default_factory=Resolution)
    num_images: int = Field(4, ge=1, le=4)
    model_version: str = Field("V_2", pattern=r"^V_[0-9A-Z_]{1,16}$")


class IdeogramRemix(Generation):
    """Variations of an image (the seed's /api/remix). The prompt is the caption Ideogram gives
    the image (`AUTO`, the default without a prompt) or the one given (`MANUAL`)."""

    image_url: ImageUrl = Field(description="an image of at most 10 MB")
    prompt: str | None = Field(None, min_length=1, max_length=4000)
    prompt_source: Literal["AUTO", "MANUAL"] | None = Field(
        None, description="default: MANUAL when a prompt is given, AUTO otherwise")
    image_weight: int = Field(50, ge=0, le=100, description="how close to the image, 0-100")

    @model_validator(mode="after")
    def _manual_needs_a_prompt(self) -> "IdeogramRemix":
        if self.prompt_source == "MANUAL" and self.prompt is None:
            raise ValueError("prompt_source MANUAL needs a prompt")
        return self

    @property
    def captioned(self) -> bool:
        return (self.prompt_source or ("MANUAL" if self.prompt else "AUTO")) == "AUTO"


class IdeogramGenerate(Generation):
    """Text to image (the seed's /api/genimageprompt)."""

    prompt: str = Field(min_length=1, max_length=4000)


class IdeogramCustom(Generation):
    """An image already uploaded to Ideogram, a prompt and the image's weight (the seed's
    /api/gencustom)."""

    image_id: UploadId
    prompt: str = Field(min_length=1, max_length=4000)
    parent_weight: int = Field(50, ge=0, le=100)


class IdeogramDescribe(Strict):
    """The caption of an image (a URL, or one uploaded by an `upload` job); it comes back as
    `output.text`."""

    image_url: ImageUrl | None = None
    image_id: UploadId | None = Field(None, description="the id an `upload` job gave")

    @model_validator(mode="after")
    def _one_image(self) -> "IdeogramDescribe":
        if (self.image_url is None) == (self.image_id is None):
            raise ValueError("give either image_url or image_id")
        return self


class IdeogramUpload(Strict):
    """An image uploaded to Ideogram (the seed's /api/upload); its id comes back as
    `output.text`, for `describe` and `custom` (which then run on the same account)."""

    image_url: ImageUrl = Field(description="an image of at most 10 MB")


JobId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _OfAnImage(Strict):
    """An image of a finished wowz job (`job_id`, `index`) or Ideogram's ids of one."""

    job_id: JobId | None = Field(None, description="a completed ideogram job of wowz")
    index: int = Field(0, ge=0, le=3, description="which of that job's images")
    request_id: JobId | None = None
    response_id: JobId | None = None

    @model_validator(mode="after")
    def _one_image(self) -> "_OfAnImage":
        by_job = self.job_id is not None
        by_ids = self.request_id is not None and self.response_id is not None
        if by_job == by_ids:
            raise ValueError("give either job_id (and index) or request_id and response_id")
        return self


class IdeogramUpscale(_OfAnImage):
    """`SUPER_RES` of one image (the seed's /api/upscale)."""

    weight: int = Field(100, ge=0, le=100, description="detail weight")
    prompt: str | None = Field(None, max_length=4000, description="default: the image's")
    model_version: str = Field("V_2", pattern=r"^V_[0-9A-Z_]{1,16}$")


class IdeogramRemoveBackground(Strict):
    """The cut-out (PNG) of a finished job's image, or of an image URL."""

    job_id: JobId | None = None
    index: int = Field(0, ge=0, le=3)
    image_url: ImageUrl | None = None

    @model_validator(mode="after")
    def _one_image(self) -> "IdeogramRemoveBackground":
        if (self.job_id is None) == (self.image_url is None):
            raise ValueError("give either job_id (and index) or image_url")
        return self


ACTIONS: dict[str, type[BaseModel]] = {
    "remix": IdeogramRemix,
    "generate": IdeogramGenerate,
    "custom": IdeogramCustom,
    "describe": IdeogramDescribe,
    "upload": IdeogramUpload,
    "upscale": IdeogramUpscale,
    "remove_background": IdeogramRemoveBackground,
}
