#!/usr/bin/env python3
"""Samples, every second, how much CPU the benchmark's own processes use and how much everybody else
uses, so that a noisy run on a shared box can be spotted afterwards (bench/anchors.sh,
bench/health-scale.sh). Runs until SIGTERM/SIGINT.

  cpu-sampler.py --out FILE --mine REGEX [--interval 1]

Each line of FILE (tab-separated): epoch seconds at the end of the sample, host busy % (/proc/stat,
100 = one core), CPU % of the processes whose "comm cmdline" matches REGEX ("mine"), CPU % of all
other processes ("other"), and the three biggest others as comm:pid:pct. CPU % of a process is its
utime+stime delta (all threads) over the sample. Kernel work not charged to any process (softirq on an
idle CPU) is in "busy" only.
"""
import argparse, os, re, signal, sys, time

CLK = os.sysconf("SC_CLK_TCK")


def host_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    # user nice system idle iowait irq softirq steal
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy, busy + v[3] + v[4]


def procs():
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            comm = s[s.index("(") + 1:s.rindex(")")]
            rest = s[s.rindex(")") + 2:].split()
            ticks = int(rest[11]) + int(rest[12])
            out[int(d)] = (comm, ticks)
        except (OSError, ValueError, IndexError):
            pass
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mine", required=True, help="regex on 'comm cmdline' of the benchmark's own processes")
    ap.add_argument("--interval", type=float, default=1.0)
    a = ap.parse_args()
    mine_re = re.compile(a.mine)
    me = os.getpid()
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    is_mine = {}
    prev, (hb0, ht0), t0 = procs(), host_busy(), time.time()
    with open(a.out, "a", buffering=1) as out:
        while not stop[0]:
            time.sleep(a.interval)
            cur, (hb1, ht1), t1 = procs(), host_busy(), time.time()
            dt = t1 - t0
            mine = other = 0.0
            others = []
            for pid, (comm, ticks) in cur.items():
                if pid == me:
                    continue
                d = ticks - prev[pid][1] if pid in prev and prev[pid][0] == comm else ticks if pid not in prev else 0
                if d <= 0:
                    continue
                pct = d / CLK / dt * 100
                key = (pid, comm)
                if key not in is_mine:
                    is_mine[key] = bool(mine_re.search(comm + " " + cmdline(pid)))
                if is_mine[key]:
                    mine += pct
                else:
                    other += pct
                    others.append((pct, comm, pid))
            busy = (hb1 - hb0) / (ht1 - ht0) * (os.cpu_count() or 1) * 100 if ht1 > ht0 else 0
            top = " ".join(f"{c}:{p}:{v:.0f}" for v, c, p in sorted(others, reverse=True)[:3])
            out.write(f"{t1:.1f}\t{busy:.0f}\t{mine:.0f}\t{other:.0f}\t{top}\n")
            prev, hb0, ht0, t0 = cur, hb1, ht1, t1


if __name__ == "__main__":
    sys.exit(main())
