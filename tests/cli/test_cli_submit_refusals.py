"""`wowz submit` when the job cannot start or does not end in time: exit codes 2 and 3,
against a real ingress (no provider consumes the job)."""

import pytest

from tests.http.conftest import auth

pytestmark = pytest.mark.connected


async def test_bad_input_is_refused_naming_the_field_and_exits_2(serve, key, wowz):
    api = await serve()
    target = ["--url", api.url, "--key", key.api_key]
    code, out, err = await wowz("submit", "--input", '{"prompt": ""}', "--wait", *target)
    assert code == 2 and out == "" and "input.prompt" in err
    code, _, err = await wowz("submit", "--input", "{not json", *target)
    assert code == 2 and "--input is not JSON" in err
    code, _, err = await wowz("submit", "--prompt", "x", "--url", api.url, "--key", "")
    assert code == 2 and "an API key is needed" in err


async def test_a_job_that_does_not_end_in_time_exits_3_and_goes_on(serve, key, clean_bus,
                                                                    wowz):
    api = await serve()
    code, out, err = await wowz("submit", "--prompt", "a clock", "--wait", "--timeout", "1.5",
                                "--url", api.url, "--key", key.api_key)
    assert code == 3 and "timeout: still waiting" in err
    job_id = out.split()[1]
    job = (await api.client.get(f"/v1/jobs/{job_id}", headers=auth(key))).json()
    assert job["status"] == "pending"
