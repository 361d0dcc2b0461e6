#!/usr/bin/env bash
# The outputs a performance change of the read side must leave byte-identical (NOT a test): every
# audit command's output, cold and warm, on a fresh copy of a big index, and the sample month's
# JSON, CSV, `who` and report PDF + HTML. Run it for the jar before and the jar after a change,
# then compare the two directories:
#   bench/audit-outputs.sh BIG-INDEX OUTDIR            (MOBILESSH_JAR=path.jar selects the jar)
#   for f in BASE/*; do case $f in *.err) continue;; esac; cmp "$f" "NEW/${f##*/}"; done
# BIG-INDEX is read-only here (copied to OUTDIR/ix, removed at the end); the hosts and address
# below are those of bench/audit.sh's BIG=10 index (router1-1 .. router1-10). The report prints
# the path of its index, so the sample index is always made at the same path, OUTDIR-independent
# (SAMPLE_INDEX, default /tmp/mobilessh-audit-outputs-sample; a lock keeps two runs apart).
# ~3-4 min on 10 M events. Needs a built jar (mvn -B -DskipTests package).
set -u
big=${1:?usage: bench/audit-outputs.sh BIG-INDEX OUTDIR}
out=${2:?usage: bench/audit-outputs.sh BIG-INDEX OUTDIR}
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
msh=$root/bin/mobilessh
mkdir -p "$out" && rm -f "$out"/*
run() {
  name=$1
  shift
  "$msh" "$@" > "$out/$name" 2> "$out/$name.err"
  echo "rc=$?" >> "$out/$name.rc"
}
ix=$out/ix
rm -rf "$ix" && cp -r "$big" "$ix" && rm -rf "$ix/mobilessh-audit-cache" "$ix/mobilessh-report-cache"
run w-cold.csv windows --index "$ix" --month 2026-10 --format csv
run w-warm.csv windows --index "$ix" --month 2026-10 --format csv
# printed rows are kept on a form's second use: w-warm.csv printed them from the entries and kept
# them, this run copies them (compare it with w-cold.csv too: an older base has no such file)
run w-warm2.csv windows --index "$ix" --month 2026-10 --format csv
run w-r3.json windows --index "$ix" --month 2026-10 --host router1-3 --format json
run w-r3.table windows --index "$ix" --month 2026-10 --host router1-3
run s.csv sessions --index "$ix" --month 2026-10 --format csv
run s-r2.json sessions --index "$ix" --month 2026-10 --host router1-2 --format json
run r-r1.csv rejects --index "$ix" --month 2026-10 --host router1-1 --format csv
run r-r4.json rejects --index "$ix" --month 2026-10 --host router1-4 --format json --ip 203.0.113.0/24
run a.json anomalies --index "$ix" --month 2026-10 --format json
run w-nc.csv windows --index "$ix" --month 2026-10 --host router1-5 --format csv --no-cache
run tl.csv timeline --index "$ix" --host router1-6 --month 2026-10 --format csv 203.0.113.54
rm -rf "$ix"
sx=${SAMPLE_INDEX:-/tmp/mobilessh-audit-outputs-sample}
exec 9> "$sx.lock"
flock 9
rm -rf "$sx"
"$msh" ingest --index "$sx" --tz UTC --year 2026 "$root/sample-logs/month/router1" > /dev/null 2>&1
run sm-w.json windows --index "$sx" --month 2026-10 --format json
run sm-s.csv sessions --index "$sx" --month 2026-10 --format csv
run sm-a.json anomalies --index "$sx" --month 2026-10 --format json
run sm-who.txt who --index "$sx" --at 2026-10-14T09:30:00Z
"$msh" report --index "$sx" --month 2026-10 --out "$out/sm-report.pdf" > /dev/null 2> "$out/sm-report.err"
"$msh" report --index "$sx" --month 2026-10 --out "$out/sm-report.html" > /dev/null 2> "$out/sm-report-html.err"
rm -rf "$sx"
flock -u 9
echo "outputs in $out" >&2
