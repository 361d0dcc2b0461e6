#!/usr/bin/env bash
# Benchmarks for the READ side (NOT a test): the audit commands, search and the report over a big
# index. Builds its data once and keeps it in WORKDIR for later runs (never commit it):
#   WORKDIR/sim             mobilessh simulate --month 2026-10 --seed 1 --scale large (one router,
#                           1,017,249 kernel LOG lines; conntrack is not ingested here)
#   WORKDIR/kern-month.log  its kern.log rotations, oldest first (as bench/run.sh makes it)
#   WORKDIR/big-rK.log      K = 1..BIG copies with the host renamed to router1-K (a router each)
#   WORKDIR/index-big-BIG   one `mobilessh ingest` of all copies (BIG=10: 10,172,470 events)
# Then it times, each as its own process (REPS runs, median; wall, user+sys CPU-s and peak RSS from
# GNU time; the load average beside each):
#   windows --month 2026-10 (all routers, and --host router1-1), sessions --month 2026-10,
#   rejects --month 2026-10 --format csv, search one address, search one CIDR (SEARCH_REPS runs:
#   these include JVM start), report --month 2026-10 with -Xmx512m (peak RSS);
# and inside one warm JVM (bench/ReadBench.java): the two searches (median of SEARCH_REPS runs after
# 5 warm-up runs) and the read alone (every event in time order, re-parsed, nothing kept).
# Audit commands run with -Xmx$HEAP (default 512m: the streaming engine holds what is open, not
# the period) and are cut off after TIMEOUT seconds (the table then says so). The REPS runs of a
# command share the index's results cache (INDEX/mobilessh-audit-cache): the first is cold, the
# rest warm (with REPS >= 3 the median is a warm figure); for cold figures remove it before each
# run (docs/performance.md, "How to reproduce"). In one warm JVM:
#   java -cp JAR bench/ReadBench.java INDEX stream 2026-10 [HOST|-] [ROUNDS]
#
#   bench/audit.sh [WORKDIR]                 default target/bench-audit
#   BIG=10 REPS=3 SEARCH_REPS=21 HEAP=512m TIMEOUT=900 MOBILESSH_JAR=path.jar bench/audit.sh DIR
#   ONLY="search windows-host" bench/audit.sh DIR    run only these steps (names as printed)
#
# Needs: a built jar (mvn -B -DskipTests package), java 17+, GNU time (/usr/bin/time).
set -euo pipefail

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
work=${1:-$root/target/bench-audit}
big=${BIG:-10}
reps=${REPS:-3}
search_reps=${SEARCH_REPS:-21}
heap=${HEAP:-512m}
timeout_s=${TIMEOUT:-900}
month=2026-10
jar=${MOBILESSH_JAR:-}
if [ -z "$jar" ]; then
  for c in "$root"/target/mobilessh-*.jar; do
    case $c in *original-*) continue ;; esac
    [ -f "$c" ] && jar=$c && break
  done
fi
[ -n "$jar" ] && [ -f "$jar" ] || { echo "bench: no jar; run mvn -B -DskipTests package" >&2; exit 1; }
export MOBILESSH_JAR=$jar
msh="$root/bin/mobilessh"
mkdir -p "$work"
results="$work/audit-results.tsv"
: > "$results"

want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# run NAME N JAVA_OPTS CMD... : N runs of CMD (stdout to a file), median wall and CPU, max RSS
run() {
  local name=$1 n=$2 opts=$3; shift 3
  local walls=() cpus=() rss=0 rc=0 loads=()
  for ((i = 1; i <= n; i++)); do
    loads+=("$(load)")
    rc=0
    MOBILESSH_JAVA_OPTS="$opts" /usr/bin/time -f "%e %U %S %M" -o "$work/time.tmp" \
      timeout "$timeout_s" "$@" > "$work/out.tmp" 2> "$work/err.tmp" || rc=$?
    read -r w u s m < <(tail -1 "$work/time.tmp")
    walls+=("$w")
    cpus+=("$(echo "$u + $s" | bc -l)")
    [ "$m" -gt "$rss" ] && rss=$m
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
      echo "  run $i: exit $rc after $w s: $( (grep -m2 -E 'Error|Exception|mobilessh' "$work/err.tmp" || tail -2 "$work/err.tmp") | tr '\n' ' ' | cut -c1-300)"
      [ "$rc" -eq 124 ] && echo "  (cut off after $timeout_s s)"
      break
    fi
  done
  local mw mc
  mw=$(printf '%s\n' "${walls[@]}" | median)
  mc=$(printf '%s\n' "${cpus[@]}" | median)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mw" "$mc" "$((rss / 1024))" "$rc" \
    "$(wc -l < "$work/out.tmp")" "${loads[0]}" | tee -a "$results"
}

