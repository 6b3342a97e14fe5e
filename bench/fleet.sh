#!/usr/bin/env bash
# bench/fleet.sh: the fleet benchmark, `migrate --target <fleet> --parallel N` against a shell
# loop that migrates the same databases one at a time.
#
# bench/migrations.py writes a PostgreSQL folder of COUNT (default 20) small migrations. Then,
# for each way of running, DATABASES (default 100) fresh PostgreSQL databases are created
# (createdb on 127.0.0.1:5432, user postgres), the folder is applied to all of them, every
# database is checked (`_sqlx_migrations` holds COUNT rows, all successful) and the databases
# are dropped. The ways:
#   parallel-N   migrate-cli migrate --target fleet --parallel N (N in PARALLELS, default
#                "1 4 8 16"), the databases listed in a url_file
#   cli-loop     for url in ...; do migrate-cli migrate --url "$url"; done
#   sqlx-loop    for url in ...; do sqlx migrate run --database-url "$url"; done, only when
#                sqlx-cli is installed (`sqlx` on PATH or in ~/.cargo/bin; it is not installed on
#                the machine this was written on, so the row says skipped)
# Each is timed by a nanosecond clock around the whole run.
#
# Usage: bash bench/fleet.sh
# Environment: DATABASES (default 100), COUNT (default 20), PARALLELS (default "1 4 8 16"),
# MIGRATE_CLI (default target/release/migrate-cli; `cargo build --release -p migrate-cli`,
# never built here), SQLX, PGHOST / PGPORT / PGUSER (default 127.0.0.1 / 5432 / postgres).
# Output: a markdown table on stdout, also in bench/out/fleet/results.md; logs in
# bench/out/fleet/logs/. Exits 1 if any check failed. The databases are dropped on exit.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT="$BENCH/out/fleet"
LOGS="$OUT/logs"
DATABASES=${DATABASES:-100}
COUNT=${COUNT:-20}
PARALLELS=${PARALLELS:-"1 4 8 16"}
MIGRATE_CLI=${MIGRATE_CLI:-"$ROOT/target/release/migrate-cli"}
SQLX=${SQLX:-$(command -v sqlx || echo "$HOME/.cargo/bin/sqlx")}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
unset DATABASE_URL
PREFIX="fleet_bench_$$"

log() { echo "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ -x "$MIGRATE_CLI" ] || die "$MIGRATE_CLI not found: cargo build --release -p migrate-cli (or set MIGRATE_CLI)"
psql -Atqc "SELECT 1" postgres >/dev/null || die "no PostgreSQL at $PGHOST:$PGPORT (user $PGUSER)"

rm -rf "$OUT" && mkdir -p "$LOGS"
WORK=$(mktemp -d)
drop_all() {
    for db in $(psql -Atqc "SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}_%'" postgres); do
        dropdb --if-exists "$db" || true
    done
    rm -rf "$WORK"
}
trap drop_all EXIT

python3 "$BENCH/migrations.py" --count "$COUNT" --dialect postgres --out "$WORK/migrations" >&2
cat >"$WORK/migrate.toml" <<TOML
dialect = "postgres"
schema = ["src/schema"]
out = "migrations"

[targets.fleet]
url_file = "fleet.txt"
TOML

# Creates the DATABASES databases of run $1 and lists their URLs in $WORK/fleet.txt.
create() {
    : >"$WORK/fleet.txt"
    for i in $(seq 1 "$DATABASES"); do
        createdb "${PREFIX}_$1_$i"
        echo "postgres://$PGUSER@$PGHOST:$PGPORT/${PREFIX}_$1_$i?sslmode=disable" >>"$WORK/fleet.txt"
    done
}

# Checks every database of run $1 holds COUNT successful migrations, then drops them.
check_and_drop() {
    local bad=0
    for i in $(seq 1 "$DATABASES"); do
        local n
        n=$(psql -Atqc "SELECT count(*) FROM _sqlx_migrations WHERE success" "${PREFIX}_$1_$i" 2>/dev/null || echo 0)
        if [ "$n" != "$COUNT" ]; then
            log "check failed: ${PREFIX}_$1_$i has $n of $COUNT migrations"
            bad=1
        fi
        dropdb "${PREFIX}_$1_$i"
    done
    return $bad
}

# Times the command "$@" (run in $WORK) for run $1's databases; prints the seconds.
timed() {
    local name=$1
    shift
    local start end
    start=$(date +%s%N)
    (cd "$WORK" && "$@") >"$LOGS/$name.log" 2>&1 || log "$name exited $? (see $LOGS/$name.log)"
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.2f\n", ns / 1e9 }'
}

cli_loop() {
    while read -r url; do "$MIGRATE_CLI" migrate --url "$url" || return 1; done <fleet.txt
}
sqlx_loop() {
    while read -r url; do "$SQLX" migrate run --source migrations --database-url "$url" || return 1; done <fleet.txt
}

FAILED=0
ROWS=()
run() {
    local name=$1
    shift
    log "== $name: $DATABASES databases x $COUNT migrations"
    create "$name"
    local seconds
    seconds=$(timed "$name" "$@")
    if check_and_drop "$name"; then
        ROWS+=("| $name | $seconds |")
    else
        ROWS+=("| $name | $seconds (check FAILED) |")
        FAILED=1
    fi
}

run cli-loop cli_loop
for n in $PARALLELS; do
    run "parallel-$n" "$MIGRATE_CLI" migrate --target fleet --parallel "$n"
done
if [ -x "$SQLX" ]; then
    run sqlx-loop sqlx_loop
else
    log "sqlx-cli is not installed ($SQLX): the sqlx-loop row is skipped"
    ROWS+=("| sqlx-loop | skipped: sqlx-cli not installed |")
fi

{
    echo "$DATABASES PostgreSQL databases x $COUNT migrations, $(nproc) cores, $(date -u +%Y-%m-%d)"
    echo
    echo "| run | seconds |"
    echo "|---|---|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/results.md"
exit $FAILED
