#!/usr/bin/env bash
# bench/migrate.sh: the `migrate` benchmark, migrate-cli against `sqlx migrate run` (sqlx-cli).
#
# For each dialect (PostgreSQL, SQLite), bench/migrations.py writes a folder of COUNT (default
# 1000) small migrations in this project's layout; then, RUNS times, each tool
#   apply   applies the whole folder to a fresh database
#   no-op   runs again on that database (everything applied; nothing to do)
# on a database of its own: PostgreSQL, a database with a random name created with createdb on
# 127.0.0.1:5432 (user postgres) and dropped afterwards; SQLite, a new file (`?mode=rwc`, so
# both tools create it). The order of the two tools alternates from run to run.
# Each command is timed by a nanosecond clock around `/usr/bin/time -v` (peak RSS, CPU time).
#
# Before the runs, `migrate-cli check` checks each folder (journal, snapshot chain, source).
# After every command the database is checked, so a fast but wrong run does not pass:
# `_sqlx_migrations` has exactly COUNT rows, all with success = true; the tables, columns and
# indexes the folder creates are all there; and the rows (version, description, checksum,
# success) are the same for every run of both tools.
#
# The tools:
#   migrate-cli  target/release/migrate-cli (`cargo build --release -p migrate-cli`; never built
#                here), `migrate --config <dir>/migrate.toml --url <url>`
#   sqlx-cli     `sqlx` on PATH or in ~/.cargo/bin
#                (`cargo install sqlx-cli --no-default-features --features postgres,sqlite,rustls --locked`),
#                `sqlx migrate run --source <dir>/migrations --database-url <url>`
# Both run from the folder's parent directory with DATABASE_URL unset.
#
# Usage: bash bench/migrate.sh
# Environment: COUNT (default 1000), RUNS (default 5), DIALECTS (default "postgres sqlite"),
# TOOLS (default "migrate-cli sqlx-cli"), MIGRATE_CLI, SQLX (paths of the binaries),
# MIGRATE_CLI_REV (the commit the binary was built from; default: this checkout's),
# PGHOST / PGPORT / PGUSER (default 127.0.0.1 / 5432 / postgres), PG_SSLMODE (default disable:
# sqlx-cli built with rustls negotiates TLS when the server offers it, migrate-cli has no TLS, so
# by default both speak plain TCP; PG_SSLMODE= (empty) leaves sslmode out of the URL).
# Output: the markdown table on stdout, also in bench/out/migrate/results.md; logs, the rows of
# `_sqlx_migrations` and the checks in bench/out/migrate/logs/. Exits 1 if any check failed.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT="$BENCH/out/migrate"
LOGS="$OUT/logs"
COUNT=${COUNT:-1000}
RUNS=${RUNS:-5}
DIALECTS=${DIALECTS:-"postgres sqlite"}
TOOLS=${TOOLS:-"migrate-cli sqlx-cli"}
MIGRATE_CLI=${MIGRATE_CLI:-"$ROOT/target/release/migrate-cli"}
SQLX=${SQLX:-$(command -v sqlx || echo "$HOME/.cargo/bin/sqlx")}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
PG_SSLMODE=${PG_SSLMODE-disable}
unset DATABASE_URL
PHASES=(apply noop)

log() { echo "$*" >&2; }
die() { log "error: $*"; exit 2; }

# --- prerequisites -------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
for tool in $TOOLS; do
    case $tool in
        migrate-cli) [ -x "$MIGRATE_CLI" ] || die "$MIGRATE_CLI not found (cargo build --release -p migrate-cli)" ;;
        sqlx-cli) [ -x "$SQLX" ] || die "sqlx not found (cargo install sqlx-cli --no-default-features --features postgres,sqlite,rustls --locked)" ;;
        *) die "unknown tool $tool" ;;
    esac
