#!/usr/bin/env bash
# bench/run.sh: the 1,000-table `generate` benchmark, drizzle-kit 0.31.11 against migrate-cli.
#
# Generates the schema with bench/gen_schema.py (phases `create` and `change`), then for each tool
# times three `generate` runs in sequence, starting from an empty migrations folder:
#   create     empty -> N tables (11 columns, 3 indexes, 1 foreign key each)
#   change     one column type changed in every table (c2: integer -> bigint)
#   no change  generate again on the `change` schema (must write nothing)
# The sequence is repeated RUNS times; each run is timed by a nanosecond clock around
# `/usr/bin/time -v`, which gives the peak RSS and the CPU time (user + system; less disturbed than
# wall time when other work shares the machine). The table shows the median of the runs.
# After every phase the written SQL is checked with grep (counts of CREATE TABLE, REFERENCES,
# indexes, type changes), so a fast but wrong run does not pass unnoticed.
#
# drizzle-kit and drizzle-orm are installed into bench/node_modules from bench/package-lock.json.
# migrate-cli is timed only if target/release/migrate-cli exists
# (`cargo build --release -p migrate-cli`); this script never builds it.
#
# Usage: bash bench/run.sh
# Environment: TABLES (default 1000), RUNS (default 3), TOOLS (default "drizzle-kit migrate-cli"),
# MIGRATE_CLI (default target/release/migrate-cli).
# Output: the markdown table on stdout, also in bench/out/results.md; logs in bench/out/logs/.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT="$BENCH/out"
LOGS="$OUT/logs"
TABLES=${TABLES:-1000}
RUNS=${RUNS:-3}
TOOLS=${TOOLS:-"drizzle-kit migrate-cli"}
DRIZZLE_KIT_VERSION=0.31.11
DRIZZLE_ORM_VERSION=0.45.4
MIGRATE_CLI=${MIGRATE_CLI:-"$ROOT/target/release/migrate-cli"}
PHASES=(create change nochange)

log() { echo "$*" >&2; }

# --- prerequisites -------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

