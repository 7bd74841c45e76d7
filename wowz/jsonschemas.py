"""`wowz schemas`: JSON Schema of every event's data and every job input, so other systems can
publish and read the bus without our code."""

import json
from pathlib import Path

from schemas.events import EVENT_TYPES
from schemas.inputs import INPUTS
from schemas.jobs import JobRequest


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    documents = {f"{t}.json": m.model_json_schema() for t, m in EVENT_TYPES.items()}
    documents.update({f"input.{p}.{a}.json": m.model_json_schema()
                      for (p, a), m in INPUTS.items()})
    documents["job-request.json"] = JobRequest.model_json_schema()
    for name, schema in sorted(documents.items()):
        path = out / name
        path.write_text(json.dumps(schema, indent=2) + "\n")
        written.append(path)
    return written
