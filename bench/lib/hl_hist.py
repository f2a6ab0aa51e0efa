#!/usr/bin/env python3
"""Latency percentiles from the HIST files written by hl_vfilter (bench/lib/hostile-lib.sh).

  hl_hist.py HIST...   -> "n p50_ms p99_ms p999_ms max_ms bad rcodes" over all the files merged

Bins are 10 us wide; a percentile is reported as the upper edge of its bin (so 0.01 ms resolution).
"""
import sys


def read(paths):
    hist, n, bad, rcodes = {}, 0, 0, {}
    for p in paths:
        try:
            f = open(p)
        except OSError:
            continue
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "h":
                hist[int(w[1])] = hist.get(int(w[1]), 0) + int(w[2])
            elif w[0] == "n":
                n += int(w[1]); bad += int(w[3])
                if w[5] != "-":
                    for kv in w[5].split(","):
                        k, v = kv.rsplit(":", 1)
                        rcodes[k] = rcodes.get(k, 0) + int(v)
    return hist, n, bad, rcodes


def percentiles(hist, qs):
    total = sum(hist.values())
    out, c, keys = [], 0, sorted(hist)
    targets = [q * total for q in qs]
    i = 0
    for k in keys:
        c += hist[k]
        while i < len(targets) and c >= targets[i]:
            out.append((k + 1) / 100.0); i += 1
    while len(out) < len(qs):
        out.append(None)
    return out


def main():
    hist, n, bad, rcodes = read(sys.argv[1:])
    if not hist:
        print("0 - - - - %d %s" % (bad, ",".join("%s:%d" % kv for kv in sorted(rcodes.items())) or "-"))
        return
    p50, p99, p999 = percentiles(hist, [0.5, 0.99, 0.999])
    mx = (max(hist) + 1) / 100.0
    print("%d %.2f %.2f %.2f %.2f %d %s" % (n, p50, p99, p999, mx, bad,
                                           ",".join("%s:%d" % kv for kv in sorted(rcodes.items())) or "-"))


if __name__ == "__main__":
    main()
