"""The seed system's HTTP API, same bodies and response shapes, so that existing n8n workflows
and apps keep working when pointed at wowz. Each route maps its body onto a `/v1` job."""
