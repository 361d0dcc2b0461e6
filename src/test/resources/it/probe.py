#!/usr/bin/env python3
"""Real TCP traffic for mobilessh's kernel tests (python3 standard library only).

Run inside a network namespace (`ip netns exec NS python3 probe.py ...`):

  serve PORT...   echo server on every PORT, IPv4 and IPv6 (one dual-stack socket per port);
                  prints "ready" once all ports listen.
  agent           reads one JSON command per line on stdin and answers one JSON line each.

Outcomes are what a scanner would see: "connected", "reset" (RST: the port looks closed) or
"timeout" (no answer: the port looks filtered). Established sessions answer "ok", "reset",
"timeout" or "closed" (the peer's FIN).
"""
import errno
import json
import os
import random
import select
import socket
import struct
import sys
import threading
import time


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


# ---------------------------------------------------------------- server

def serve(ports):
    listeners = []
    for port in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(512)
        listeners.append(s)
    for s in listeners:
        threading.Thread(target=accept_loop, args=(s,), daemon=True).start()
    print("ready", flush=True)
    # The harness ends the server by closing stdin (or killing the process).
    sys.stdin.read()


def accept_loop(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def echo(conn):
    # Echo until the client's FIN, then close: the client sees the server's FIN in turn.
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
    except OSError:
        pass
    finally:
        conn.close()


# ---------------------------------------------------------------- client agent

sessions = {}


def outcome_of(error):
    if isinstance(error, socket.timeout):
        return "timeout"
    if isinstance(error, OSError) and error.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EPIPE):
        return "reset"
    if isinstance(error, OSError) and error.errno in (errno.ETIMEDOUT,):
        return "timeout"
    return "error: %r" % (error,)


def op_connect(cmd):
    fam = family_of(cmd["dst"])
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((cmd["src"], 0))
    s.settimeout(cmd.get("timeout", 1.5))
    started = time.monotonic()
    try:
        s.connect((cmd["dst"], cmd["port"]))
    except OSError as e:
        s.close()
        return {"result": outcome_of(e), "ms": round((time.monotonic() - started) * 1000, 1)}
    sessions[cmd["id"]] = s
    return {"result": "connected", "port": s.getsockname()[1],
            "ms": round((time.monotonic() - started) * 1000, 1)}


def exchange(s, payload, timeout):
    s.settimeout(timeout)
    s.sendall(payload)
    got = 0
    while got < len(payload):
        data = s.recv(65536)
        if not data:
            return "closed"
        got += len(data)
    return "ok"


def op_echo(cmd):
    s = sessions[cmd["id"]]
    try:
        return {"result": exchange(s, b"x" * cmd.get("bytes", 16), cmd.get("timeout", 1.5))}
    except OSError as e:
        return {"result": outcome_of(e)}


def op_chatter(cmd):
    # Many small round trips: one client packet each (TCP_NODELAY), thousands of packets.
    s = sessions[cmd["id"]]
    done = 0
    try:
        for _ in range(cmd["count"]):
            result = exchange(s, b"y" * cmd.get("bytes", 8), cmd.get("timeout", 1.5))
            if result != "ok":
                return {"result": result, "done": done}
            done += 1
    except OSError as e:
        return {"result": outcome_of(e), "done": done}
    return {"result": "ok", "done": done}


def op_close(cmd):
    # Orderly close: our FIN, the echo server's FIN back, then close.
    s = sessions.pop(cmd["id"])
    s.settimeout(cmd.get("timeout", 1.5))
    try:
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        return {"result": "closed"}
    except OSError as e:
        return {"result": outcome_of(e)}
    finally:
        s.close()


def op_abort(cmd):
    s = sessions.pop(cmd["id"])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return {"result": "aborted"}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def raw_socket(src, dst):
    fam = family_of(dst)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    if fam == socket.AF_INET6:
        # The kernel fills in the TCP checksum at offset 16 (and checks received ones).
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
    s.bind((src, 0))
    return s


def syn_segment(src, dst, sport, dport):
    return tcp_segment(src, dst, sport, dport, random.getrandbits(32), 0, 0x02)


def tcp_segment(src, dst, sport, dport, seq, ack, flags):
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 64240, 0, 0)
    if family_of(dst) == socket.AF_INET:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(header))
        header = header[:16] + struct.pack("!H", checksum(pseudo + header)) + header[18:]
    return header


