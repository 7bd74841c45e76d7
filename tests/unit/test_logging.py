"""Log lines: JSON when stderr is not a terminal, and written to stderr as it is now."""

import io
import json
import logging
import sys

import pytest

from wowz import logging as wowz_logging

pytestmark = pytest.mark.unit


@pytest.fixture
def root_restored():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_line_goes_to_the_stderr_of_the_moment_as_json(monkeypatch, root_restored):
    wowz_logging.setup("INFO")
    for n in (1, 2):  # as a test runner swaps stderr between tests
        now = io.StringIO()
        monkeypatch.setattr(sys, "stderr", now)
        logging.getLogger("wowz.test").info("job step", extra={"job_id": f"j-{n}"})
        line = json.loads(now.getvalue())
        assert (line["message"], line["job_id"]) == ("job step", f"j-{n}")