done
for dialect in $DIALECTS; do
    case $dialect in
        postgres) command -v psql >/dev/null && command -v createdb >/dev/null || die "psql and createdb are needed"
                  psql -X -q -At -d postgres -c 'SELECT 1' >/dev/null || die "no PostgreSQL at $PGUSER@$PGHOST:$PGPORT" ;;
        sqlite) command -v sqlite3 >/dev/null || die "sqlite3 is needed (apt-get install sqlite3)" ;;
        *) die "unknown dialect $dialect" ;;
    esac
done

rm -rf "$OUT"
mkdir -p "$LOGS"

# Databases created by this script, dropped on exit whatever happens.
CREATED=()
cleanup() {
    for db in "${CREATED[@]}"; do dropdb --if-exists "$db" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- one timed run -------------------------------------------------------------------------------
# measure TOOL DIALECT PHASE RUN DIR CMD...: runs CMD in DIR, appends
# "tool dialect phase run wall_s rss_kb rc cpu_s" to $RESULTS; returns CMD's exit code.
RESULTS="$LOGS/results.tsv"
: >"$RESULTS"
measure() {
    local tool=$1 dialect=$2 phase=$3 run=$4 dir=$5
    shift 5
    local base="$LOGS/$tool.$dialect.$phase.$run"
    local start end rc=0
    start=$(date +%s%N)
    (cd "$dir" && /usr/bin/time -v -o "$base.time" "$@" </dev/null >"$base.log" 2>&1) || rc=$?
    end=$(date +%s%N)
    local rss cpu
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
    cpu=$(awk -F': ' '/(User|System) time/ {t += $2} END {printf "%.2f", t}' "$base.time")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$dialect" "$phase" "$run" \
        "$(awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e9}')" "${rss:-0}" "$rc" "$cpu" \
        >>"$RESULTS"
    if [ "$rc" -ne 0 ]; then log "$tool $dialect $phase run $run: exit $rc (see $base.log)"; fi
    return "$rc"
}

# --- checks --------------------------------------------------------------------------------------
# What the folder creates: one table per four migrations (3 columns, 1 index), then a column per
# migration.
TABLES=$(((COUNT + 3) / 4))
COLUMNS=$((3 * TABLES + COUNT - TABLES))

# sql DIALECT DB QUERY: one query, unaligned output, `|` between fields.
sql() {
    case $1 in
        postgres) psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -c "$3" ;;
        sqlite) sqlite3 -bail "$2" "$3" ;;
    esac
}

# rows DIALECT DB: `_sqlx_migrations` as "version|description|checksum hex|success", sorted.
rows() {
    case $1 in
        postgres) sql postgres "$2" "SELECT version, description, encode(checksum, 'hex'), success::int FROM _sqlx_migrations ORDER BY version" ;;
        sqlite) sql sqlite "$2" "SELECT version, description, lower(hex(checksum)), success FROM _sqlx_migrations ORDER BY version" ;;
    esac
}

# objects DIALECT DB: "tables|columns|indexes" of the benchmark's tables.
objects() {
    case $1 in
        postgres) sql postgres "$2" "SELECT
            (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'),
            (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 't%'),
            (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE '%\_name\_idx')" ;;
        sqlite) sql sqlite "$2" "SELECT
            (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't%'),
            (SELECT count(*) FROM sqlite_master m, pragma_table_info(m.name) WHERE m.type = 'table' AND m.name LIKE 't%'),
            (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%\_name\_idx' ESCAPE '\')" ;;
    esac
}