installed_version() { node -p "require('$BENCH/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ "$(installed_version drizzle-kit)" != "$DRIZZLE_KIT_VERSION" ] ||
   [ "$(installed_version drizzle-orm)" != "$DRIZZLE_ORM_VERSION" ]; then
    log "installing drizzle-kit@$DRIZZLE_KIT_VERSION drizzle-orm@$DRIZZLE_ORM_VERSION"
    if [ -f "$BENCH/package-lock.json" ]; then
        (cd "$BENCH" && npm ci --no-audit --no-fund >&2)
    else
        (cd "$BENCH" && npm install --no-audit --no-fund --save-exact \
            "drizzle-kit@$DRIZZLE_KIT_VERSION" "drizzle-orm@$DRIZZLE_ORM_VERSION" >&2)
    fi
fi
DRIZZLE_KIT="$BENCH/node_modules/.bin/drizzle-kit"

rm -rf "$OUT"
mkdir -p "$LOGS"
python3 "$BENCH/gen_schema.py" --tables "$TABLES" --out "$OUT" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- one timed run -------------------------------------------------------------------------------
# measure TOOL PHASE RUN DIR CMD...: runs CMD in DIR, appends
# "tool phase run wall_s rss_kb rc cpu_s" (cpu_s = user + system) to $RESULTS.
RESULTS="$LOGS/results.tsv"
: >"$RESULTS"
measure() {
    local tool=$1 phase=$2 run=$3 dir=$4
    shift 4
    local base="$LOGS/$tool.$phase.$run"
    local start end rc=0
    start=$(date +%s%N)
    (cd "$dir" && /usr/bin/time -v -o "$base.time" "$@" </dev/null >"$base.log" 2>&1) || rc=$?
    end=$(date +%s%N)
    local rss cpu
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
    cpu=$(awk -F': ' '/(User|System) time/ {t += $2} END {printf "%.2f", t}' "$base.time")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$run" \
        "$(awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e9}')" "${rss:-0}" "$rc" "$cpu" \
        >>"$RESULTS"
    if [ "$rc" -ne 0 ]; then log "$tool $phase run $run: exit $rc (see $base.log)"; fi
    return 0
}

# --- SQL checks ----------------------------------------------------------------------------------
# count PATTERN FILES...: occurrences of an extended regex (case-insensitive) in the files.
count() { local re=$1; shift; cat "$@" 2>/dev/null | grep -oiE "$re" | wc -l; }
# The up files, as sqlx reads them: migrate-cli's down files (<tag>.down.sql) are checked apart.
sql_files() { find "$1" -maxdepth 1 -name '*.sql' ! -name '*.down.sql' 2>/dev/null | sort; }
down_files() { find "$1" -maxdepth 1 -name '*.down.sql' 2>/dev/null | sort; }

# check TOOL PHASE MIGRATIONS_DIR: prints "ok" or what is wrong, and keeps it in $LOGS.
check() {
    local tool=$1 phase=$2 dir=$3 problems=()
    local files
    mapfile -t files < <(sql_files "$dir")
    local want_files=1
    [ "$phase" = create ] || want_files=2
    if [ "${#files[@]}" -ne "$want_files" ]; then
        problems+=("${#files[@]} sql files, expected $want_files")
    fi
    if [ "$tool" = migrate-cli ]; then
        # migrate-cli writes a down file beside every migration (drizzle-kit writes none).
        local downs
        mapfile -t downs < <(down_files "$dir")
        [ "${#downs[@]}" -eq "$want_files" ] || problems+=("${#downs[@]} down files, expected $want_files")
        if [ "${#downs[@]}" -ge 1 ] && [ "$phase" = create ]; then
            local d=${downs[0]}
            [ "$(count 'DROP TABLE' "$d")" -eq "$TABLES" ] || problems+=("down DROP TABLE $(count 'DROP TABLE' "$d"), expected $TABLES")
        fi
    fi
    expect() { # expect LABEL WANT PATTERN FILE...
        local label=$1 want=$2 re=$3 got
        shift 3
        got=$(count "$re" "$@")
        [ "$got" -eq "$want" ] || problems+=("$label $got, expected $want")
    }
    if [ "${#files[@]}" -ge 1 ] && [ "$phase" = create ]; then
        local f=${files[0]}
        expect "CREATE TABLE" "$TABLES" 'CREATE TABLE' "$f"
        expect "REFERENCES" "$TABLES" 'REFERENCES' "$f"
        expect "ON DELETE CASCADE" "$TABLES" 'ON DELETE CASCADE' "$f"
        expect "CREATE INDEX" $((2 * TABLES)) 'CREATE INDEX' "$f"
        expect "CREATE UNIQUE INDEX" "$TABLES" 'CREATE UNIQUE INDEX' "$f"
        expect "IDENTITY" "$TABLES" 'GENERATED BY DEFAULT AS IDENTITY' "$f"
        expect "PRIMARY KEY" "$TABLES" 'PRIMARY KEY' "$f"
        expect "DEFAULT 0" "$TABLES" 'DEFAULT 0' "$f"
    elif [ "${#files[@]}" -ge 2 ]; then
        local f=${files[1]}
        expect "c2 type changes" "$TABLES" '"c2"( SET DATA)? TYPE bigint' "$f"
        expect "CREATE/DROP" 0 '(CREATE|DROP) ' "$f"
    fi
    local verdict=ok
    if [ "${#problems[@]}" -gt 0 ]; then
        verdict="FAIL: $(IFS=';'; echo "${problems[*]}")"
    fi
    echo "$tool $phase: $verdict" >>"$LOGS/checks.txt"
    echo "$verdict"
}

# --- the phases ----------------------------------------------------------------------------------
declare -A CHECK
run_tool() {
    local tool=$1 migrations
    case $tool in
        drizzle-kit) migrations="$OUT/drizzle/migrations" ;;
        migrate-cli) migrations="$OUT/migrations" ;;
    esac
    for run in $(seq 1 "$RUNS"); do
        rm -rf "$migrations"
        for phase in "${PHASES[@]}"; do
            local schema=$phase
            [ "$phase" = nochange ] && schema=change
            log "$tool $phase run $run/$RUNS"
            case $tool in
                drizzle-kit)
                    measure "$tool" "$phase" "$run" "$OUT/drizzle/$schema" \
                        "$DRIZZLE_KIT" generate --config drizzle.config.ts ;;
                migrate-cli)
                    measure "$tool" "$phase" "$run" "$ROOT" \
                        "$MIGRATE_CLI" generate --config "bench/out/$schema/migrate.toml" ;;
            esac
            local verdict
            verdict=$(check "$tool" "$phase" "$migrations")
            if [ "$run" -eq 1 ] || [ "$verdict" != ok ]; then CHECK[$tool.$phase]=$verdict; fi
        done
        if [ "$run" -eq 1 ] && [ -d "$migrations" ]; then cp -r "$migrations" "$LOGS/$tool-migrations"; fi
    done
    return 0
}

for tool in $TOOLS; do
    if [ "$tool" = migrate-cli ] && [ ! -x "$MIGRATE_CLI" ]; then
        log "skipping migrate-cli: $MIGRATE_CLI not found (cargo build --release -p migrate-cli)"
        continue
    fi
    run_tool "$tool"
done

# --- report --------------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {if (NR) printf "%.3f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2}'; }
{
    echo "$TABLES tables, $RUNS runs per phase, $(date -u +%Y-%m-%dT%H:%MZ)."
    echo "Machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory," \
         "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), node $(node --version)."
    echo
    echo "Load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| phase | tool | wall s (median) | wall s (min–max) | CPU s (median) | max RSS MB (median) | exit codes | SQL check |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
    for phase in "${PHASES[@]}"; do
        for tool in $TOOLS; do
            rows=$(awk -F'\t' -v t="$tool" -v p="$phase" '$1 == t && $2 == p' "$RESULTS")
            [ -n "$rows" ] || continue
            wall=$(cut -f4 <<<"$rows" | median)
            rss=$(cut -f5 <<<"$rows" | median | awk '{printf "%.1f", $1 / 1024}')
            codes=$(cut -f6 <<<"$rows" | sort -u | paste -sd, -)
            label=$phase
            [ "$phase" = nochange ] && label="no change"
            range=$(cut -f4 <<<"$rows" | sort -g | awk 'NR == 1 {lo = $1} END {print lo "–" $1}')
            cpu=$(cut -f7 <<<"$rows" | median | awk '{printf "%.2f", $1}')
            echo "| $label | $tool | $wall | $range | $cpu | $rss | $codes | ${CHECK[$tool.$phase]:-} |"
        done
    done
} | tee "$OUT/results.md"
