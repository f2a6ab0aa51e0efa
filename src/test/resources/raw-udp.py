#!/usr/bin/env python3
"""Sends UDP datagrams with forged source addresses over raw sockets (needs CAP_NET_RAW).

  raw-udp.py PAYLOAD_HEX SRC_IP SRC_PORT DST_IP DST_PORT [SRC_IP SRC_PORT DST_IP DST_PORT ...]

Used by InvalidSourceTest: a normal socket cannot send from a multicast, broadcast or unspecified
address, or from port 0. Exit 77 when raw sockets are not allowed (the test is then skipped).
"""
import ipaddress, socket, struct, sys


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    payload = bytes.fromhex(sys.argv[1])
    args = sys.argv[2:]
    try:
        raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    except PermissionError:
        return 77
    for i in range(0, len(args), 4):
        src, sport, dst, dport = ipaddress.ip_address(args[i]), int(args[i + 1]), ipaddress.ip_address(args[i + 2]), int(args[i + 3])
        length = 8 + len(payload)
        if src.version == 4:
            udp = struct.pack("!HHHH", sport, dport, length, 0) + payload   # IPv4: no UDP checksum
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, 0, 0, 64, 17, 0, src.packed, dst.packed)
            raw4.sendto(ip + udp, (str(dst), 0))
        else:
            pseudo = src.packed + dst.packed + struct.pack("!IxxxB", length, 17)
            c = checksum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload) or 0xFFFF
            udp = struct.pack("!HHHH", sport, dport, length, c) + payload
            ip = struct.pack("!IHBB16s16s", 0x60000000, length, 17, 64, src.packed, dst.packed)
            raw6.sendto(ip + udp, (str(dst), 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
