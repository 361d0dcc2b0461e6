#!/usr/bin/env bash
# Benchmarks for the ingest pipeline (NOT a test): generates ~1,000,000 kernel LOG lines with the
# simulator, then times, in this one run and on the same page-cached file, the baselines (wc -l,
# grep -c, awk field split, zcat of a gzip -1 copy), the parse stage alone (bench/ParseBench.java),
# `mobilessh ingest` into a fresh index with -Xmx256m (if that command exists) and fwlogwatch.
# Prints medians of REPS repetitions and a markdown table for docs/performance-log.md.
#
#   bench/run.sh [WORKDIR]          default WORKDIR: target/bench
#   REPS=5 SLOW_REPS=3 SCALE=large MOBILESSH_JAR=path/to/mobilessh.jar bench/run.sh
#   BIG=10 bench/run.sh             also ingest 10 copies (~10 M lines, 2.6 GB) with -Xmx256m
#   MONTH=/work/benchdata/kern-month.log BIGDIR=/work/benchdata BIG=10 bench/run.sh
#                                   use an existing month file (no simulate) and existing copies
#                                   BIGDIR/big-rK.log (read only) instead of writing them
#
# Needs: a built jar (mvn -B -DskipTests package), java 17+, gzip, awk, GNU time (/usr/bin/time)
# for peak memory, and optionally fwlogwatch (apt-get install fwlogwatch).
set -euo pipefail

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
work=${1:-$root/target/bench}
reps=${REPS:-5}
slow_reps=${SLOW_REPS:-3}
scale=${SCALE:-large}
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
results="$work/results.tsv"
: > "$results"

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# time_cmd NAME REPS CMD... : runs CMD REPS times (stdout discarded), records the median wall time
time_cmd() {
  local name=$1 n=$2; shift 2
  local times=()
  for ((i = 1; i <= n; i++)); do
    local t0 t1
    t0=$(now)
    # not /dev/null: GNU grep notices it and stops at the first match
    "$@" > "$work/out.tmp" || true
    t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  local m
  m=$(printf '%s\n' "${times[@]}" | median)
  printf '%s\t%s\t%s\n' "$name" "$m" "${times[*]}" | tee -a "$results"
}

echo "== machine"
echo "nproc $(nproc); $(java -version 2>&1 | head -1); kernel $(uname -r)"
grep -m1 'model name' /proc/cpuinfo || true
free -g | head -2

file="$work/kern-month.log"
if [ -n "${MONTH:-}" ]; then
  file=$MONTH
  [ -f "$work/month.gz" ] && [ "$work/month.gz" -nt "$file" ] || gzip -1 -c "$file" > "$work/month.gz"
fi
echo "== simulate (--scale $scale)"
sim="$work/sim"
if [ -n "${MONTH:-}" ]; then
  echo "skipped: MONTH=$MONTH"
elif [ ! -f "$sim/.done-$scale" ]; then
  rm -rf "$sim"
  t0=$(now)
  "$msh" simulate --out "$sim" --month 2026-10 --seed 1 --scale "$scale"
  t1=$(now)
  echo "simulate took $(echo "$t1 - $t0" | bc -l) s"
  touch "$sim/.done-$scale"
fi
# one traditional-format file of kernel LOG lines, oldest rotation first (as a month of kern.log)
gz="$file.gz"
[ -z "${MONTH:-}" ] || gz="$work/month.gz"
if [ -z "${MONTH:-}" ] && { [ ! -f "$file" ] || [ "$sim/.done-$scale" -nt "$file" ]; }; then
  (
    cd "$sim/router1"
    for f in $(ls kern.log.*.gz | sort -t. -k3,3nr); do zcat "$f"; done
    cat kern.log.1 kern.log
  ) > "$file"
  gzip -1 -c "$file" > "$file.gz"
fi
lines=$(wc -l < "$file")
bytes=$(stat -c %s "$file")
echo "file $file: $lines lines, $bytes bytes ($(stat -c %s "$gz") bytes at gzip -1)"
cat "$file" "$gz" > /dev/null # page cache

