"""Inputs of `midjourney/<action>` jobs."""

from typing import Literal

from pydantic import BaseModel, Field

from schemas.inputs.base import Strict

Mode = Literal["fast", "relax", "turbo"]


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
    mode: Mode = "fast"
    private: bool = False


class MidjourneyImagine(Strict):
    prompt: str = Field(min_length=1, max_length=4000)
    options: MidjourneyOptions = Field(default_factory=MidjourneyOptions)


ACTIONS: dict[str, type[BaseModel]] = {
    "imagine": MidjourneyImagine,
}
