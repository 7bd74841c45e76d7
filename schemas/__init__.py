"""The contract of wowz: events, job inputs and outputs, HTTP bodies. Pydantic v2, no I/O."""
