import pytest

from tests.ideogram.helpers import image_app


@pytest.fixture
async def images(sandbox) -> str:
    """A site with the user's images (and things that are not images) on it."""
    return await sandbox.serve("user_images", image_app(), 0)
