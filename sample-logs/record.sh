#!/usr/bin/env bash
# Regenerate the real sample logs in this directory (see README.md): build a namespace topology,
# install the mobilessh ruleset in the router namespace, capture the kernel log (private rsyslogd
# with imkmsg, dmesg), conntrack events (conntrack -E, ulogd2 NFCT -> JSON) while a scripted client
# scenario runs, then check the capture against the scenario's ground truth.
#
# Usage: sudo sample-logs/record.sh        (root; ~90 s; no network access needed)
# Env:   OUT=DIR       write the outputs there instead of next to this script
#        KEEP_TMP=1    keep the temporary work directory for inspection
#        SECONDS_N=5   window length (--seconds); the scenario's timeline is built for 3..6
#
# Everything it creates is removed on exit, also on failure: namespaces (msh-s-*), daemons
# (rsyslogd, conntrack, ulogd, servers), the temporary directory; net.netfilter.nf_log_all_netns
# gets its previous value back. It holds /tmp/mobilessh-netfilter.lock for its whole run, so no
# other kernel-log test runs at the same time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${OUT:-$HERE}
TOOLS=$HERE/tools
N=${SECONDS_N:-5}
PY=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ next to the committed tools
LOCK=/tmp/mobilessh-netfilter.lock
ROUTER=msh-s-r
DRAIN=12  # conntrack DESTROY events of the last flows (TIME_WAIT is lowered to 5 s below)