echo "== baselines ($reps repetitions, median seconds)"
time_cmd "wc -l" "$reps" wc -l "$file"
time_cmd "grep -c mobilessh-set:" "$reps" grep -c mobilessh-set: "$file"
time_cmd "zcat (gzip -1)" "$reps" zcat "$gz"
time_cmd "awk field split, count by SRC" "$reps" \
  awk '{for (i = 7; i <= NF; i++) if (substr($i, 1, 4) == "SRC=") { n[$i]++; break }} END {print length(n)}' "$file"

echo "== parse stage alone ($reps rounds inside one JVM)"
java -Xmx2g -cp "$jar" "$root/bench/ParseBench.java" "$file" "$reps" 2026 | tee "$work/parse.txt"
for mode in stream parse; do
  m=$(awk -v m="$mode" '$1 == "median" && $2 == m {print $3}' "$work/parse.txt")
  printf '%s\t%s\t%s\n' "mobilessh parse ($mode)" "$m" "-" | tee -a "$results"
done

if "$msh" ingest --help > /dev/null 2>&1; then
  echo "== mobilessh ingest into a fresh index, -Xmx256m ($slow_reps repetitions)"
  times=()
  for ((i = 1; i <= slow_reps; i++)); do
    idx="$work/index-$i"
    rm -rf "$idx"
    t0=$(now)
    MOBILESSH_JAVA_OPTS="-Xmx256m" /usr/bin/time -f "%M %U %S" -o "$work/ingest-rss-$i" \
      "$msh" ingest --index "$idx" --tz UTC --year 2026 "$file" > "$work/ingest-$i.out" 2>&1 \
      || { echo "ingest failed:"; tail -5 "$work/ingest-$i.out"; }
    t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc -l)")
    read -r rss usr sys < "$work/ingest-rss-$i"
    echo "run $i: $(echo "$t1 - $t0" | bc -l) s wall, ${usr} s user + ${sys} s sys CPU (both cores)," \
      "peak RSS $rss KiB, index $(du -sh "$idx" | cut -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
    tail -4 "$work/ingest-$i.out"
    rm -rf "$idx"
  done
  m=$(printf '%s\n' "${times[@]}" | median)
  printf '%s\t%s\t%s\n' "mobilessh ingest -Xmx256m" "$m" "${times[*]}" | tee -a "$results"
else
  echo "== mobilessh ingest: not available in this jar, skipped"
fi

if [ "${BIG:-0}" -gt 1 ] && "$msh" ingest --help > /dev/null 2>&1; then
  # BIG copies of the month, each as another router (the host name rewritten), so every line is a
  # new event for the dedupe stage; one ingest run over all of them with -Xmx256m shows whether
  # memory stays bounded (the heap is capped; RSS also counts the index files the JVM maps).
  echo "== mobilessh ingest of $BIG routers' months (~$((lines * BIG)) lines), -Xmx256m, 1 run"
  big=()
  for ((k = 1; k <= BIG; k++)); do
    f="${BIGDIR:-$work}/big-r$k.log"
    [ -f "$f" ] || [ -n "${BIGDIR:-}" ] || sed "s/^\(...............\) \([^ ]*\) kernel:/\1 \2-$k kernel:/" "$file" > "$f"
    big+=("$f")
  done
  idx="$work/index-big"
  rm -rf "$idx"
  t0=$(now)
  MOBILESSH_JAVA_OPTS="-Xmx256m -Xlog:gc:file=$work/ingest-big-gc.log" \
    /usr/bin/time -f "%M %U %S" -o "$work/ingest-big-rss" \
    "$msh" ingest --index "$idx" --tz UTC --year 2026 "${big[@]}" > "$work/ingest-big.out" 2>&1 \
    || { echo "ingest failed:"; tail -5 "$work/ingest-big.out"; }
  t1=$(now)
  read -r rss usr sys < "$work/ingest-big-rss"
  echo "$(echo "$t1 - $t0" | bc -l) s wall, ${usr} s user + ${sys} s sys CPU, peak RSS $rss KiB," \
    "index $(du -sh "$idx" | cut -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "heap after the last young collections: $(grep 'Pause Young' "$work/ingest-big-gc.log" | tail -3 | grep -o '[0-9]*M->[0-9]*M' | tr '\n' ' ')"
  # the serial collector (bin/mobilessh's choice for ingest) promotes until a full collection, so
  # the heap after the full ones is the figure that shows memory not growing with the input
  echo "heap after the last full collections: $(grep 'Pause Full' "$work/ingest-big-gc.log" | tail -3 | grep -o '[0-9]*M->[0-9]*M' | tr '\n' ' ')" \
    "($(grep -c 'Pause Young' "$work/ingest-big-gc.log") young, $(grep -c 'Pause Full' "$work/ingest-big-gc.log") full)"
  grep -E 'events indexed|duplicates' "$work/ingest-big.out"
  rm -rf "$idx"
