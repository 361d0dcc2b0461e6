#!/usr/bin/env bash
# The idle check of the read side (NOT a test): a base jar and a new jar alternated in the same
# minutes, so both meet the same host. Cold all-router `windows --month 2026-10 --format csv` on a
# fresh copy of BIG-INDEX each (base, new, new, base) with the CPU-s of every thread
# (bench/thread-cpu.py), the new jar's warm run twice, then each jar's first `report --month` on a
# fresh copy; the cold CSVs and the PDFs are compared with cmp. One line per run on stdout.
#   bench/cold-pairs.sh BIG-INDEX BASE-JAR NEW-JAR [WORKDIR]     (WORKDIR default target/cold-pairs)
# BASE_LAUNCHER=path runs the base jar with another bin/mobilessh (the launcher of its commit:
# `git show REV:bin/mobilessh > f; chmod +x f`), since the launcher's JVM flags are part of a build.
# WORKDIR holds one index copy (~1 GB + its results cache) and two CSVs (~0.9 GB each) at a time.
set -u
big=${1:?usage: bench/cold-pairs.sh BIG-INDEX BASE-JAR NEW-JAR [WORKDIR]}
base=${2:?usage}
new=${3:?usage}
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
work=${4:-$root/target/cold-pairs}
mkdir -p "$work"
launcher() { [ "$1" = base ] && echo "${BASE_LAUNCHER:-$root/bin/mobilessh}" || echo "$root/bin/mobilessh"; }
jar() { [ "$1" = base ] && echo "$base" || echo "$new"; }
fresh() { rm -rf "$work/idx" && cp -r "$big" "$work/idx" && rm -rf "$work/idx/mobilessh-audit-cache" "$work/idx/mobilessh-report-cache"; }
cold() { # base|new label
  fresh
  MOBILESSH_JAR=$(jar "$1") /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$(launcher "$1")" \
    windows --index "$work/idx" --month 2026-10 --format csv > "$work/$2.csv" 2> /dev/null &
  local pid=
  while [ -z "$pid" ] && kill -0 $! 2> /dev/null; do
    sleep 0.1
    pid=$(pgrep -f "^java.*windows --index $work/idx") || true
  done
  threads=$(python3 "$root/bench/thread-cpu.py" "$pid")
  wait
  echo "cold $2 load=$(cut -d' ' -f1 /proc/loadavg) wall/user/sys/rssKB=$(cat "$work/time.txt") | $threads"
}
warm() {
  MOBILESSH_JAR=$new /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$root/bin/mobilessh" \
    windows --index "$work/idx" --month 2026-10 --format csv > /dev/null 2>&1
  echo "warm $1 load=$(cut -d' ' -f1 /proc/loadavg) wall/user/sys/rssKB=$(cat "$work/time.txt")"
}
report() { # base|new
  fresh
  MOBILESSH_JAR=$(jar "$1") /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$(launcher "$1")" \
    report --index "$work/idx" --month 2026-10 --out "$work/report-$1.pdf" > /dev/null 2>&1
  echo "report $1 load=$(cut -d' ' -f1 /proc/loadavg) wall/user/sys/rssKB=$(cat "$work/time.txt")"
}
cold base base1
cold new new1
cmp -s "$work/base1.csv" "$work/new1.csv" && echo "cold csv identical" || echo "COLD CSV DIFFERS"
rm -f "$work/base1.csv"
warm new1
warm new2
cold new new2
rm -f "$work/new2.csv"
cold base base2
rm -f "$work/base2.csv" "$work/new1.csv"
report base
report new
cmp -s "$work/report-base.pdf" "$work/report-new.pdf" && echo "report pdf identical" || echo "REPORT PDF DIFFERS"
rm -rf "$work/idx"