log() { printf 'record.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, sysctls, the kernel log)"
for tool in ip iptables-restore ip6tables-restore iptables-save ip6tables-save conntrack rsyslogd \
  logrotate openssl dmesg flock logger "$PY"; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done

TMP=$(mktemp -d /tmp/msh-s-record.XXXXXX)
PIDS=()
NAMESPACES=()
OLD_LOG_ALL=""
INSTALL_BACKUP=""

cleanup() {
  local rc=$?
  set +e
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null
  done
  local ns
  for ns in "${NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  [[ -n $INSTALL_BACKUP && $INSTALL_BACKUP == *"$ROUTER"* ]] && rm -f -- "$INSTALL_BACKUP"
  if [[ -n $OLD_LOG_ALL ]]; then
    sysctl -q -w net.netfilter.nf_log_all_netns="$OLD_LOG_ALL"
  fi
  if [[ ${KEEP_TMP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Children get `9>&-`: a daemon holding fd 9 would keep the lock after this script is gone.
exec 9>"$LOCK"
log "waiting for $LOCK"
flock -x -w 900 9 || die "could not lock $LOCK within 15 minutes"

for ns in $("$PY" "$TOOLS/topology.py" namespaces); do
  if ip netns list | grep -qw -- "$ns"; then
    die "namespace $ns already exists (a previous run still alive, or left over): delete it first"
  fi
done

JAR=$(ls "$ROOT"/target/mobilessh-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [[ -z $JAR ]]; then
  log "building the jar"
  (cd "$ROOT" && mvn -q -B -o -DskipTests package) 9>&- || die "mvn package failed"
fi

CAP=$TMP/out
mkdir -p "$CAP" "$TMP/rsyslog-work"
chmod 700 "$TMP"
RUN_ID="msh-s-record $(date -u +%Y%m%dT%H%M%SZ) $$"

# --- 1. kernel log capture, started first so the topology's own kernel lines are in it ---------
read -r START_SEQ START_USEC < <("$PY" "$TOOLS/kmsg.py" mark "$RUN_ID start")
[[ ${START_SEQ:-} =~ ^[0-9]+$ ]] || die "could not place the kernel log marker"
log "kernel log marker seq=$START_SEQ"
cat >"$TMP/rsyslog.conf" <<EOF
global(localHostname="router1" workDirectory="$TMP/rsyslog-work")
module(load="imkmsg")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$TMP/log.sock")
\$FileCreateMode 0640
# imkmsg replays the whole ring buffer at start: keep only kernel records after this run's marker
# and only those naming this topology's router interfaces (mshs-*). Other helpers' kernel lines
# are dropped here even if they were written while this run held the lock.
if \$inputname == "imkmsg" and (cnum(\$!sequnum) <= $START_SEQ or not (\$msg contains "mshs-")) then stop
# Debian's classic layout: every kernel line lands in kern.log and in syslog.
kern.* action(type="omfile" file="$CAP/kern.log" template="RSYSLOG_TraditionalFileFormat")
*.*;auth,authpriv.none action(type="omfile" file="$CAP/syslog" template="RSYSLOG_TraditionalFileFormat")
kern.* action(type="omfile" file="$CAP/kern-rfc3339.log" template="RSYSLOG_FileFormat")
EOF
rsyslogd -N1 -f "$TMP/rsyslog.conf" >"$TMP/rsyslog-check.txt" 2>&1 || { cat "$TMP/rsyslog-check.txt" >&2; die "rsyslog config rejected"; }
rsyslogd -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" 9>&- 2>"$TMP/rsyslogd.err" &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $TMP/log.sock ]] && break; sleep 0.1; done
[[ -S $TMP/log.sock ]] || die "rsyslogd did not start: $(cat "$TMP/rsyslogd.err")"

OLD_LOG_ALL=$(sysctl -n net.netfilter.nf_log_all_netns)
log "net.netfilter.nf_log_all_netns was $OLD_LOG_ALL; 1 for this run, restored on exit"
sysctl -q -w net.netfilter.nf_log_all_netns=1

# --- 2. topology --------------------------------------------------------------------------------
for ns in $("$PY" "$TOOLS/topology.py" namespaces); do
  NAMESPACES+=("$ns")
done
while read -r -a argv; do
  "${argv[@]}" 9>&- || die "topology step failed: ${argv[*]}"
done < <("$PY" "$TOOLS/topology.py" setup)

# --- 3. ruleset ---------------------------------------------------------------------------------
RULE_OPTS=(--mail-server 198.51.100.10 --mail-server 2001:db8:1::10 --seconds "$N"
  --protect local --protect 198.51.100.22 --protect 2001:db8:2::22)
if "$ROOT/bin/mobilessh" rules --help 2>/dev/null | grep -qE '^ +install( |$)'; then
  log "installing with: mobilessh rules install --netns $ROUTER"
  "$ROOT/bin/mobilessh" rules install --netns "$ROUTER" "${RULE_OPTS[@]}" 9>&- >"$TMP/install.out" \
    || { cat "$TMP/install.out" >&2; die "rules install failed"; }
  cat "$TMP/install.out" >&2
  # install backs up the namespace's previous (empty) rules; that file is this run's litter.
  INSTALL_BACKUP=$(sed -n 's/^backup of the rules before: //p' "$TMP/install.out")
else
  log "installing with: mobilessh rules render | iptables-restore --noflush (no 'rules install' yet)"
  "$ROOT/bin/mobilessh" rules render --family 4 "${RULE_OPTS[@]}" 9>&- >"$TMP/rules.v4"
  "$ROOT/bin/mobilessh" rules render --family 6 "${RULE_OPTS[@]}" 9>&- >"$TMP/rules.v6"
  ip netns exec "$ROUTER" iptables-restore --noflush <"$TMP/rules.v4"
  ip netns exec "$ROUTER" ip6tables-restore --noflush <"$TMP/rules.v6"
fi
for fam in iptables ip6tables; do
  ip netns exec "$ROUTER" "$fam-save" | grep -q -- '-A MOBILESSH-SSH' || die "$fam: MOBILESSH-SSH missing after install"
done

# --- 4. conntrack and ulogd2 in the router namespace ---------------------------------------------
for key in net.netfilter.nf_conntrack_timestamp=1 net.netfilter.nf_conntrack_acct=1 \
  net.netfilter.nf_conntrack_tcp_timeout_time_wait=5; do
  ip netns exec "$ROUTER" sysctl -q -w "$key"
done
ip netns exec "$ROUTER" conntrack -E -o timestamp,extended,id 9>&- >"$CAP/conntrack-extended.log" 2>"$TMP/conntrack-ext.err" &
PIDS+=($!)
ip netns exec "$ROUTER" conntrack -E 9>&- >"$CAP/conntrack.log" 2>"$TMP/conntrack.err" &
PIDS+=($!)

# Expired conntrack entries are reaped by the kernel's gc worker, which on an idle router runs only
# every ~60 s (a first run saw DESTROY events up to 56 s after the flow's timeout). A ctnetlink dump
# evicts expired entries it meets, so listing the table every second makes every flow's DESTROY
# event arrive within ~1 s of its conntrack timeout, inside the run.
( while :; do ip netns exec "$ROUTER" conntrack -L >/dev/null 2>&1 || true; sleep 1; done ) 9>&- &
PIDS+=($!)

ULOGD_STATUS="not started"
if command -v ulogd >/dev/null; then
  ULOGD_PLUGINS=$(dirname "$(ls /usr/lib/*/ulogd/ulogd_inpflow_NFCT.so /usr/lib/ulogd/ulogd_inpflow_NFCT.so 2>/dev/null | head -1)")
  cat >"$TMP/ulogd.conf" <<EOF
[global]
logfile="$TMP/ulogd-status.log"
loglevel=3
plugin="$ULOGD_PLUGINS/ulogd_inpflow_NFCT.so"
plugin="$ULOGD_PLUGINS/ulogd_filter_IP2STR.so"
plugin="$ULOGD_PLUGINS/ulogd_output_JSON.so"
stack=ct1:NFCT,ip2str1:IP2STR,json1:JSON

[ct1]
# hash_enable=1 (default): one record per flow, written at DESTROY with exact start and end times.
hash_enable=1

[json1]
sync=1
file="$CAP/ulogd-json.log"
timestamp=1
EOF
  ip netns exec "$ROUTER" ulogd -c "$TMP/ulogd.conf" 9>&- >"$TMP/ulogd.out" 2>&1 &
  ULOGD_PID=$!
  PIDS+=("$ULOGD_PID")
  sleep 1
  if kill -0 "$ULOGD_PID" 2>/dev/null; then
    ULOGD_STATUS="running"
  else
    ULOGD_STATUS="exited at start: $(tr '\n' ' ' <"$TMP/ulogd.out") $(tr '\n' ' ' <"$TMP/ulogd-status.log" 2>/dev/null)"
  fi
fi
log "ulogd2: $ULOGD_STATUS"

# --- 5. servers -----------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mail.example.net" \
  -keyout "$TMP/mail.key" -out "$TMP/mail.crt" >/dev/null 2>&1 || die "openssl could not make the test certificate"
start_server() { # namespace, events file, args...
  local ns=$1 events=$2
  shift 2
  ip netns exec "$ns" "$PY" "$TOOLS/servers.py" "$@" --events "$events" 9>&- >"$events.ready" 2>"$events.err" &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q ready "$events.ready" 2>/dev/null && return 0; sleep 0.1; done
  die "server in $ns did not start: $(cat "$events.err")"
}
start_server msh-s-mail "$TMP/ev-imaps.jsonl" imaps --cert "$TMP/mail.crt" --key "$TMP/mail.key" --role imaps
start_server "$ROUTER" "$TMP/ev-ssh-router.jsonl" ssh --role ssh-router
start_server msh-s-host "$TMP/ev-ssh-host.jsonl" ssh --role ssh-host

# --- 6. the scenario, with a real logrotate rotation in the middle --------------------------------
cat >"$TMP/logrotate.conf" <<EOF
# Debian's /etc/logrotate.d/rsyslog shape: compress with delaycompress leaves *.1 uncompressed.
$CAP/kern.log
$CAP/syslog
{
	rotate 4
	missingok
	notifempty
	compress
	delaycompress
	sharedscripts
	postrotate
		kill -HUP \$(cat $TMP/rsyslogd.pid)
	endscript
}
EOF
log "running the scenario (about 70 s)"
SCEN_RC=0
"$PY" "$TOOLS/scenario.py" --seconds "$N" --out "$TMP" --logger-socket "$TMP/log.sock" \
  --rotate-conf "$TMP/logrotate.conf" --rotate-state "$TMP/logrotate.state" \
  --server-events "$TMP/ev-imaps.jsonl" --server-events "$TMP/ev-ssh-router.jsonl" \
  --server-events "$TMP/ev-ssh-host.jsonl" 9>&- || SCEN_RC=$?
log "waiting ${DRAIN}s for the last conntrack DESTROY events"
sleep "$DRAIN"

# --- 7. end-of-run evidence: counters and list, dmesg ----------------------------------------------
{
  echo "# ip netns exec $ROUTER iptables-save -c, at the end of the scenario ($(date -u +%FT%T.%6NZ))"
  ip netns exec "$ROUTER" iptables-save -c | grep -v '^#'
} >"$CAP/iptables-save-c.v4"
{
  echo "# ip netns exec $ROUTER ip6tables-save -c, at the end of the scenario ($(date -u +%FT%T.%6NZ))"
  ip netns exec "$ROUTER" ip6tables-save -c | grep -v '^#'
} >"$CAP/iptables-save-c.v6"
{
  echo "# /proc/net/xt_recent/MOBILE in $ROUTER at $(date -u +%FT%T.%6NZ); last_seen in jiffies, see README"
  ip netns exec "$ROUTER" cat /proc/net/xt_recent/MOBILE
} >"$CAP/xt_recent-MOBILE.txt"

# mobilessh's own evidence format, when the CLI has it (ingest reads these files).
if "$ROOT/bin/mobilessh" rules --help 2>/dev/null | grep -qE '^ +snapshot( |$)'; then
  "$ROOT/bin/mobilessh" rules snapshot --netns "$ROUTER" --out "$CAP/rules-snapshot.txt" 9>&- >/dev/null \
    || die "rules snapshot failed"
fi

# The same moment for both dmesg views; cut at this run's marker, keep this topology's lines only.
dmesg --time-format iso >"$TMP/dmesg-iso.all"
dmesg >"$TMP/dmesg-raw.all"
"$PY" - "$TMP" <<'EOF' >"$CAP/dmesg-boot-time.txt"
import sys, time
from datetime import datetime, timezone
wall = time.clock_gettime(time.CLOCK_REALTIME)
boot = time.clock_gettime(time.CLOCK_BOOTTIME)
mono = time.clock_gettime(time.CLOCK_MONOTONIC)
btime = next(int(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime "))
iso = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
print("# Boot time for dmesg-raw.log's [seconds] stamps: wall clock = boot_time + seconds.")
print("# boot_time = CLOCK_REALTIME - CLOCK_BOOTTIME, read right after dmesg (what dmesg --time-format iso uses).")
print("boot_time_utc=%s" % iso(wall - boot))
print("boot_time_epoch=%.6f" % (wall - boot))
print("monotonic_boot_time_epoch=%.6f" % (wall - mono))
print("proc_stat_btime=%d" % btime)
EOF
cut_after_marker() { # file -> lines after the run's start marker that name an mshs- interface
  awk -v m="$RUN_ID start" 'found && /mshs-/ { print } index($0, m) { found = 1 }' "$1"
}
cut_after_marker "$TMP/dmesg-iso.all" >"$CAP/dmesg-iso.log"
cut_after_marker "$TMP/dmesg-raw.all" >"$CAP/dmesg-raw.log"

# --- 8. stop the capture, collect ----------------------------------------------------------------------
logger --socket "$TMP/log.sock" -t msh-scenario "capture end"
sleep 0.5
for pid in "${PIDS[@]}"; do
  kill -TERM "$pid" 2>/dev/null || true
done
for pid in "${PIDS[@]}"; do
  wait "$pid" 2>/dev/null || true
done
PIDS=()
if [[ ! -s $CAP/ulogd-json.log ]]; then
  ULOGD_STATUS="$ULOGD_STATUS; wrote nothing: $(tr '\n' ' ' <"$TMP/ulogd-status.log" 2>/dev/null)"
  rm -f "$CAP/ulogd-json.log"
fi
echo "$ULOGD_STATUS" >"$TMP/ulogd-status.txt"

mkdir -p "$OUT"
for f in kern.log kern.log.1 syslog syslog.1 kern-rfc3339.log conntrack-extended.log conntrack.log \
  ulogd-json.log dmesg-iso.log dmesg-raw.log dmesg-boot-time.txt iptables-save-c.v4 iptables-save-c.v6 \
  xt_recent-MOBILE.txt rules-snapshot.txt; do
  if [[ -f $CAP/$f ]]; then
    cp "$CAP/$f" "$OUT/$f"
  else
    rm -f "$OUT/$f"
    log "not captured: $f"
  fi
done
cp "$TMP/ground-truth.jsonl" "$TMP/scenario.md" "$OUT/"

# --- 9. check the capture against the ground truth ----------------------------------------------------
"$PY" "$TOOLS/check.py" --dir "$OUT" --ulogd-status "$TMP/ulogd-status.txt" || die "the capture failed its checks (see above)"
[[ $SCEN_RC -eq 0 ]] || die "the scenario reported problems (exit $SCEN_RC); see scenario.md"
log "done: outputs in $OUT"
