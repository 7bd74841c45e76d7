"""What the notifier reads from a receiver's answer: Retry-After in both of its forms."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from consumers.notifier.transport import retry_after_s

pytestmark = pytest.mark.unit


def test_retry_after_in_seconds_is_read_as_is():
    assert retry_after_s("120") == 120


def test_retry_after_as_a_date_is_the_time_until_then():
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 85 <= retry_after_s(when) <= 90


@pytest.mark.parametrize("value", [None, "", "soon", "-5"])
def test_a_missing_or_garbled_retry_after_means_no_wait(value):
    assert not retry_after_s(value)
