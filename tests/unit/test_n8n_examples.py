"""The n8n example workflows are importable and call routes wowz has."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "n8n").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_an_example_workflow_is_a_connected_n8n_workflow(path):
    workflow = json.loads(path.read_text())
    names = {node["name"] for node in workflow["nodes"]}
    assert len(names) == len(workflow["nodes"])
    for source, outputs in workflow["connections"].items():
        assert source in names
        for branch in outputs["main"]:
            assert all(link["node"] in names for link in branch)
    assert all(node["type"].startswith("n8n-nodes-base.") for node in workflow["nodes"])


def test_the_callback_workflows_hand_wowz_the_resume_url_and_wait_for_it():
    for name in ("remix-with-callback.json", "midjourney-genimage-with-callback.json"):
        workflow = json.loads((EXAMPLES[0].parent / name).read_text())
        [submit] = [n for n in workflow["nodes"] if n["type"].endswith("httpRequest")]
        [wait] = [n for n in workflow["nodes"] if n["type"].endswith(".wait")]
        assert "$execution.resumeUrl" in submit["parameters"]["jsonBody"]
        assert submit["parameters"]["url"].endswith("/v1/jobs")
        assert wait["parameters"]["resume"] == "webhook"
        assert wait["parameters"]["httpMethod"] == "POST"


def test_the_polling_workflow_has_an_attempt_limit_and_uses_seed_routes():
    workflow = json.loads((EXAMPLES[0].parent / "genimage-polling-fixed.json").read_text())
    urls = [n["parameters"]["url"] for n in workflow["nodes"] if n["type"].endswith("httpRequest")]
    assert any(u.endswith("/midjourney/genimage") for u in urls)
    assert any("/api/job/" in u for u in urls)
    [limit] = [n for n in workflow["nodes"] if n["type"].endswith(".code")]
    assert "$runIndex >= 60" in limit["parameters"]["jsCode"]