# check TOOL DIALECT PHASE RUN DB: prints "ok" or what is wrong; keeps it in $LOGS/checks.txt.
REFERENCE=""
check() {
    local tool=$1 dialect=$2 phase=$3 run=$4 db=$5 problems=()
    local file="$LOGS/$tool.$dialect.$phase.$run.rows"
    if ! rows "$dialect" "$db" >"$file" 2>"$file.err"; then
        problems+=("cannot read _sqlx_migrations: $(head -c 200 "$file.err")")
    else
        local n failed
        n=$(wc -l <"$file")
        failed=$(awk -F'|' '$4 != 1' "$file" | wc -l)
        [ "$n" -eq "$COUNT" ] || problems+=("$n rows in _sqlx_migrations, expected $COUNT")
        [ "$failed" -eq 0 ] || problems+=("$failed rows with success = false")
        if [ -z "$REFERENCE" ]; then
            REFERENCE=$file
        elif ! cmp -s "$REFERENCE" "$file"; then
            problems+=("rows differ from $(basename "$REFERENCE") (version, description, checksum, success): $(diff "$REFERENCE" "$file" | grep -c '^[<>]') lines")
        fi
    fi
    local got want="$TABLES|$COLUMNS|$TABLES"
    got=$(objects "$dialect" "$db" 2>&1 || true)
    [ "$got" = "$want" ] || problems+=("tables|columns|indexes $got, expected $want")
    local verdict=ok
    if [ "${#problems[@]}" -gt 0 ]; then verdict="FAIL: $(IFS=';'; echo "${problems[*]}")"; fi
    echo "$tool $dialect $phase $run: $verdict" >>"$LOGS/checks.txt"
    echo "$verdict"
}

# --- the runs ------------------------------------------------------------------------------------
declare -A CHECK
FAILED=0
note() { # note TOOL DIALECT PHASE VERDICT: keep the first verdict, or any failure
    local key=$1.$2.$3
    if [ -z "${CHECK[$key]:-}" ] || [ "${CHECK[$key]}" = ok ]; then CHECK[$key]=$4; fi
    if [ "$4" != ok ]; then FAILED=1; log "$1 $2 $3: $4"; fi
}

run_tool() { # run_tool TOOL DIALECT RUN DIR
    local tool=$1 dialect=$2 run=$3 dir=$4 db url
    case $dialect in
        postgres)
            db="bench_migrate_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
            createdb "$db"
            CREATED+=("$db")
            url="postgres://$PGUSER@$PGHOST:$PGPORT/$db${PG_SSLMODE:+?sslmode=$PG_SSLMODE}" ;;
        sqlite)
            db="$OUT/db/$tool.$run.db"
            mkdir -p "$OUT/db"
            rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
            url="sqlite://$db?mode=rwc" ;;
    esac
    local cmd
    case $tool in
        migrate-cli) cmd=("$MIGRATE_CLI" migrate --config "$dir/migrate.toml" --url "$url") ;;
        sqlx-cli) cmd=("$SQLX" migrate run --source "$dir/migrations" --database-url "$url") ;;
    esac
    for phase in "${PHASES[@]}"; do
        log "$dialect $tool $phase run $run/$RUNS"
        local verdict
        if measure "$tool" "$dialect" "$phase" "$run" "$dir" "${cmd[@]}"; then
            verdict=$(check "$tool" "$dialect" "$phase" "$run" "$db")
        else
            verdict="FAIL: exit code (see $LOGS/$tool.$dialect.$phase.$run.log)"
        fi
        note "$tool" "$dialect" "$phase" "$verdict"
    done
    if [ "$dialect" = postgres ]; then dropdb "$db"; else rm -f "$db"; fi
}

VERSIONS=""
for tool in $TOOLS; do
    case $tool in
        migrate-cli) VERSIONS+="migrate-cli ${MIGRATE_CLI_REV:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')}; " ;;
        sqlx-cli) VERSIONS+="$("$SQLX" --version); " ;;
    esac
