"""The Ideogram stand-in: the ideogram.ai origin and the token service, sharing one state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from sandbox.ideogram.state import IdeogramConfig, IdeogramState
from sandbox.ideogram.tokens import create_token_app
from sandbox.ideogram.web import create_web_app


@dataclass
class IdeogramStandIn:
    state: IdeogramState
    web: FastAPI
    tokens: FastAPI


def create_ideogram(config: IdeogramConfig | None = None) -> IdeogramStandIn:
    state = IdeogramState(config or IdeogramConfig())
    return IdeogramStandIn(state=state, web=create_web_app(state), tokens=create_token_app(state))
