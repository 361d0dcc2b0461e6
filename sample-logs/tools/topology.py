#!/usr/bin/env python3
"""The sample-log topology: one source of truth for record.sh, scenario.py and check.py.

  topology.py setup      print the commands that build it, one argument list per line (no quoting:
                         no argument contains a space); record.sh runs each line without a shell
  topology.py namespaces print the namespace names, router first
  topology.py addresses  print every address of the topology, one per line

Every client, the attacker, the mail server and the SSH host has its own veth link to the router
(namespace msh-s-r). Router-side interface names start with "mshs-": every LOG line the router
writes carries IN=mshs-.. (and OUT=mshs-.. when forwarded), which is how the capture tells this
scenario's kernel lines from anyone else's. Documentation addresses only (RFC 5737, RFC 3849) and
documentation MAC addresses (RFC 7042, 00:00:5e:00:53:xx).
"""
import sys

ROUTER = "msh-s-r"
HOSTNAME = "router1"

# The router's own ("public") addresses, on its loopback: clients SSH to these (INPUT chain).
ROUTER_PUBLIC = {4: "192.0.2.1", 6: "2001:db8:ffff::1"}

# name -> namespace, router-side interface, node and router addresses per family, prefix lengths, MACs.
NODES = {
    "phone": {"ns": "msh-s-phone", "rif": "mshs-ph", "v4": "203.0.113.10", "v6": "2001:db8:10::10",
              "r4": "203.0.113.1", "r6": "2001:db8:10::1", "p4": 26,
              "mac": "00:00:5e:00:53:10", "rmac": "00:00:5e:00:53:a0"},
    "laptop": {"ns": "msh-s-laptop", "rif": "mshs-lt", "v4": "203.0.113.70", "v6": "2001:db8:20::70",
               "r4": "203.0.113.65", "r6": "2001:db8:20::1", "p4": 26,
               "mac": "00:00:5e:00:53:70", "rmac": "00:00:5e:00:53:a1"},
    "attacker": {"ns": "msh-s-attacker", "rif": "mshs-at", "v4": "192.0.2.166", "v6": "2001:db8:66::66",
                 "r4": "192.0.2.129", "r6": "2001:db8:66::1", "p4": 25,
                 "mac": "00:00:5e:00:53:66", "rmac": "00:00:5e:00:53:a2"},
    "mail": {"ns": "msh-s-mail", "rif": "mshs-ml", "v4": "198.51.100.10", "v6": "2001:db8:1::10",
             "r4": "198.51.100.1", "r6": "2001:db8:1::1", "p4": 28,
             "mac": "00:00:5e:00:53:b0", "rmac": "00:00:5e:00:53:a3"},
    "host": {"ns": "msh-s-host", "rif": "mshs-sh", "v4": "198.51.100.22", "v6": "2001:db8:2::22",
             "r4": "198.51.100.17", "r6": "2001:db8:2::1", "p4": 28,
             "mac": "00:00:5e:00:53:b1", "rmac": "00:00:5e:00:53:a4"},
}

CLIENTS = ("phone", "laptop", "attacker")


def addr(name, family):
    """Address of a node ("router" means the router's public address) for family 4 or 6."""
    if name == "router":
        return ROUTER_PUBLIC[family]
    return NODES[name]["v%d" % family]


def namespaces():
    return [ROUTER] + [n["ns"] for n in NODES.values()]


def addresses():
    out = list(ROUTER_PUBLIC.values())
    for n in NODES.values():
        out += [n["v4"], n["v6"], n["r4"], n["r6"]]
    return out


def setup_commands():
    cmds = []
    for ns in namespaces():
        cmds.append(["ip", "netns", "add", ns])
        # DAD off before any interface exists, so IPv6 addresses are usable at once.
        for key in ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"):
            cmds.append(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", key])
        cmds.append(["ip", "-n", ns, "link", "set", "lo", "up"])
    for key in ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"):
        cmds.append(["ip", "netns", "exec", ROUTER, "sysctl", "-q", "-w", key])
    cmds.append(["ip", "-n", ROUTER, "addr", "add", ROUTER_PUBLIC[4] + "/32", "dev", "lo"])
    cmds.append(["ip", "-n", ROUTER, "addr", "add", ROUTER_PUBLIC[6] + "/128", "dev", "lo", "nodad"])
    for n in NODES.values():
        cmds.append(["ip", "link", "add", n["rif"], "netns", ROUTER, "address", n["rmac"], "type", "veth",
                     "peer", "name", "eth0", "netns", n["ns"], "address", n["mac"]])
        cmds.append(["ip", "-n", ROUTER, "addr", "add", "%s/%d" % (n["r4"], n["p4"]), "dev", n["rif"]])
        cmds.append(["ip", "-n", ROUTER, "addr", "add", n["r6"] + "/64", "dev", n["rif"], "nodad"])
        cmds.append(["ip", "-n", n["ns"], "addr", "add", "%s/%d" % (n["v4"], n["p4"]), "dev", "eth0"])
        cmds.append(["ip", "-n", n["ns"], "addr", "add", n["v6"] + "/64", "dev", "eth0", "nodad"])
        cmds.append(["ip", "-n", ROUTER, "link", "set", n["rif"], "up"])
        cmds.append(["ip", "-n", n["ns"], "link", "set", "eth0", "up"])
        cmds.append(["ip", "-n", n["ns"], "route", "add", "default", "via", n["r4"]])
        cmds.append(["ip", "-n", n["ns"], "-6", "route", "add", "default", "via", n["r6"]])
    return cmds


def main(argv):
    what = argv[1] if len(argv) > 1 else ""
    if what == "setup":
        for c in setup_commands():
            print(" ".join(c))
    elif what == "namespaces":
        print("\n".join(namespaces()))
    elif what == "addresses":
        print("\n".join(addresses()))
    else:
        print("usage: topology.py setup|namespaces|addresses", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
