#!/usr/bin/env python3
"""Hostile health-check origins for bench/hostile-origins.sh: one listener per mode, each on its own
address, all on one port. Every second, writes a status line per origin to STATUS (tab-separated:
mode, address, accepted, open, bytes_sent), so the bench can see what the checker holds from the
origins' side.

  accept-hang      accepts, reads, never answers
  continue-hang    reads the request head, answers "100 Continue", then nothing
  endless-chunked  200, chunked, 8 KiB chunks forever, as fast as the checker reads
  reset-mid-body   200 announcing 100 000 bytes, sends 1 000, then RST
  slow-headers     the status line, then one header byte every 100 ms, forever

usage: hostile-origins.py PORT STATUS MODE=ADDRESS...
"""
import asyncio
import os
import socket
import struct
import sys

CHUNK = b"2000\r\n" + b"x" * 0x2000 + b"\r\n"


class Origin:
    def __init__(self, mode, address):
        self.mode, self.address = mode, address
        self.accepted = self.open = self.sent = 0

    async def read_head(self, reader):
        try:
            await reader.readuntil(b"\r\n\r\n")
            return True
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return False

    async def drain_until_closed(self, reader):
        try:
            while await reader.read(4096):
                pass
        except ConnectionError:
            pass

    async def handle(self, reader, writer):
        self.accepted += 1
        self.open += 1
        try:
            await self.serve(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1
            writer.transport.abort()

    async def serve(self, reader, writer):
        if self.mode == "accept-hang":
            await self.drain_until_closed(reader)
            return
        if not await self.read_head(reader):
            return
        closed = asyncio.ensure_future(self.drain_until_closed(reader))
        if self.mode == "continue-hang":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.sent += 25
            await closed
        elif self.mode == "endless-chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            while not closed.done():
                writer.write(CHUNK)
                self.sent += len(CHUNK)
                await writer.drain()
        elif self.mode == "reset-mid-body":
            body = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"y" * 1000
            writer.write(body)
            self.sent += len(body)
            await writer.drain()
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            closed.cancel()
        elif self.mode == "slow-headers":
            writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not closed.done():
                writer.write(b"z")
                self.sent += 1
                await writer.drain()
                await asyncio.sleep(0.1)
        else:
            raise ValueError(self.mode)


async def main():
    port, status = int(sys.argv[1]), sys.argv[2]
    origins = []
    for arg in sys.argv[3:]:
        mode, address = arg.split("=")
        o = Origin(mode, address)
        await asyncio.start_server(o.handle, address, port, reuse_address=True)
        origins.append(o)
    while True:
        with open(status + ".tmp", "w") as f:
            for o in origins:
                f.write(f"{o.mode}\t{o.address}\t{o.accepted}\t{o.open}\t{o.sent}\n")
        os.replace(status + ".tmp", status)
        await asyncio.sleep(1)


if __name__ == "__main__":
    asyncio.run(main())
