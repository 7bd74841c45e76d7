"""The Midjourney stand-in: a web origin and a CDN origin sharing one in-memory state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from sandbox.midjourney.cdn import create_cdn_app
from sandbox.midjourney.state import MidjourneyConfig, MidjourneyState
from sandbox.midjourney.web import create_web_app


@dataclass
class MidjourneyStandIn:
    state: MidjourneyState
    web: FastAPI
    cdn: FastAPI


def create_midjourney(config: MidjourneyConfig | None = None) -> MidjourneyStandIn:
    state = MidjourneyState(config or MidjourneyConfig())
    return MidjourneyStandIn(state=state, web=create_web_app(state), cdn=create_cdn_app(state))
