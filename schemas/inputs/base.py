"""What every job input model shares."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown fields are an error, named, rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")
