"""Local stand-ins for the image providers' websites, speaking their wire formats.

Written from the providers' public wire facts only; nothing here imports the adapters it
stands in for, so a test that passes against the sandbox proves the adapter speaks the wire.
"""

from sandbox.server import Sandbox, start_sandbox

__all__ = ["Sandbox", "start_sandbox"]
