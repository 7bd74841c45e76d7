"""`wowz submit --wait` against the whole platform on the sandbox: a progress bar per job, the
image URLs at the end, the error and its code, and exit codes a script can use."""

import re

import pytest

from store.keys import create_key

pytestmark = pytest.mark.e2e


@pytest.fixture
async def submit(platform, clean_db, wowz):
    key = await create_key(clean_db, name="cli")
    target = ["--url", platform.settings.http.public_url, "--key", key.api_key]

    async def run(*argv: str) -> tuple[int, str, str]:
        return await wowz("submit", *argv, *target)

    return run


async def test_a_completed_job_draws_its_progress_then_a_failed_one_its_error_code(submit):
    code, out, err = await submit("--prompt", "a paper crane, sticker", "--wait")
    assert code == 0, err
    job_id = re.match(r"job (\S+) pending", out).group(1)
    urls = out.splitlines()[1:]
    assert len(urls) == 4 and all(u.endswith(".png") for u in urls)
    bars = [line for line in err.splitlines() if line.startswith(job_id[:8] + " [")]
    percents = [int(re.search(r"\]\s+(\d+)%", b).group(1)) for b in bars]
    assert percents == sorted(percents) and percents[-1] == 100
    assert any(0 < p < 100 for p in percents) and " on mj-e2e-" in bars[-1]

    code, out, err = await submit("--prompt", "sandbox:moderated a dragon", "--wait",
                                  "--timeout", "60")
    assert code == 1 and "failed: moderated:" in err and len(out.splitlines()) == 1
