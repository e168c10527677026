#!/usr/bin/env bash
# Benchmarks (not part of ./mvnw verify). Usage: bench/run.sh <benchmark> [-Dbench.x=… JVM options]
#   ingest      raw producer vs HTTP ingest on one embedded broker, single-event latency and its Kafka and HTTP floors; last line "ingest ratio=…"
#   ingest-jmh  JMH: cached API-key authentication, JSON → Avro (parse, validate, encode) per event
#   streams     metering topology vs pass-through EOS + dedup store on one broker and input; alert latency and its floor; last line "streams ratio=…"
#   sink        ledger sink vs raw COPY of the same rows into the same table, same run; last line "sink ratio=…"
#   hostile     a million malformed HTTP requests against ingest (-Dbench.requests=, -Dbench.seed=); last line "hostile PASS|FAIL …"
# Set BENCH_SKIP_BUILD=1 to reuse what is built (the modules the benchmark needs must be installed in ~/.m2).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MVN="$ROOT/mvnw -B -q"

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# Builds bench/<name> and the modules it needs; prints nothing but errors.
build() {
  local name="$1" modules="$2"
  if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
    (cd "$ROOT" && $MVN install -DskipTests -pl "$modules" -am)
  fi
  # clean: a constant of a module (e.g. a default) is inlined into the bench classes at compile time, and an
  # incremental build would keep the old value
  (cd "$ROOT" && $MVN -f "bench/$name/pom.xml" clean package -DskipTests)
}

classpath() {
  echo "$ROOT/bench/$1/target/classes:$(cat "$ROOT/bench/$1/target/classpath.txt")"
}

case "${1:-}" in
  ingest)
    shift
    build ingest ingest-service
    exec java -Xms1g -Xmx2g -Dapicurio.home="$ROOT/infra/target/apicurio" "$@" \
      -cp "$(classpath ingest)" io.budgetguard.bench.ingest.IngestBenchmark
    ;;
  ingest-jmh)
    shift
    build ingest ingest-service
    exec java -cp "$(classpath ingest)" org.openjdk.jmh.Main -jvmArgs "-Xmx1g" "$@" \
      'io.budgetguard.bench.ingest.jmh.*'
    ;;
  streams)
    shift
    build streams metering-streams
    exec java -Xms1g -Xmx2g "$@" -cp "$(classpath streams)" io.budgetguard.bench.streams.StreamsBenchmark
    ;;
  sink)
    shift
    build sink ledger-sink
    exec java -Xms512m -Xmx1g -Dapicurio.home="$ROOT/infra/target/apicurio" "$@" \
      -cp "$(classpath sink)" io.budgetguard.bench.sink.SinkBenchmark
    ;;
  hostile)
    shift
    build hostile ingest-service
    exec java -Xms256m -Xmx1g -Dapicurio.home="$ROOT/infra/target/apicurio" "$@" \
      -cp "$(classpath hostile)" io.budgetguard.bench.hostile.HostileBenchmark
    ;;
  *) usage;;
esac
