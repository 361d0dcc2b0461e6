#!/usr/bin/env python3
"""Write a marker record into the kernel log and print its sequence number and timestamp.

  kmsg.py mark TEXT    prints "SEQ USEC": /dev/kmsg sequence number and kernel timestamp (µs since boot)

record.sh uses the sequence number so its private rsyslogd skips every kernel record older than
this run (imkmsg replays the whole ring buffer when it starts), and the marker text to cut dmesg's
output at the same point. Caller must hold /tmp/mobilessh-netfilter.lock (it reads the kernel log).
"""
import errno
import os
import sys


def mark(text):
    with open("/dev/kmsg", "w") as k:
        # <5> = notice. /dev/kmsg forces the user facility for records written from userspace.
        k.write("<5>%s\n" % text)
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    found = None
    try:
        while True:
            try:
                rec = os.read(fd, 8192)
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    break
                if e.errno == errno.EPIPE:  # a record was overwritten while reading: skip it
                    continue
                raise
            head, _, msg = rec.decode("utf-8", "replace").partition(";")
            if msg.split("\n", 1)[0] == text:
                fields = head.split(",")
                found = (int(fields[1]), int(fields[2]))
    finally:
        os.close(fd)
    if found is None:
        raise SystemExit("kmsg.py: marker not found in /dev/kmsg")
    return found


def main(argv):
    if len(argv) != 3 or argv[1] != "mark" or not argv[2] or "\n" in argv[2]:
        print("usage: kmsg.py mark TEXT", file=sys.stderr)
        return 2
    seq, usec = mark(argv[2])
    print(seq, usec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
