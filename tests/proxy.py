"""A TCP proxy to Postgres that a test can cut and restore, so the database goes away without
touching the machine's Postgres."""

import asyncio


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to Postgres; `cut()` drops every connection and refuses new
    ones until `restore()`."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self._server.close()
        for writer in self._open:
            writer.transport.abort()
        self._open.clear()
        await self._server.wait_closed()

    async def _forward(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        server_r, server_w = await asyncio.open_connection(*self.target)
        self._open |= {client_w, server_w}
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.transport.abort()
