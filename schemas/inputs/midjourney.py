"""Inputs of `midjourney/<action>` jobs."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from schemas.inputs.base import Strict
from schemas.urls import check_url_syntax

Mode = Literal["fast", "relax", "turbo"]


def _url(value: str) -> str:
    try:
        check_url_syntax(value)
    except ValueError as exc:  # the shared check speaks of webhooks
        raise ValueError(str(exc).replace("webhook url", "image url")) from None
    return value


ImageUrl = Annotated[str, Field(max_length=2048, json_schema_extra={"format": "uri"}),
                     AfterValidator(_url)]


class MidjourneyOptions(Strict):
    """The seed's prompt options (its defaults: chaos 5, ar 4:3, stylize 150, weird 200, v 7)."""

    chaos: int | None = Field(5, ge=0, le=100)
    ar: str | None = Field("4:3", pattern=r"^\d{1,3}:\d{1,3}$", description="aspect ratio W:H")
    stylize: int | None = Field(150, ge=0, le=1000)
    weird: int | None = Field(200, ge=0, le=3000)
    version: str | None = Field("7", pattern=r"^\d(\.\d)?$")
    quality: Literal[0.25, 0.5, 1, 2, 4] | None = None
    stop: int | None = Field(None, ge=10, le=100)
    tile: bool = False
    niji: Literal[5, 6] | None = None
    no: str | None = Field(None, max_length=500, description="things to leave out")
    seed: int | None = Field(None, ge=0, le=4294967295)
    sref: str | None = Field(None, max_length=2000, description="style reference URLs or code")
    cref: str | None = Field(None, max_length=2000, description="character reference URLs")
    iw: float | None = Field(None, ge=0, le=3, description="image prompt weight")
    # "fast" by default rather than the account's: the seed's genimage answer shows the mode.
    mode: Mode = "fast"
    private: bool = False


class MidjourneyImagine(Strict):
    prompt: str = Field(min_length=1, max_length=4000)
    image_urls: list[ImageUrl] = Field(
        default_factory=list, max_length=5,
        description="image prompts: each is uploaded to Midjourney and put before the prompt")
    options: MidjourneyOptions = Field(default_factory=MidjourneyOptions)


class OnJob(Strict):
    """An action on one image of a completed wowz Midjourney job."""

    job_id: str = Field(min_length=1, max_length=100, description="the wowz job id")
    index: int = Field(ge=0, le=3, description="which of its images")
    mode: Mode | None = Field(None, description="fast, relax or turbo; the account's by default")


class MidjourneyUpscale(OnJob):
    type: Literal["subtle", "creative"] = "subtle"


class MidjourneyVary(OnJob):
    strength: Literal["subtle", "strong"] = "subtle"


class MidjourneyPan(OnJob):
    direction: Literal["left", "right", "up", "down"]


class MidjourneyZoom(OnJob):
    factor: Literal[1.5, 2] = 2


class MidjourneyReroll(OnJob):
    """The parent's prompt again (as the web app's rerun); `index` is not used by Midjourney."""

    index: int = Field(0, ge=0, le=3)


class MidjourneyVideo(Strict):
    """Image to video, from an image URL or from one image of a completed job."""

    image_url: ImageUrl | None = None
    job_id: str | None = Field(None, min_length=1, max_length=100)
    index: int | None = Field(None, ge=0, le=3)
    prompt: str = Field("", max_length=4000)
    motion: Literal["low", "high"] = "low"
    mode: Mode | None = Field(None, description="fast, relax or turbo; the account's by default")

    @model_validator(mode="after")
    def _one_source(self) -> "MidjourneyVideo":
        if (self.image_url is None) == (self.job_id is None):
            raise ValueError("give either image_url or job_id and index")
        if self.job_id is not None and self.index is None:
            raise ValueError("index is required with job_id")
        return self


class MidjourneyDescribe(Strict):
    image_url: ImageUrl


class MidjourneyBlend(Strict):
    image_urls: list[ImageUrl] = Field(min_length=2, max_length=5)
    dimensions: Literal["portrait", "square", "landscape"] = "square"
    mode: Mode | None = Field(None, description="fast, relax or turbo; the account's by default")


ACTIONS: dict[str, type[BaseModel]] = {
    "imagine": MidjourneyImagine, "video": MidjourneyVideo, "upscale": MidjourneyUpscale,
    "vary": MidjourneyVary, "pan": MidjourneyPan, "zoom": MidjourneyZoom,
    "reroll": MidjourneyReroll, "describe": MidjourneyDescribe, "blend": MidjourneyBlend,
}
