"""The HTTP ingress: `/v1` jobs API, server-sent events, health, public files."""

from producers.http.app import create_app

__all__ = ["create_app"]