def op_synscan(cmd):
    """Half-open scan: a raw SYN; the SYN/ACK is answered by this kernel's own RST
    (no socket owns the port), exactly the SYN, SYN/ACK, RST a SYN scanner produces."""
    src, dst, dport = cmd["src"], cmd["dst"], cmd["port"]
    sport = random.randint(40000, 60000)
    s = raw_socket(src, dst)
    try:
        s.sendto(syn_segment(src, dst, sport, dport), (dst, 0))
        deadline = time.monotonic() + cmd.get("timeout", 1.5)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                return {"result": "timeout", "sport": sport}
            packet, _ = s.recvfrom(65536)
            tcp = packet[(packet[0] & 0x0F) * 4:] if s.family == socket.AF_INET else packet
            psport, pdport = struct.unpack("!HH", tcp[:4])
            flags = tcp[13]
            if psport != dport or pdport != sport:
                continue
            if flags & 0x12 == 0x12:
                return {"result": "synack", "sport": sport}
            if flags & 0x04:
                return {"result": "reset", "sport": sport}
    finally:
        s.close()


def spoofing_socket(src, dst):
    """A raw socket that sends from src whether or not this machine owns it."""
    fam = family_of(dst)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
        s.setsockopt(socket.IPPROTO_IPV6, 75, 1)  # IPV6_TRANSPARENT
    else:
        s.setsockopt(socket.SOL_IP, 19, 1)  # IP_TRANSPARENT
    s.bind((src, 0))
    return s


def op_spoofsyn(cmd):
    """A blind spoofer: a SYN from an address this machine does not own (the server's SYN/ACK goes
    to that address, never here), then the same SYN again once the server has answered it."""
    src, dst, dport = cmd["src"], cmd["dst"], cmd["port"]
    s = spoofing_socket(src, dst)
    try:
        sport = random.randint(40000, 60000)
        segment = syn_segment(src, dst, sport, dport)
        s.sendto(segment, (dst, 0))
        time.sleep(cmd.get("gap", 0.3))
        s.sendto(segment, (dst, 0))
    finally:
        s.close()
    return {"result": "sent", "sport": sport}


def op_spoofclose(cmd):
    """A blind spoofer closing a connection it never saw: a SYN from src, then FIN/ACKs that
    acknowledge sequence numbers spread over the whole space (it cannot know the server's)."""
    src, dst, dport = cmd["src"], cmd["dst"], cmd["port"]
    s = spoofing_socket(src, dst)
    try:
        sport = random.randint(40000, 60000)
        seq = random.getrandbits(32)
        s.sendto(tcp_segment(src, dst, sport, dport, seq, 0, 0x02), (dst, 0))
        time.sleep(cmd.get("gap", 0.3))
        for k in range(8):
            ack = (k << 29) & 0xFFFFFFFF
            s.sendto(tcp_segment(src, dst, sport, dport, seq + 1, ack, 0x11), (dst, 0))
    finally:
        s.close()
    return {"result": "sent", "sport": sport}


def op_synflood(cmd):
    src, dst, dport = cmd["src"], cmd["dst"], cmd["port"]
    s = raw_socket(src, dst)
    try:
        for i in range(cmd["count"]):
            s.sendto(syn_segment(src, dst, 20000 + i % 40000, dport), (dst, 0))
            if i % 200 == 199:
                time.sleep(0.005)  # let the veth queue drain: every SYN must reach the router
    finally:
        s.close()
    return {"result": "sent", "count": cmd["count"]}


OPS = {"connect": op_connect, "echo": op_echo, "chatter": op_chatter, "close": op_close,
       "abort": op_abort, "synscan": op_synscan, "synflood": op_synflood,
       "spoofsyn": op_spoofsyn, "spoofclose": op_spoofclose}


def agent():
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            answer = OPS[cmd["op"]](cmd)
        except Exception as e:  # the harness shows it in the assertion message
            answer = {"result": "error: %r" % (e,)}
        answer["t"] = time.monotonic()
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve([int(p) for p in sys.argv[2:]])
    elif len(sys.argv) == 2 and sys.argv[1] == "agent":
        agent()
    else:
        sys.exit("usage: probe.py serve PORT... | probe.py agent")
