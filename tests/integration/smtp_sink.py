"""A minimal SMTP server that keeps every message: `python -m tests.integration.smtp_sink PORT DIRECTORY`.

Enough of RFC 5321 for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT; no TLS, no AUTH). Each accepted message becomes one file in DIRECTORY, so a test
can count what a mail server really received.
"""

import asyncio
import itertools
import sys
from pathlib import Path

_numbers = itertools.count(1)


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, directory: Path) -> None:
    def reply(line: str) -> None:
        writer.write(f"{line}\r\n".encode())

    reply("220 sink ESMTP")
    recipients: list[str] = []
    while line := await reader.readline():
        command = line.decode(errors="replace").strip()
        verb = command[:4].upper()
        if verb in ("EHLO", "HELO"):
            reply("250 sink")
        elif verb == "MAIL":
            recipients = []
            reply("250 OK")
        elif verb == "RCPT":
            recipients.append(command.partition(":")[2].strip().strip("<>"))
            reply("250 OK")
        elif verb == "DATA":
            reply("354 End data with <CR><LF>.<CR><LF>")
            await writer.drain()
            lines = []
            while (data := await reader.readline()) not in (b".\r\n", b".\n", b""):
                lines.append(data)
            message = b"To-Envelope: " + ", ".join(recipients).encode() + b"\r\n" + b"".join(lines)
            (directory / f"{next(_numbers):05d}.eml").write_bytes(message)
            reply("250 OK: queued")
        elif verb == "QUIT":
            reply("221 Bye")
            await writer.drain()
            break
        else:  # RSET, NOOP and anything else
            reply("250 OK")
        await writer.drain()
    writer.close()


async def _serve(port: int, directory: Path) -> None:
    server = await asyncio.start_server(lambda r, w: _session(r, w, directory), "127.0.0.1", port, reuse_address=True)
    print(f"listening on {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), Path(sys.argv[2])))
