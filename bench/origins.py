#!/usr/bin/env python3
"""Many tiny HTTP origins in one process, for bench/health-scale.sh.

  origins.py --count N [--net 127.1] [--port 18081] [--stats FILE]

Listens on N loopback addresses, NET.(i // 250).(i % 250 + 1) for i in 0..N-1 (127.1.0.1 ...
127.1.19.250 for 5 000), all on the same PORT: one listening socket per address, all in one asyncio
event loop (no thread, no fork). Each connection gets, once its request headers are in,
"HTTP/1.1 200 OK" with a 3-byte body and "Connection: close", and is closed. Prints "ready N" on
stdout once every socket listens. Every second it rewrites --stats with
"<epoch> <requests served> <distinct addresses served> <connections dropped before a request>".
Stops on SIGTERM/SIGINT. Needs N + a few file descriptors (ulimit -n).
"""
import argparse, asyncio, os, signal, socket, sys, time

RESP = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


def address(net, i):
    return f"{net}.{i // 250}.{i % 250 + 1}"


class Origin(asyncio.Protocol):
    stats = {"requests": 0, "dropped": 0}
    served = set()

    def __init__(self, addr):
        self.addr = addr
        self.buf = b""
        self.transport = None
        self.answered = False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buf += data
        if not self.answered and (b"\r\n\r\n" in self.buf or len(self.buf) > 16384):
            self.answered = True
            self.transport.write(RESP)
            self.transport.close()
            Origin.stats["requests"] += 1
            Origin.served.add(self.addr)

    def connection_lost(self, exc):
        if not self.answered:
            Origin.stats["dropped"] += 1


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--net", default="127.1")
    ap.add_argument("--port", type=int, default=18081)
    ap.add_argument("--stats")
    a = ap.parse_args()
    if a.count > 250 * 256:
        sys.exit("at most 64000 addresses")
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(None))
    servers = []
    for i in range(a.count):
        addr = address(a.net, i)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((addr, a.port))
        servers.append(await loop.create_server(lambda addr=addr: Origin(addr), sock=sock, backlog=64))
    print(f"ready {a.count}", flush=True)
    while not stop.done():
        if a.stats:
            tmp = a.stats + ".tmp"
            with open(tmp, "w") as f:
                f.write(f"{time.time():.1f} {Origin.stats['requests']} {len(Origin.served)} {Origin.stats['dropped']}\n")
            os.replace(tmp, a.stats)
        await asyncio.wait([stop], timeout=1)
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
