"""An https webhook goes to the address that was checked, yet speaks TLS to the name in the URL:
the server sees that name as SNI, and the certificate is verified against it."""

import asyncio
import ssl
import subprocess

import pytest

from consumers.notifier import transport

pytestmark = pytest.mark.connected


@pytest.fixture
def self_signed(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
async def tls_server(self_signed):
    """A TLS server on 127.0.0.1 with a self-signed certificate; records the SNI names."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    async def hang_up(reader, writer):
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0, ssl=context)
    yield server.sockets[0].getsockname()[1], names
    server.close()
    await server.wait_closed()


async def test_an_https_webhook_speaks_tls_to_the_name_and_checks_its_certificate(tls_server):
    port, names = tls_server
    async with transport.new_client() as client:
        outcome = await transport.post(
            client, f"https://localhost:{port}/hook?signature=abc", b"{}", {},
            allow_private=True, timeout_s=5)

    assert names == ["localhost"]
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error  # self-signed: not trusted
    assert outcome.status_code is None and not outcome.refused
