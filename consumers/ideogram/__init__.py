"""Ideogram through ideogram.ai's web API, in a browser session per account, with bearer
tokens from a static value, a file or a token service."""