done
PG_VERSION=$(psql -X -At -d postgres -c 'SHOW server_version' 2>/dev/null || echo '?')
FOLDER_CHECK=""
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for dialect in $DIALECTS; do
    dir="$OUT/$dialect"
    python3 "$BENCH/migrations.py" --count "$COUNT" --dialect "$dialect" --out "$dir/migrations" >&2
    # The folder itself must be valid: journal, snapshot chain and ids, and the source beside it.
    if [ -x "$MIGRATE_CLI" ] &&
       "$MIGRATE_CLI" check --config "$dir/migrate.toml" >"$LOGS/check.$dialect.log" 2>&1; then
        FOLDER_CHECK+="$dialect: $(tail -n 1 "$LOGS/check.$dialect.log"); "
    else
        FOLDER_CHECK+="$dialect: FAIL (see $LOGS/check.$dialect.log); "
        FAILED=1
    fi
    REFERENCE=""
    read -r -a tools <<<"$TOOLS"
    for run in $(seq 1 "$RUNS"); do
        order=("${tools[@]}")
        if [ $((run % 2)) -eq 0 ]; then # alternate the order: reversed on even runs
            order=()
            for ((i = ${#tools[@]} - 1; i >= 0; i--)); do order+=("${tools[i]}"); done
        fi
        for tool in "${order[@]}"; do run_tool "$tool" "$dialect" "$run" "$dir"; done
    done
done

# --- report --------------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {if (NR) printf "%.3f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2}'; }
{
    echo "$COUNT migrations, $RUNS runs per tool, $(date -u +%Y-%m-%dT%H:%MZ); ${VERSIONS%; }; PostgreSQL $PG_VERSION, SQLite $(sqlite3 --version | cut -d' ' -f1) (CLI used for the checks)."
    echo "PostgreSQL URLs: postgres://$PGUSER@$PGHOST:$PGPORT/<fresh database>${PG_SSLMODE:+?sslmode=$PG_SSLMODE}; SQLite URLs: sqlite://<fresh file>?mode=rwc."
    echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)."
    echo
    echo "The folders, by \`migrate-cli check\`: ${FOLDER_CHECK%; }."
    echo
    echo "Load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| database | phase | tool | wall s (median) | wall s (min–max) | CPU s (median) | max RSS MB (median) | exit codes | check |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
    for dialect in $DIALECTS; do
        for phase in "${PHASES[@]}"; do
            for tool in $TOOLS; do
                rows=$(awk -F'\t' -v t="$tool" -v d="$dialect" -v p="$phase" '$1 == t && $2 == d && $3 == p' "$RESULTS")
                [ -n "$rows" ] || continue
                wall=$(cut -f5 <<<"$rows" | median)
                range=$(cut -f5 <<<"$rows" | sort -g | awk 'NR == 1 {lo = $1} END {print lo "–" $1}')
                cpu=$(cut -f8 <<<"$rows" | median | awk '{printf "%.2f", $1}')
                rss=$(cut -f6 <<<"$rows" | median | awk '{printf "%.1f", $1 / 1024}')
                codes=$(cut -f7 <<<"$rows" | sort -u | paste -sd, -)
                label=$phase
                [ "$phase" = noop ] && label="no-op"
                echo "| $dialect | $label | $tool | $wall | $range | $cpu | $rss | $codes | ${CHECK[$tool.$dialect.$phase]:-} |"
            done
        done
    done
    # The two tools of one run go back to back, so the ratio of a run's pair is less disturbed
    # by the load of the moment than either median.
    read -r -a tools <<<"$TOOLS"
    if [ "${#tools[@]}" -eq 2 ]; then
        echo
        echo "${tools[0]} / ${tools[1]}, wall time of the same run, median of the $RUNS runs (min–max):"
        for dialect in $DIALECTS; do
            for phase in "${PHASES[@]}"; do
                ratios=$(awk -F'\t' -v a="${tools[0]}" -v b="${tools[1]}" -v d="$dialect" -v p="$phase" '
                    $2 == d && $3 == p && $1 == a {x[$4] = $5}
                    $2 == d && $3 == p && $1 == b {y[$4] = $5}
                    END {for (r in x) if ((r in y) && y[r] > 0) printf "%.3f\n", x[r] / y[r]}' "$RESULTS")
                [ -n "$ratios" ] || continue
                label=$phase
                [ "$phase" = noop ] && label="no-op"
                echo "- $dialect $label: $(median <<<"$ratios" | awk '{printf "%.2f", $1}')" \
                     "($(sort -g <<<"$ratios" | awk 'NR == 1 {lo = $1} END {printf "%.2f–%.2f", lo, $1}'))"
            done
        done
    fi
} | tee "$OUT/results.md"
exit "$FAILED"