fi

if command -v fwlogwatch > /dev/null; then
  # summary report with start and end times (as in docs/performance.md). fwlogwatch keeps its
  # entries in a list: time grows faster than linearly with distinct sources, so it also runs on
  # the first 10,000 and 100,000 lines (with mobilessh parse on the same slices), and the whole
  # file is cut off after FW_TIMEOUT seconds (the table then shows that bound).
  for n in 10000 100000; do
    head -n "$n" "$file" > "$work/head-$n.log"
    echo "== fwlogwatch, first $n lines ($slow_reps repetitions)"
    time_cmd "fwlogwatch -t -e, first $n lines" "$slow_reps" fwlogwatch -t -e "$work/head-$n.log"
    java -Xmx1g -cp "$jar" "$root/bench/ParseBench.java" "$work/head-$n.log" "$reps" 2026 \
      > "$work/parse-$n.txt"
    m=$(awk '$1 == "median" && $2 == "stream" {print $3}' "$work/parse-$n.txt")
    printf '%s\t%s\t%s\n' "mobilessh parse (stream), first $n lines" "$m" "-" | tee -a "$results"
  done
  echo "== fwlogwatch, whole file (1 run, cut off after ${FW_TIMEOUT:-900} s)"
  time_cmd "fwlogwatch -t -e" 1 timeout "${FW_TIMEOUT:-900}" fwlogwatch -t -e "$file"
  head -4 "$work/out.tmp"
  # the ratio the issue asks for: fwlogwatch's wall time over mobilessh's on the same lines (a
  # lower bound when fwlogwatch was cut off)
  fw=$(awk -F'\t' '$1 == "fwlogwatch -t -e" {print $2}' "$results")
  ing=$(awk -F'\t' '$1 == "mobilessh ingest -Xmx256m" {print $2}' "$results")
  if [ -n "$fw" ] && [ -n "$ing" ]; then
    printf 'ratio: fwlogwatch -t -e (%.1f s%s) / mobilessh ingest (%.1f s) = %.1f\n' "$fw" \
      "$(awk -v f="$fw" -v t="${FW_TIMEOUT:-900}" 'BEGIN {if (f >= t) print ", cut off"}')" "$ing" \
      "$(echo "$fw / $ing" | bc -l)" | tee -a "$work/ratio.txt"
  fi
  for n in 10000 100000; do
    fw=$(awk -F'\t' -v k="fwlogwatch -t -e, first $n lines" '$1 == k {print $2}' "$results")
    pm=$(awk -F'\t' -v k="mobilessh parse (stream), first $n lines" '$1 == k {print $2}' "$results")
    [ -n "$fw" ] && [ -n "$pm" ] && printf 'ratio, first %s lines: fwlogwatch %.3f s / mobilessh parse %.3f s = %.0f\n' \
      "$n" "$fw" "$pm" "$(echo "$fw / $pm" | bc -l)" | tee -a "$work/ratio.txt"
  done
else
  echo "== fwlogwatch: not installed, skipped"
fi

echo "== summary ($lines lines, $bytes bytes)"
printf '| tool | median wall (s) | lines/s |\n|---|---|---|\n'
while IFS=$'\t' read -r name m _; do
  [ -z "$m" ] && continue
  n=$lines
  case $name in *"first 10000 lines"*) n=10000 ;; *"first 100000 lines"*) n=100000 ;; esac
  printf '| %s | %.3f | %.0f |\n' "$name" "$m" "$(echo "$n / $m" | bc -l)"
done < "$results"
