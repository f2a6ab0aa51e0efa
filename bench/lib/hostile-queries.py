#!/usr/bin/env python3
"""dnsperf query files for bench/soak.sh and bench/flood.sh (hostile-traffic runs).

  hostile-queries.py mix    OUT.bin [--count N] [--seed S]   soak mix, binary (dnsperf -B)
  hostile-queries.py nx     OUT.txt [--count N] [--seed S]   unique random names -> NXDOMAIN, text
  hostile-queries.py legit  OUT.txt [--names N]              h0001..hN.example.test A, text
  hostile-queries.py one    OUT.txt [--name NAME] [--type T] one name, text (reflection flood)
  hostile-queries.py under  OUT.txt --suffix S [--count N]   unique random names under S (A), text:
                            below a delegation: referrals; below a wildcard: synthesized answers

The soak mix (binary, RFC 1035 4.2.2 length-prefixed messages, sent with dnsperf -B) interleaves,
in a fixed order (deterministic with --seed):
  40 %  static: static.example.test A (no EDNS), serial.example.test TXT (EDNS, changes with each
        zone rewrite), hNNNN.example.test A (EDNS), example.test SOA (EDNS)
  40 %  steered: www.example.test A with EDNS Client Subnet, rotating EU / AS / NA / not-in-database
        IPv4 and two IPv6 subnets (networks from GeoIP2-City-Test.mmdb, as the anchors' queries)
  20 %  NXDOMAIN: nx-<counter>-<random>.example.test A, every one unique within the file
The first label tells the category, so a dnsperf -v line can be checked: names starting "nx-"
must be NXDOMAIN, every other name NOERROR.
Only the standard library.
"""
import argparse, ipaddress, random, struct, sys

ZONE = "example.test"
ECS_SUBNETS = ["2.2.3.0/24", "175.16.199.0/24", "214.78.120.0/24", "192.0.2.0/24",
               "89.160.20.128/25", "67.43.156.0/24", "2a02:d180::/48", "2001:218::/48"]
TYPES = {"A": 1, "NS": 2, "SOA": 6, "TXT": 16, "AAAA": 28}


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def query(name, qtype="A", edns=False, ecs=None, udp_size=1232):
    arcount = 1 if (edns or ecs) else 0
    msg = struct.pack("!HHHHHH", 0, 0, 1, 0, 0, arcount) + wire_name(name) + struct.pack("!HH", TYPES[qtype], 1)
    if arcount:
        opt = b""
        if ecs:
            net = ipaddress.ip_network(ecs, strict=False)
            fam = 1 if net.version == 4 else 2
            addr = net.network_address.packed[:(net.prefixlen + 7) // 8]
            body = struct.pack("!HBB", fam, net.prefixlen, 0) + addr
            opt = struct.pack("!HH", 8, len(body)) + body
        msg += b"\x00" + struct.pack("!HHIH", 41, udp_size, 0, len(opt)) + opt
    return msg


def nx_name(i, rnd):
    return "nx-%07d-%08x.%s" % (i, rnd.getrandbits(32), ZONE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["mix", "nx", "legit", "one", "under"])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--names", type=int, default=1000)
    ap.add_argument("--name", default="static." + ZONE)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--type", default="A")
    ap.add_argument("--suffix", default="child." + ZONE)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.kind == "mix":
        with open(a.out, "wb") as f:
            nx = 0
            for i in range(a.count):
                r = i % 10
                if r < 4:      # static
                    k = (i // 10) % 4
                    if k == 0:
                        m = query("static." + ZONE, "A")
                    elif k == 1:
                        m = query("serial." + ZONE, "TXT", edns=True)
                    elif k == 2:
                        m = query("h%04d.%s" % (rnd.randrange(a.names) + 1, ZONE), "A", edns=True)
                    else:
                        m = query(ZONE, "SOA", edns=True)
                elif r < 8:    # steered with ECS
                    m = query("www." + ZONE, "A", ecs=ECS_SUBNETS[(i // 10 * 4 + r - 4) % len(ECS_SUBNETS)])
                else:          # NXDOMAIN
                    m = query(nx_name(nx, rnd), "A", edns=True); nx += 1
                f.write(struct.pack("!H", len(m)) + m)
    elif a.kind == "nx":
        with open(a.out, "w") as f:
            f.writelines(nx_name(i, rnd) + " A\n" for i in range(a.count))
    elif a.kind == "legit":
        with open(a.out, "w") as f:
            f.writelines("h%04d.%s A\n" % (i + 1, ZONE) for i in range(a.names))
    elif a.kind == "under":
        with open(a.out, "w") as f:
            f.writelines("u-%07d-%08x.%s A\n" % (i, rnd.getrandbits(32), a.suffix) for i in range(a.count))
    else:
        with open(a.out, "w") as f:
            f.write("%s %s\n" % (a.name, a.type))


if __name__ == "__main__":
    sys.exit(main())
