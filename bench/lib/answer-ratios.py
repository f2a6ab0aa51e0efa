#!/usr/bin/env python3
"""Bytes out / bytes in, answer by answer: every name and type of the shipped zone (zones/), asked from
127.0.0.9 without a DNS cookie, with EDNS (4096) and without. Run by bench/ratios.sh.

  answer-ratios.py HOST PORT [TOP]     prints the TOP (10) largest ratios, largest first
Only the standard library."""
import socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 10
names = ["example.test", "ns1.example.test", "ns2.example.test", "www.example.test", "static.example.test",
         "mail.example.test", "api.example.test", "docs.example.test", "sip.example.test", "_sip._tcp.example.test",
         "x.apps.example.test", "status.apps.example.test", "large.example.test", "www.child.example.test",
         "child.example.test", "nothere.example.test"]
types = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "ANY": 255}
def q(name, t, edns):
    w = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    m = struct.pack("!HHHHHH", 7, 0, 1, 0, 0, 1 if edns else 0) + w + struct.pack("!HH", t, 1)
    if edns:
        m += b"\0" + struct.pack("!HHIH", 41, 4096, 0, 0)
    return m
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.9", 0)); s.settimeout(2)
rows = []
for n in names:
    for tn, t in types.items():
        for edns in (True, False):
            m = q(n, t, edns); s.sendto(m, (host, port)); r = s.recv(65535)
            tc = bool(struct.unpack("!H", r[2:4])[0] & 0x200)
            rows.append((len(r) / len(m), n, tn, "EDNS" if edns else "no EDNS", len(m), len(r), "TC" if tc else ""))
rows.sort(reverse=True)
for row in rows[:top]:
    print("%5.2f  %-26s %-4s %-7s query %3d  answer %4d %s" % row)
