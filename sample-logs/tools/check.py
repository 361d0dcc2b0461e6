#!/usr/bin/env python3
"""Check a sample-log capture against its ground truth; add what the logs show to the ground truth.

  check.py --dir DIR [--ulogd-status FILE]

Fails (exit 1) when: a LOG prefix is missing for a family in any kernel-log view; the views do not
hold the same number of LOG lines; a LOG line matches no connection of the ground truth (or one the
model did not expect: set, accept, remove); an expected set/accept/remove line is missing;
conntrack lacks NEW/UPDATE/DESTROY/[ASSURED] for a family; any log names an address outside the
topology. Rewrites DIR/ground-truth.jsonl with "observed_log" per connection (prefixes of the
kern.log lines whose SRC/SPT/DPT are that connection's). Prints a summary with line counts.
"""
import argparse
import ipaddress
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from topology import addresses  # noqa: E402

PREFIXES = ("mobilessh-set", "mobilessh-remove", "mobilessh-accept", "mobilessh-reject")
LOG_RE = re.compile(r"(mobilessh-(?:set|remove|accept|reject)): IN=(\S*) OUT=(\S*) .*?SRC=(\S+) DST=(\S+) "
                    r".*?PROTO=TCP SPT=(\d+) DPT=(\d+)")


def read(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    with open(p, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def log_lines(lines):
    out = []
    for line in lines or []:
        m = LOG_RE.search(line)
        if m:
            pfx, iif, oif, src, dst, spt, dpt = m.groups()
            fam = 6 if ":" in src else 4
            out.append({"prefix": pfx, "in": iif, "out": oif, "src": str(ipaddress.ip_address(src)),
                        "dst": str(ipaddress.ip_address(dst)), "sport": int(spt), "dport": int(dpt),
                        "family": fam})
    return out


ADDR_TOKEN = re.compile(r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])")


def foreign_addresses(lines, allowed):
    bad = set()
    for line in lines:
        for tok in ADDR_TOKEN.findall(line):
            try:
                a = ipaddress.ip_address(tok)
            except ValueError:
                continue  # times, MAC= fields
            if a.version == 4 and tok.count(".") != 3:
                continue
            # 255.255.255.255: iptables-save prints xt_recent's --mask.
            if str(a) in allowed or str(a) == "255.255.255.255" or a.is_link_local or a.is_multicast or a.is_unspecified or a.is_loopback:
                continue
            bad.add(str(a))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--ulogd-status")
    args = ap.parse_args()
    d = args.dir
    errors, warnings, summary = [], [], []

    def need(cond, msg):
        if not cond:
            errors.append(msg)

    gt = [json.loads(x) for x in read(d, "ground-truth.jsonl") if x.strip()]
    conns = [g for g in gt if g["record"] == "connection"]
    by_key = {(c["src"], c["sport"], c["dport"]): c for c in conns}

    views = {
        "kern.log.1 + kern.log": (read(d, "kern.log.1") or []) + (read(d, "kern.log") or []),
        "syslog.1 + syslog": (read(d, "syslog.1") or []) + (read(d, "syslog") or []),
        "kern-rfc3339.log": read(d, "kern-rfc3339.log") or [],
        "dmesg-iso.log": read(d, "dmesg-iso.log") or [],
        "dmesg-raw.log": read(d, "dmesg-raw.log") or [],
    }
    need(read(d, "kern.log.1"), "kern.log.1 (the rotated file) is missing or empty")
    need(read(d, "syslog.1"), "syslog.1 (the rotated file) is missing or empty")
    counts = {}
    for name, lines in views.items():
        ll = log_lines(lines)
        counts[name] = len(ll)
        have = {(x["prefix"], x["family"]) for x in ll}
        for p in PREFIXES:
            for fam in (4, 6):
                need((p, fam) in have, "%s: no %s line for IPv%d" % (name, p, fam))
    need(len(set(counts.values())) == 1, "the kernel-log views disagree on the number of LOG lines: %s" % counts)

    # Match kern.log's LOG lines to connections.
    observed = {}
    for x in log_lines(views["kern.log.1 + kern.log"]):
        c = by_key.get((x["src"], x["sport"], x["dport"]))
        if c is None:
            errors.append("LOG line matches no connection: %s" % x)
            continue
        observed.setdefault(c["id"], []).append(x["prefix"])
        chain = "FORWARD" if x["out"] else "INPUT"
        want = "INPUT" if c["target"] in ("router",) else "FORWARD"
        need(chain == want, "%s: %s line seen in %s, expected %s" % (c["id"], x["prefix"], chain, want))
    rej_expected = rej_seen = 0
    for c in conns:
        obs = observed.get(c["id"], [])
        c["observed_log"] = obs
        exp = c["expected_log"]
        for p in ("mobilessh-set", "mobilessh-accept", "mobilessh-remove"):
            if p in exp:
                need(p in obs, "%s %s: expected a %s line, found %s" % (c["id"], c["kind"], p, obs))
            else:
                need(p not in obs, "%s %s: unexpected %s line" % (c["id"], c["kind"], p))
        for p in ("mobilessh-set", "mobilessh-accept", "mobilessh-remove"):
            need(obs.count(p) == exp.count(p), "%s: %d %s lines, model expected %d"
                 % (c["id"], obs.count(p), p, exp.count(p)))
        sure = "mobilessh-reject" in exp
        seen = "mobilessh-reject" in obs
        rej_expected += sure
        rej_seen += seen
        if seen and c["outcome"] != "reset":
            errors.append("%s: reject line on a connection that was not reset" % c["id"])
        if sure != seen:
            # The model's token bucket approximates hashlimit's jiffy arithmetic: report, don't fail.
            warnings.append("%s: reject LOG %s, model expected %s" % (c["id"], "present" if seen else "absent",
                                                                    "present" if sure else "absent"))
    need(abs(rej_expected - rej_seen) <= 2, "reject LOG lines: model %d, logs %d" % (rej_expected, rej_seen))

    ct_ext = read(d, "conntrack-extended.log") or []
    ct = read(d, "conntrack.log") or []
    for fam in ("ipv4", "ipv6"):
        for ev in ("[NEW]", "[UPDATE]", "[DESTROY]"):
            need(any(ev in x and fam in x for x in ct_ext), "conntrack-extended.log: no %s %s event" % (fam, ev))
        need(any("[ASSURED]" in x and fam in x for x in ct_ext), "conntrack-extended.log: no %s [ASSURED]" % fam)
    need(any("[DESTROY]" in x for x in ct), "conntrack.log: no DESTROY event")

    ulogd = read(d, "ulogd-json.log")
    if ulogd is not None:
        recs = [json.loads(x) for x in ulogd if x.strip()]
        need(recs and all("flow.end.sec" in r for r in recs), "ulogd-json.log: records without flow.end.sec")
    elif args.ulogd_status:
        warnings.append("ulogd-json.log not captured: " + open(args.ulogd_status).read().strip())

    allowed = set(str(ipaddress.ip_address(a)) for a in addresses())
    for name in sorted(os.listdir(d)):
        if name.endswith((".log", ".1", ".v4", ".v6", ".txt")) or name == "syslog":
            bad = foreign_addresses(read(d, name), allowed)
            need(not bad, "%s names addresses outside the topology: %s" % (name, sorted(bad)))

    with open(os.path.join(d, "ground-truth.jsonl"), "w", encoding="utf-8") as f:
        for g in gt:
            f.write(json.dumps(g) + "\n")

    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p) and not name.endswith((".sh", ".md")):
            with open(p, "rb") as fh:
                summary.append("%-24s %6d lines %8d bytes" % (name, fh.read().count(b"\n"), os.path.getsize(p)))
    print("\n".join(summary))
    print("LOG lines per view: %s" % counts)
    print("reject LOG lines: model %d, logs %d" % (rej_expected, rej_seen))
    for w in warnings:
        print("warning: " + w)
    for e in errors:
        print("error: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
