import pytest

from bus import topology
from bus.publisher import Publisher
from tests.ideogram.helpers import image_app
from tests.midjourney.helpers import Events


@pytest.fixture
async def events(amqp, clean_bus):
    channel = await amqp.channel()
    queue = await topology.declare_listener(channel, ["job.#", "account.#"])
    yield Events(queue)
    await channel.close()


@pytest.fixture
async def publisher(amqp):
    publisher = await Publisher.open(amqp)
    yield publisher
    await publisher.close()


@pytest.fixture
async def images(sandbox) -> str:
    """A site with the user's images (and things that are not images) on it."""
    return await sandbox.serve("user_images", image_app(), 0)
