"""Job inputs, one model per provider/action (a module per provider), and the registry that maps
(provider, action) to its model. A provider module exposes `ACTIONS: {action: model}`."""

from pydantic import BaseModel

from schemas.inputs import chatgpt, ideogram, midjourney
from schemas.inputs.midjourney import MidjourneyImagine, MidjourneyOptions

_PROVIDERS = {
    "midjourney": midjourney.ACTIONS,
    "chatgpt": chatgpt.ACTIONS,
    "ideogram": ideogram.ACTIONS,
}

INPUTS: dict[tuple[str, str], type[BaseModel]] = {
    (provider, action): model
    for provider, actions in _PROVIDERS.items() for action, model in actions.items()}

PROVIDERS = sorted(_PROVIDERS)

__all__ = ["INPUTS", "PROVIDERS", "MidjourneyImagine", "MidjourneyOptions"]
