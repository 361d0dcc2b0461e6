#!/usr/bin/env python3
"""Servers for the sample-log scenario, one process per role, started with `ip netns exec`.

  servers.py imaps --cert C --key K --events FILE [--role R]   TLS IMAP-like server on [::]:993 (dual stack)
  servers.py ssh --events FILE [--role R]                      SSH-like line server on [::]:22 (dual stack)

Neither speaks the real protocol beyond its first lines: the firewall only sees TCP, so what matters
is real handshakes, real payload bytes in both directions and real FIN/RST closes. Every accepted
connection and its close is appended to FILE as one JSON object, so the ground truth can say which
connections the server actually saw (a half-open scan never reaches accept()).
Stdlib only; exits on SIGTERM.
"""
import json
import signal
import socket
import ssl
import sys
import threading
import time
from datetime import datetime, timezone

_events_lock = threading.Lock()


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def peer_of(addr):
    host = addr[0]
    # The dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; the ground truth uses plain a.b.c.d.
    if host.startswith("::ffff:") and "." in host:
        host = host[len("::ffff:"):]
    return host, addr[1]


def record(path, obj):
    with _events_lock, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj, sort_keys=True) + "\n")


def listener(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(128)
    return s


def serve_imap(conn, peer, events, role):
    t0 = time.time()
    got = 0
    how = "eof"
    try:
        conn.settimeout(120)
        f = conn.makefile("rwb", buffering=0)
        f.write(b"* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] mail.example.net IMAP ready\r\n")
        for raw in f:
            got += len(raw)
            parts = raw.decode("ascii", "replace").split()
            if len(parts) < 2:
                f.write(b"* BAD empty command\r\n")
                continue
            tag, cmd = parts[0], parts[1].upper()
            if cmd == "CAPABILITY":
                f.write(b"* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN\r\n" + tag.encode() + b" OK CAPABILITY completed\r\n")
            elif cmd == "NOOP":
                f.write(b"* 42 EXISTS\r\n" + tag.encode() + b" OK NOOP completed\r\n")
            elif cmd == "LOGOUT":
                f.write(b"* BYE mail.example.net logging out\r\n" + tag.encode() + b" OK LOGOUT completed\r\n")
                how = "logout"
                # Half-close, then wait for the client's FIN: closing with unread bytes would make
                # the kernel answer the client's last segment with an RST instead of a clean close.
                conn.shutdown(socket.SHUT_WR)
                conn.settimeout(5)
                while conn.recv(4096):
                    pass
                break
            else:
                f.write(tag.encode() + b" OK done\r\n")
    except (ssl.SSLError, OSError) as e:
        how = type(e).__name__
    finally:
        try:
            conn.close()
        except OSError:
            pass
        record(events, {"role": role, "event": "close", "peer": peer[0], "pport": peer[1],
                        "t_accept": iso(t0), "t_close": iso(time.time()), "bytes_in": got, "how": how})


def serve_ssh(conn, peer, events, role):
    t0 = time.time()
    got = 0
    how = "eof"
    try:
        conn.settimeout(120)
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 mobilessh-sample\r\n")
        buf = b""
        while True:
            data = conn.recv(4096)
            if not data:
                break
            got += len(data)
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                conn.sendall(b"echo " + line.strip() + b"\r\n")
    except OSError as e:
        how = type(e).__name__
    finally:
        try:
            conn.close()
        except OSError:
            pass
        record(events, {"role": role, "event": "close", "peer": peer[0], "pport": peer[1],
                        "t_accept": iso(t0), "t_close": iso(time.time()), "bytes_in": got, "how": how})


def main(argv):
    if len(argv) < 2 or argv[1] not in ("imaps", "ssh"):
        print("usage: servers.py imaps --cert C --key K --events FILE | ssh --events FILE", file=sys.stderr)
        return 2
    opts = dict(zip(argv[2::2], argv[3::2]))
    # --role names the server in the events file (the router and the host both run the ssh role).
    role = opts.get("--role", argv[1])
    events = opts.get("--events")
    if not events:
        print("servers.py: --events FILE is required", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if argv[1] == "imaps":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts["--cert"], opts["--key"])
        lst = listener(993)
    else:
        lst = listener(22)
    # Readiness line: record.sh waits for it before the scenario starts.
    print("ready", flush=True)
    while True:
        conn, addr = lst.accept()
        peer = peer_of(addr)
        record(events, {"role": role, "event": "accept", "peer": peer[0], "pport": peer[1], "t": iso(time.time())})
        if argv[1] == "imaps":
            def run(c=conn, p=peer):
                try:
                    c.settimeout(10)
                    tls = ctx.wrap_socket(c, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    c.close()
                    record(events, {"role": role, "event": "close", "peer": p[0], "pport": p[1],
                                    "t_close": iso(time.time()), "bytes_in": 0, "how": "no-tls:" + type(e).__name__})
                    return
                serve_imap(tls, p, events, role)
            threading.Thread(target=run, daemon=True).start()
        else:
            threading.Thread(target=serve_ssh, args=(conn, peer, events, role), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