echo "== machine"
echo "nproc $(nproc); $(java -version 2>&1 | head -1); kernel $(uname -r); load $(load)"
echo "jar $jar"

echo "== data (BIG=$big)"
sim="$work/sim"
file="$work/kern-month.log"
if [ ! -f "$file" ] && [ ! -f "$sim/.done-large" ]; then
  rm -rf "$sim"
  "$msh" simulate --out "$sim" --month "$month" --seed 1 --scale large
  touch "$sim/.done-large"
fi
if [ ! -f "$file" ]; then
  (
    cd "$sim/router1"
    for f in $(ls kern.log.*.gz | sort -t. -k3,3nr); do zcat "$f"; done
    cat kern.log.1 kern.log
  ) > "$file"
fi
copies=()
for ((k = 1; k <= big; k++)); do
  f="$work/big-r$k.log"
  [ -f "$f" ] || sed "s/^\(...............\) \([^ ]*\) kernel:/\1 \2-$k kernel:/" "$file" > "$f"
  copies+=("$f")
done
idx="$work/index-big-$big"
if [ ! -f "$idx.done" ]; then
  rm -rf "$idx"
  MOBILESSH_JAVA_OPTS="-Xmx256m" /usr/bin/time -f "ingest: %e s wall, %U s user, %S s sys, %M KiB" \
    "$msh" ingest --index "$idx" --tz UTC --year 2026 "${copies[@]}" | grep -E 'events indexed|rate'
  touch "$idx.done"
fi
echo "index $idx: $(du -shL "$idx" | cut -f1)"
host=$(head -1 "$work/big-r1.log" | awk '{print $4}')
addr=203.0.113.54 # a phone of the simulated month (~1,900 events per router)
cidr=2001:db8::/32 # every IPv6 event (~31 %)

echo "== per process (name, median wall s, median user+sys CPU s, peak RSS MB, exit, output lines, load)"
want windows && run "windows --month $month (all routers)" "$reps" "-Xmx$heap" \
  "$msh" windows --index "$idx" --month "$month" --format csv
want windows-host && run "windows --month $month --host $host" "$reps" "-Xmx$heap" \
  "$msh" windows --index "$idx" --month "$month" --host "$host" --format csv
want sessions && run "sessions --month $month" "$reps" "-Xmx$heap" \
  "$msh" sessions --index "$idx" --month "$month" --format csv
want rejects && run "rejects --month $month --format csv" "$reps" "-Xmx$heap" \
  "$msh" rejects --index "$idx" --month "$month" --format csv
want search && run "search src:$addr (CLI, JVM start included)" "$search_reps" "" \
  "$msh" search --index "$idx" "src:$addr"
want search && run "search src:$cidr (CLI, JVM start included)" "$search_reps" "" \
  "$msh" search --index "$idx" "src:$cidr"
want report && run "report --month $month -Xmx512m" 1 "-Xmx512m" \
  "$msh" report --index "$idx" --month "$month" --out "$work/report.pdf"

echo "== in one warm JVM (bench/ReadBench.java)"
if want search-jvm; then
  java -Xmx1g -cp "$jar" "$root/bench/ReadBench.java" "$idx" search "$search_reps" "src:$addr"
  java -Xmx1g -cp "$jar" "$root/bench/ReadBench.java" "$idx" search "$search_reps" "src:$cidr"
fi
if want scan; then
  java -Xmx1g -cp "$jar" "$root/bench/ReadBench.java" "$idx" scan 3
fi
echo "load at the end: $(load)"
