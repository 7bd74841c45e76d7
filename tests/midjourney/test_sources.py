"""The inputs that name users' images (image prompts, describe, blend, video); fetching them
is tested with the shared fetcher (tests/providers/test_fetch.py)."""

import pytest

from schemas.inputs.midjourney import MidjourneyBlend, MidjourneyImagine, MidjourneyVideo

pytestmark = pytest.mark.unit


def test_inputs_take_the_field_names_clients_rely_on():
    imagine = MidjourneyImagine.model_validate(
        {"prompt": "a cat", "image_urls": ["https://example.com/a.png"], "options": {}})
    video = MidjourneyVideo.model_validate({"job_id": "j", "index": 1, "motion": "high"})

    assert imagine.image_urls == ["https://example.com/a.png"] and video.motion == "high"
    with pytest.raises(ValueError, match="either image_url or job_id"):
        MidjourneyVideo.model_validate({"image_url": "https://e.com/a.png", "job_id": "j",
                                        "index": 0})
    with pytest.raises(ValueError, match="image url must be http"):
        MidjourneyBlend.model_validate({"image_urls": ["ftp://e.com/a", "https://e.com/b"]})
    with pytest.raises(ValueError, match="at least 2"):
        MidjourneyBlend.model_validate({"image_urls": ["https://e.com/a"]})
