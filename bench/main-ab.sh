#!/bin/sh
# The ingest reading thread's own work for two (or more) jars in one JVM, alternated:
#   bench/main-ab.sh FILE ROUNDS JAR1 JAR2...
# e.g. bench/main-ab.sh /work/benchdata/kern-month.log 14 /tmp/s9/base.jar target/mobilessh-*.jar
# (a traditional-syslog file; the launcher's JIT flags for ingest; CPU-s of the thread per pass)
set -e
here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
file=$1; rounds=$2; shift 2
out=$(mktemp -d "${TMPDIR:-/tmp}/mobilessh-mainloop.XXXXXX")
trap 'rm -rf "$out"' EXIT
javac -nowarn -d "$out" -cp "$1" $(find "$here/bench/mainloop" -name '*.java')
java -Xmx3g -XX:+UseSerialGC -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000 \
  "$here/bench/MainBench.java" "$out" "$file" "$rounds" "$@"
