#!/usr/bin/env python3
"""Scripted client scenario for the sample logs; writes the ground truth of what it did.

  scenario.py --seconds N --out DIR [--logger-socket SOCK] [--rotate-conf C --rotate-state S]
              [--server-events FILE]...

Runs as root in the root namespace. Each client socket is created inside the client's namespace
(setns(2) on /run/netns/NAME for the creating thread only, then back: exactly what `ip netns exec`
does, but per socket, so one process can drive phone, laptop and attacker on one timeline).
Writes DIR/ground-truth.jsonl and DIR/scenario.md. Stdlib only.

The ground truth holds what the clients did and observed (times, ports, connected/reset/timeout,
who closed). The expected windows and LOG lines come from a model of the installed ruleset run over
the observed packet times; the model's SSH accept/reset prediction is compared with what the kernel
actually did and every disagreement is reported (exit 1), so the model cannot silently drift.
"""
import argparse
import ctypes
import json
import os
import random
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from topology import NODES, addr  # noqa: E402

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def iso(t):
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def socket_in(ns, family, typ=socket.SOCK_STREAM, proto=0):
    """A socket created inside network namespace ns; the calling thread returns to its own."""
    with open("/proc/thread-self/ns/net") as own, open("/run/netns/" + ns) as target:
        if _libc.setns(target.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into " + ns)
        try:
            return socket.socket(family, typ, proto)
        finally:
            if _libc.setns(own.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back from " + ns)


class Conn:
    _ids = 0
    _lock = threading.Lock()
    all = []

    def __init__(self, client, family, target, dport, kind, note):
        with Conn._lock:
            Conn._ids += 1
            self.id = "c%03d" % Conn._ids
            Conn.all.append(self)
        self.client, self.family, self.kind, self.note = client, family, kind, note
        self.target = target
        self.src = addr(client, family)
        self.dst = addr(target, family)
        self.dport = dport
        self.sport = None
        self.t_start = self.t_end = self.t_connected = self.t_fin = None
        self.outcome = None
        self.closed_by = None
        self.bytes_sent = 0
        # Times of packets this client sent on the connection (after the handshake), approximated
        # by send/receive calls: a receive makes the client's TCP send an ACK within ~40 ms.
        self.activity = []
        self.expected_log = []  # LOG prefixes the model expects for this connection, in order
        self.model_notes = []
        self.window = None
        self.predicted = None

    def act(self):
        self.activity.append(time.time())

    def to_json(self):
        return {
            "record": "connection", "id": self.id, "t_start": iso(self.t_start), "t_end": iso(self.t_end),
            "client": self.client, "src": self.src, "sport": self.sport, "dst": self.dst, "dport": self.dport,
            "family": self.family, "target": self.target, "kind": self.kind, "outcome": self.outcome,
            "closed_by": self.closed_by, "t_connected": iso(self.t_connected), "t_fin": iso(self.t_fin),
            "bytes_sent": self.bytes_sent, "packets_approx": len(self.activity), "window": self.window,
            "expected_log": self.expected_log, "model_notes": self.model_notes, "note": self.note,
        }


def _af(family):
    return socket.AF_INET if family == 4 else socket.AF_INET6


def tcp_connect(client, family, target, dport, kind, note, timeout=3.0):
    c = Conn(client, family, target, dport, kind, note)
    s = socket_in(NODES[client]["ns"], _af(family))
    s.bind((c.src, 0))
    c.sport = s.getsockname()[1]
    s.settimeout(timeout)
    c.t_start = time.time()
    try:
        s.connect((c.dst, dport))
    except ConnectionRefusedError:
        c.t_end = time.time()
        c.outcome, c.closed_by = "reset", "rst"
        s.close()
        return c, None
    except socket.timeout:
        c.t_end = time.time()
        c.outcome, c.closed_by = "timeout", "none"
        s.close()
        return c, None
    c.t_connected = time.time()
    c.outcome = "connected"
    # The handshake's final ACK is the connection's first ESTABLISHED packet.
    c.activity.append(c.t_connected)
    return c, s


def _send(c, s, data):
    s.sendall(data)
    c.bytes_sent += len(data)
    c.act()


def _readline(c, f):
    line = f.readline()
    c.act()
    return line


def _finish_fin(c, s):
    """Client closes first: shutdown(SHUT_WR) sends the FIN, then drain until the server's FIN."""
    c.t_fin = time.time()
    c.activity.append(c.t_fin)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    c.t_end = time.time()
    c.closed_by = "fin"


def ssh(client, family, target, note, lines=3, interval=0.5, idle=0.0):
    c, s = tcp_connect(client, family, target, 22, "ssh", note)
    if s is None:
        return c
    try:
        s.settimeout(30)
        f = s.makefile("rb")
        _readline(c, f)
        _send(c, s, b"SSH-2.0-OpenSSH_9.6 mobilessh-sample-client\r\n")
        _readline(c, f)
        for i in range(lines):
            time.sleep(interval)
            _send(c, s, b"ls -l /srv/line-%d\n" % i)
            _readline(c, f)
        if idle:
            time.sleep(idle)
        _finish_fin(c, s)
    except ConnectionResetError:
        c.t_end = time.time()
        c.closed_by = "rst"
    finally:
        s.close()
    return c


def imaps(client, family, note, hold=0.0, noop_interval=0.2, tls=True):
    c, s = tcp_connect(client, family, "mail", 993, "imaps", note)
    if s is None:
        return c
    try:
        s.settimeout(30)
        if not tls:
            # A bare TCP connect: handshake, then the client's FIN. No byte of payload.
            time.sleep(0.05)
            _finish_fin(c, s)
            return c
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c.act()
        t = ctx.wrap_socket(s, server_hostname="mail.example.net")
        c.act()
        f = t.makefile("rwb", buffering=0)
        tag = [0]

        def command(text):
            tag[0] += 1
            tg = b"a%d" % tag[0]
            data = tg + b" " + text + b"\r\n"
            f.write(data)
            c.bytes_sent += len(data)
            c.act()
            while True:
                line = f.readline()
                c.act()
                if not line or line.startswith(tg + b" "):
                    return line

        _readline(c, f)
        command(b"CAPABILITY")
        end = time.time() + hold
        while time.time() < end:
            time.sleep(noop_interval)
            command(b"NOOP")
        command(b"LOGOUT")
        # Like a real IMAP server, ours closes after BYE: its FIN comes first, the client's follows.
        while f.read(4096):
            c.act()
        c.closed_by = "server-fin"
        c.t_fin = time.time()
        c.activity.append(c.t_fin)
        try:
            t.close()
        except OSError:
            pass
        c.t_end = time.time()
    except (ConnectionResetError, ssl.SSLError) as e:
        c.t_end = time.time()
        c.closed_by = "rst" if isinstance(e, ConnectionResetError) else "tls-error"
    finally:
        s.close()
    return c


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn_scan(client, family, note, dport=993):
    """Half-open scan: one raw SYN; the SYN/ACK hits a port no socket owns, so the scanner's kernel
    answers with RST. The router sees SYN, SYN/ACK, RST: that RST is ctstate ESTABLISHED."""
    c = Conn(client, family, "mail", dport, "syn-scan", note)
    ns = NODES[client]["ns"]
    raw = socket_in(ns, _af(family), socket.SOCK_RAW, socket.IPPROTO_TCP)
    # Claim a free port with a real (unconnected) socket only to learn it, then release it: the
    # kernel must have no socket there, or it would not send the RST a scanner relies on.
    probe = socket_in(ns, _af(family))
    probe.bind((c.src, 0))
    c.sport = probe.getsockname()[1]
    probe.close()
    seq = random.getrandbits(32)
    hdr = struct.pack("!HHIIBBHHH", c.sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    if family == 4:
        pseudo = socket.inet_aton(c.src) + socket.inet_aton(c.dst) + struct.pack("!BBH", 0, 6, len(hdr))
        hdr = hdr[:16] + struct.pack("!H", _checksum(pseudo + hdr)) + hdr[18:]
    else:
        # Linux fills in the TCP checksum of an IPv6 raw socket at this offset.
        raw.setsockopt(socket.IPPROTO_IPV6, getattr(socket, "IPV6_CHECKSUM", 7), 16)
    raw.bind((c.src, 0))
    raw.settimeout(0.5)
    c.t_start = time.time()
    raw.sendto(hdr, (c.dst, 0))
    c.outcome, c.closed_by = "timeout", "none"
    deadline = c.t_start + 3
    while time.time() < deadline:
        try:
            pkt, frm = raw.recvfrom(65535)
        except socket.timeout:
            continue
        if frm[0] != c.dst:
            continue
        tcp = pkt[(pkt[0] & 0x0F) * 4:] if family == 4 else pkt
        sp, dp, _, ack, _, flags = struct.unpack("!HHIIBB", tcp[:14])
        if sp != dport or dp != c.sport:
            continue
        c.t_end = time.time()
        if flags & 0x12 == 0x12 and ack == (seq + 1) & 0xFFFFFFFF:
            c.outcome, c.closed_by = "half-open", "rst"
        elif flags & 0x04:
            c.outcome, c.closed_by = "reset", "rst"
        break
    if c.t_end is None:
        c.t_end = time.time()
    raw.close()
    return c


def flood(client, family, target, count, note):
    out = []
    for _ in range(count):
        c, s = tcp_connect(client, family, target, 22, "flood", note, timeout=1.0)
        if s is not None:
            s.close()
            c.t_end = time.time()
            c.closed_by = "fin"
        out.append(c)
    return out


# --- The ruleset model -------------------------------------------------------------------------

class Window:
    def __init__(self, wid, c, t):
        self.id, self.src, self.client, self.family = wid, c.src, c.client, c.family
        self.opened_at, self.opened_by, self.last_refresh = t, c.id, t
        self.closed_at = self.close_reason = self.closed_by = None
        self.ssh_accepted = []
        self.refreshed_by = []

    def to_json(self, n):
        return {"record": "window", "id": self.id, "client": self.client, "family": self.family,
                "src": self.src, "opened_at": iso(self.opened_at), "opened_by": self.opened_by,
                "last_refresh": iso(self.last_refresh), "expires_at": iso(self.last_refresh + n),
                "closed_at": iso(self.closed_at), "close_reason": self.close_reason,
                "closed_by": self.closed_by, "ssh_accepted": self.ssh_accepted,
                "refreshed_by": self.refreshed_by}


def model(conns, n, t_end, log_rate_per_s=6 / 60.0, log_burst=5, global_rate=20.0):
    """Replay the observed client packets through the ruleset's logic (recent list, windows,
    hashlimit-sampled reject LOG). Returns the windows and a list of disagreements."""
    events = []
    for c in conns:
        if c.kind == "imaps" and c.outcome == "connected":
            for t in c.activity:
                events.append((t, 1, "imaps", c))
        elif c.kind in ("ssh", "flood"):
            events.append((c.t_start, 0, "syn", c))
            if c.outcome == "connected":
                for t in c.activity:
                    if c.t_fin is None or t < c.t_fin:
                        events.append((t, 2, "update", c))
                if c.closed_by == "fin" and c.t_fin is not None:
                    events.append((c.t_fin, 3, "fin", c))
    events.sort(key=lambda e: (e[0], e[1]))
    state = {}  # src -> {"present": bool, "last": t, "window": Window}
    windows, problems = [], []
    buckets = {}  # per-source hashlimit (the key is /32 or /64; each client has one address)
    gbucket = {4: [log_burst, None], 6: [log_burst, None]}

    def fresh(st, t):
        return st["present"] and t - st["last"] <= n

    def close_expired(st):
        w = st.get("window")
        if w and w.closed_at is None:
            w.closed_at, w.close_reason = st["last"] + n, "expiry"

    for t, _, what, c in events:
        st = state.setdefault(c.src, {"present": False, "last": None, "window": None})
        if what == "imaps":
            if not fresh(st, t):
                close_expired(st)
                w = Window("w%02d" % (len(windows) + 1), c, t)
                windows.append(w)
                st["window"] = w
                c.expected_log.append("mobilessh-set")
                c.window = c.window or w.id
            st["present"], st["last"] = True, t
            st["window"].last_refresh = t
            if c.id not in st["window"].refreshed_by:
                st["window"].refreshed_by.append(c.id)
            c.window = c.window or st["window"].id
        elif what == "syn":
            if fresh(st, t):
                c.predicted = "accept"
                c.expected_log.append("mobilessh-accept")
                st["window"].ssh_accepted.append(c.id)
                c.window = st["window"].id
            else:
                c.predicted = "reject"
                b = buckets.setdefault(c.src, [log_burst, t])
                b[0] = min(log_burst, b[0] + (t - b[1]) * log_rate_per_s)
                b[1] = t
                g = gbucket[c.family]
                if g[1] is not None:
                    g[0] = min(log_burst, g[0] + (t - g[1]) * global_rate)
                g[1] = t
                if b[0] >= 1:
                    b[0] -= 1
                    if g[0] >= 1:
                        g[0] -= 1
                        c.expected_log.append("mobilessh-reject")
                    else:
                        c.model_notes.append("reject LOG suppressed by the global limit")
                else:
                    c.model_notes.append("reject LOG suppressed by the per-source hashlimit")
            observed = "accept" if c.outcome == "connected" else "reject"
            margin = abs(t - ((st["last"] or -1e9) + n))
            if observed != c.predicted:
                kind = "borderline" if margin < 0.3 else "DISAGREES"
                problems.append("%s %s: model predicted %s, kernel did %s (%.3f s from expiry) [%s]"
                                % (c.id, c.src, c.predicted, observed, margin, kind))
        elif what == "update":
            if fresh(st, t):
                st["last"] = t
                st["window"].last_refresh = t
        elif what == "fin":
            if st["present"]:
                c.expected_log.append("mobilessh-remove")
                w = st["window"]
                if fresh(st, t):
                    w.closed_at, w.close_reason, w.closed_by = t, "fin-remove", c.id
                else:
                    close_expired(st)
                    c.model_notes.append("the FIN removes an entry that had already expired: the window "
                                         "closed by expiry before this remove line")
                st["present"] = False
    for st in state.values():
        w = st.get("window")
        if w and w.closed_at is None:
            if st["last"] + n <= t_end:
                close_expired(st)
            else:
                w.close_reason = "open-at-end"
    return windows, problems


# --- The scenario ------------------------------------------------------------------------------

class Scenario:
    def __init__(self, args):
        self.args = args
        self.t0 = None
        self.marks = []

    def at(self, rel):
        delay = self.t0 + rel - time.time()
        if delay > 0:
            time.sleep(delay)

    def mark(self, text):
        self.marks.append((time.time(), text))
        if self.args.logger_socket:
            subprocess.run(["logger", "--socket", self.args.logger_socket, "-t", "msh-scenario", text], check=True)

    def thread(self, fn):
        th = threading.Thread(target=fn)
        th.start()
        return th

    def rotate(self):
        if not self.args.rotate_conf:
            return
        self.marks.append((time.time(), "logrotate -f: kern.log -> kern.log.1, syslog -> syslog.1, then HUP"))
        subprocess.run(["logrotate", "-f", "-s", self.args.rotate_state, self.args.rotate_conf], check=True)

    def run(self):
        n = self.args.seconds
        self.t0 = time.time()
        at = self.at
        self.mark("phase 1: SSH with no window open")
        at(0.0)
        ssh("phone", 4, "router", "no window yet: reset")
        at(0.5)
        ssh("phone", 6, "host", "no window yet: reset")
        at(1.0)
        ssh("laptop", 4, "host", "no window yet: reset")

        at(2.0)
        self.mark("phase 2: phone mail check (IPv4), SSH to the router, FIN removes")
        imaps("phone", 4, "mail check (TLS, CAPABILITY, LOGOUT): opens the window")
        at(3.0)
        ssh("phone", 4, "router", "inside the window: accepted; the client's FIN removes the address",
            lines=4)
        at(6.0)
        ssh("phone", 4, "router", "after the FIN removal, before expiry: reset")

        at(8.0)
        self.mark("phase 3: phone over IPv6, two sessions, the second survives the first one's FIN")
        imaps("phone", 6, "mail check over IPv6: opens the window")
        at(9.0)
        a = self.thread(lambda: ssh("phone", 6, "host", "session A to the host behind the router; "
                                    "its FIN removes the address", lines=5))
        at(9.5)
        b = self.thread(lambda: ssh("phone", 6, "router", "session B to the router; keeps running after "
                                    "A's FIN removed the address (default mode)", lines=13))
        a.join()
        b.join()
        at(17.5)
        ssh("phone", 6, "router", "address removed by session A's FIN: reset")

        at(19.0)
        self.mark("phase 4: laptop (IPv4) window expires unused, a new mail check re-opens it")
        imaps("laptop", 4, "short mail check: opens a window nobody uses")
        at(19.0 + n + 2.5)
        ssh("laptop", 4, "host", "window expired %d s after the last IMAPS packet: reset" % n)
        at(19.0 + n + 3.5)
        imaps("laptop", 4, "new mail check: re-opens the expired entry (logged again)")
        at(19.0 + n + 4.5)
        ssh("laptop", 4, "host", "inside the re-opened window: accepted; FIN removes", lines=3)

        at(31.0)
        self.rotate()
        self.mark("phase 5: laptop (IPv6) long IMAPS session; attacker; overlapping windows")
        long_imaps = self.thread(lambda: imaps(
            "laptop", 6, "long IMAPS session, NOOP every 0.2 s for 30 s: one set line per window opening",
            hold=30.0))
        at(34.0)
        ssh("laptop", 6, "router", "during the long IMAPS session: accepted; its FIN removes the address, "
            "the next IMAPS packet sets it again (a new window, logged)", lines=4)

        def attacker():
            at(38.0)
            syn_scan("attacker", 4, "half-open SYN scan of 993: the scanner's RST must not open SSH")
            at(38.8)
            ssh("attacker", 4, "router", "after the half-open scan: reset")
            at(39.4)
            syn_scan("attacker", 6, "half-open SYN scan of 993 over IPv6")
            at(40.0)
            ssh("attacker", 6, "router", "after the half-open scan: reset")
            at(41.0)
            flood("attacker", 4, "router", 40, "SYN burst to the router's SSH: every one reset, LOG sampled")
            at(43.0)
            flood("attacker", 6, "host", 20, "SYN burst to the host's SSH over IPv6: LOG sampled per /64")
            at(45.0)
            imaps("attacker", 4, "plain TCP connect to 993, no TLS, no byte sent: opens SSH "
                  "(the post's accepted policy; --imaps-min-bytes hardens it)", tls=False)
            at(45.8)
            ssh("attacker", 4, "router", "after the plain connect: accepted", lines=2)
            at(48.0)
            imaps("attacker", 6, "plain TCP connect to 993 over IPv6", tls=False)
            at(48.8)
            ssh("attacker", 6, "host", "after the plain connect: accepted", lines=2)

        def overlap():
            at(51.0)
            imaps("phone", 4, "phone mail check: window overlaps the laptop's")
            at(52.0)
            imaps("laptop", 4, "laptop mail check: window overlaps the phone's")
            at(53.0)
            p = self.thread(lambda: ssh("phone", 4, "host", "accepted; then idle 8 s (no packets) so the window "
                                        "expires under the running session; the late FIN removes a stale entry",
                                        lines=1, idle=8.0))
            at(53.5)
            ssh("laptop", 4, "host", "accepted while the phone's session runs; FIN removes the laptop only",
                lines=4)
            p.join()

        att = self.thread(attacker)
        ovl = self.thread(overlap)
        att.join()
        ovl.join()
        long_imaps.join()
        t_long_end = max(c.t_end for c in Conn.all if c.kind == "imaps" and c.client == "laptop" and c.family == 6)
        self.at(t_long_end - self.t0 + n + 2.0)
        self.mark("phase 6: after the long session's window expired")
        ssh("laptop", 6, "host", "long IMAPS session ended; its window expired %d s after the last packet: reset" % n)
        self.mark("scenario end")
        return time.time()


def server_seen(conn, server_events):
    for e in server_events:
        if e.get("event") == "accept" and e["peer"] == conn.src and e["pport"] == conn.sport:
            return True
    return False


def write_outputs(out, sc, windows, problems, n, t_end, server_events):
    conns = sorted(Conn.all, key=lambda c: c.t_start)
    for c in conns:
        c.server_seen = server_seen(c, server_events)
    with open(os.path.join(out, "ground-truth.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"record": "meta", "window_seconds": n, "t_scenario_start": iso(sc.t0),
                            "t_scenario_end": iso(t_end), "router_hostname": "router1",
                            "list": "MOBILE", "model_problems": problems,
                            "note": "times are the client's wall clock (same host clock as the logs)"}) + "\n")
        for c in conns:
            j = c.to_json()
            j["server_seen"] = c.server_seen
            f.write(json.dumps(j) + "\n")
        for w in windows:
            f.write(json.dumps(w.to_json(n)) + "\n")
    rel = lambda t: "%7.3f" % (t - sc.t0)  # noqa: E731
    lines = ["# Sample-log scenario: what happened, in order", "",
             "Generated by `record.sh` from the same run as the logs next to this file. Window length N = %d s."
             % n, "Times are seconds after the scenario start, %s (UTC)." % iso(sc.t0), "",
             "Connections (one row per attempt; flood rows are summarised):", ""]
    items = [(t, 0, "**%s**" % text) for t, text in sc.marks]
    flood_groups = {}
    for c in conns:
        if c.kind == "flood":
            flood_groups.setdefault((c.client, c.family, c.dst), []).append(c)
            continue
        items.append((c.t_start, 1, "`%s` %s %s v%d %s:%s -> %s:%d %s: **%s**%s%s. Expected log: %s. %s"
                      % (c.id, rel(c.t_start), c.client, c.family, c.src, c.sport, c.dst, c.dport, c.kind,
                         c.outcome, (", closed by " + c.closed_by) if c.outcome == "connected" else "",
                         (" at " + rel(c.t_end).strip()) if c.t_end else "",
                         ", ".join(c.expected_log + ["(%s)" % x for x in c.model_notes]) or "none",
                         c.note)))
    for (client, fam, dst), cs in flood_groups.items():
        logged = sum(1 for c in cs if "mobilessh-reject" in c.expected_log)
        items.append((cs[0].t_start, 1, "`%s`..`%s` %s %s v%d -> %s:22 flood: %d attempts in %.3f s, outcomes %s; "
                      "model expects %d reject LOG lines (hashlimit 6/min, burst 5 per source). %s"
                      % (cs[0].id, cs[-1].id, rel(cs[0].t_start), client, fam, dst, len(cs),
                         cs[-1].t_end - cs[0].t_start, sorted({c.outcome for c in cs}), logged, cs[0].note)))
    items.sort(key=lambda x: (x[0], x[1]))
    for _, _, text in items:
        lines.append("- " + text)
    lines += ["", "Windows (from the ruleset model over the observed packet times):", ""]
    for w in windows:
        lines.append("- `%s` %s v%d %s: opened %s by `%s`, last refresh %s, closed %s (%s%s); SSH accepted: %s"
                     % (w.id, w.client, w.family, w.src, rel(w.opened_at), w.opened_by, rel(w.last_refresh),
                        rel(w.closed_at) if w.closed_at else "-", w.close_reason,
                        (" by `%s`" % w.closed_by) if w.closed_by else "",
                        ", ".join("`%s`" % x for x in w.ssh_accepted) or "none"))
    lines += ["", "Model check: " + ("the kernel did what the model predicted for every SSH attempt."
                                     if not problems else "; ".join(problems)), ""]
    with open(os.path.join(out, "scenario.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--logger-socket")
    p.add_argument("--rotate-conf")
    p.add_argument("--rotate-state")
    p.add_argument("--server-events", action="append", default=[])
    args = p.parse_args()
    if os.geteuid() != 0:
        print("scenario.py: must run as root (setns into the scenario's namespaces)", file=sys.stderr)
        return 1
    sc = Scenario(args)
    t_end = sc.run()
    windows, problems = model(Conn.all, args.seconds, t_end)
    server_events = []
    for path in args.server_events:
        with open(path, encoding="utf-8") as f:
            server_events += [json.loads(x) for x in f if x.strip()]
    write_outputs(args.out, sc, windows, problems, args.seconds, t_end, server_events)
    print("scenario: %d connection attempts, %d windows, %d model problems"
          % (len(Conn.all), len(windows), len(problems)))
    for pr in problems:
        print("scenario: " + pr, file=sys.stderr)
    return 1 if any("DISAGREES" in pr for pr in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
