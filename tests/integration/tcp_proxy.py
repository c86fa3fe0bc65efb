"""A plain TCP forwarder: `python -m tests.integration.tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT`.

Put between a process and PostgreSQL, it lets a test make *that process's* database go
away (kill the proxy) and come back (start it again on the same port) without touching
the PostgreSQL server everybody else uses.
"""

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _serve(listen_port: int, target_host: str, target_port: int) -> None:
    async def forward(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", listen_port, reuse_address=True)
    print(f"listening on {listen_port}, forwarding to {target_host}:{target_port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    listen, host, port = sys.argv[1:4]
    asyncio.run(_serve(int(listen), host, int(port)))
