#!/usr/bin/env python3
"""Write a migrations folder of N small migrations (default 1000) for the `migrate` benchmark.

The folder has this project's layout, as `migrate-cli generate` writes it:
  <out>/<YYYYMMDDHHMMSS>_<name>.sql          one per migration, statements separated by
                                             `--> statement-breakpoint` lines
  <out>/meta/_journal.json                   every migration in order
  <out>/meta/<YYYYMMDDHHMMSS>_snapshot.json  the whole schema after each migration, chained by
                                             id / prevId, each id computed as schema-core computes
                                             it (FNV-1a 128 of prevId, a NUL and the schema's
                                             compact JSON), so `check` finds the chain intact
`migrate` itself reads only the .sql files (through sqlx's Migrator); the journal and the
snapshots are there so the folder is a real one.

The migrations, in groups of four per table (N / 4 tables, named t0000, t0001, ...):
  0: CREATE TABLE with 3 columns and a primary key, then CREATE INDEX on one column
  1: ALTER TABLE ADD COLUMN c1 text         (nullable)
  2: ALTER TABLE ADD COLUMN c2 integer      (nullable)
  3: ALTER TABLE ADD COLUMN c3 text DEFAULT 'x' NOT NULL
Every statement is valid on PostgreSQL and on SQLite. With --dialect postgres names are
qualified with "public" (as generate writes them); with --dialect sqlite they are unqualified and
types are SQLite's (integer, text). The snapshots hold the schema as generate records it for the
dialect (SQLite's model too keeps its one schema under the name "public").

Timestamps start at 2026-01-01 00:00:00 UTC and go up one second per migration, so versions are
distinct and increasing. Beside the folder go a config, <out>/../migrate.toml, and the schema
after the last migration as #[derive(Table)] structs, <out>/../src/schema/tables.rs, so that
`migrate-cli check` can check the whole folder against its source.

Usage: python3 bench/migrations.py [--count N] [--dialect postgres|sqlite] [--out DIR]
Standard library only; output is deterministic. The folder is replaced if it exists.
"""

import argparse
import datetime
import json
import os
import shutil
import sys

ROOT_ID = "00000000-0000-0000-0000-000000000000"
FNV_OFFSET = 0x6C62272E07BB014262B821756295C58D
FNV_PRIME = 0x0000000001000000000000000000013B
MASK = (1 << 128) - 1
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

TYPES = {
    # column -> (postgres type, sqlite type); the snapshot records the SQL type as written.
    "id": ("bigint", "integer"),
    "name": ("text", "text"),
    "n": ("integer", "integer"),
    "c1": ("text", "text"),
    "c2": ("integer", "integer"),
    "c3": ("text", "text"),
}


def fnv128(data, h=FNV_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def snapshot_id(prev_id, schema):
    """schema-core's snapshot_id: FNV-1a 128 of prev_id, NUL, compact JSON, as a v8 UUID."""
    compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False).encode()
    h = fnv128(prev_id.encode() + b"\0" + compact)
    b = bytearray(h.to_bytes(16, "big"))
    b[6] = (b[6] & 0x0F) | 0x80
    b[8] = (b[8] & 0x3F) | 0x80
    x = b.hex()
    return f"{x[0:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:32]}"


def quote(name):
    return '"' + name.replace('"', '""') + '"'


class Generator:
    def __init__(self, dialect):
        self.dialect = dialect
        self.schema_name = "public"
        # Schema in the model's field order: schemas, enums, tables (a dict sorted by key).
        self.tables = {}

    def qualified(self, table):
        if self.dialect == "postgres":
            return f"{quote(self.schema_name)}.{quote(table)}"
        return quote(table)

    def type_of(self, column):
        pg, lite = TYPES[column]
        return pg if self.dialect == "postgres" else lite

    def column(self, name, nullable, default=None):
        c = {"name": name, "type": {"builtin": self.type_of(name)}, "nullable": nullable}
        if default is not None:
            c["default"] = default
        return c

    def migration(self, i):
        """(name, sql) of migration i; updates the schema."""
        t, step = divmod(i, 4)
        table = f"t{t:04d}"
        key = f"{self.schema_name}.{table}"
        q = self.qualified(table)
        if step == 0:
            cols = [self.column("id", False), self.column("name", False),
                    self.column("n", False, "0")]
            self.tables[key] = {
                "schema": self.schema_name,
                "name": table,
                "columns": cols,
                "primary_key": {"name": f"{table}_pkey", "columns": ["id"]},
                "indexes": [{"name": f"{table}_name_idx", "columns": ["name"]}],
            }
            sql = (
                f"CREATE TABLE {q} (\n"
                f"\t\"id\" {self.type_of('id')} NOT NULL,\n"
                f"\t\"name\" {self.type_of('name')} NOT NULL,\n"
                f"\t\"n\" {self.type_of('n')} DEFAULT 0 NOT NULL,\n"
                f"\tCONSTRAINT {quote(table + '_pkey')} PRIMARY KEY (\"id\")\n"
                ");\n"
                "--> statement-breakpoint\n"
                f"CREATE INDEX {quote(table + '_name_idx')} ON {q} (\"name\");\n"
            )
            return f"create_{table}", sql
        col = f"c{step}"
        default = "'x'" if step == 3 else None
        self.tables[key]["columns"].append(self.column(col, step != 3, default))
        tail = " DEFAULT 'x' NOT NULL" if step == 3 else ""
        sql = f"ALTER TABLE {q} ADD COLUMN {quote(col)} {self.type_of(col)}{tail};\n"
        return f"add_{col}_to_{table}", sql

    def rust_source(self):
        """The final schema as #[derive(Table)] structs, so `check` can compare source and folder."""
        fields = {
            "id": ("    #[column(primary_key)]", "pub id: i64,"),
            "name": (None, "pub name: String,"),
            "n": ("    #[column(default = 0)]", "pub n: i32,"),
            "c1": (None, "pub c1: Option<String>,"),
            "c2": (None, "pub c2: Option<i32>,"),
            "c3": ('    #[column(default = "x")]', "pub c3: String,"),
        }
        out = ["//! Generated by bench/migrations.py: the schema after the last migration.",
               "", "use schema_macros::Table;"]
        for key in sorted(self.tables):
            t = self.tables[key]
            out += ["", "#[derive(Table)]", f'#[table(name = "{t["name"]}")]',
                    "#[index(columns(name))]", f"pub struct {t['name'].upper()} {{"]
            for c in t["columns"]:
                attr, field = fields[c["name"]]
                if attr:
                    out.append(attr)
                out.append(f"    {field}")
            out.append("}")
        return "\n".join(out) + "\n"

    def schema(self):
        return {"schemas": [], "enums": {},
                "tables": {k: self.tables[k] for k in sorted(self.tables)}}


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--dialect", choices=("postgres", "sqlite"), default="postgres")
    ap.add_argument("--out", default=os.path.join("bench", "out", "migrate", "migrations"))
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    meta = os.path.join(out, "meta")
    os.makedirs(meta)
    gen = Generator(args.dialect)
    prev_id = ROOT_ID
    entries = []
    for i in range(args.count):
        when = START + datetime.timedelta(seconds=i)
        stamp = when.strftime("%Y%m%d%H%M%S")
        name, sql = gen.migration(i)
        tag = f"{stamp}_{name}"
        write(os.path.join(out, f"{tag}.sql"), sql)
        schema = gen.schema()
        sid = snapshot_id(prev_id, schema)
        snapshot = {"version": "1", "dialect": args.dialect, "id": sid, "prevId": prev_id}
        snapshot.update(schema)
        write(os.path.join(meta, f"{stamp}_snapshot.json"),
              json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n")
        entries.append({"idx": i, "version": "7", "when": int(when.timestamp()) * 1000,
                        "tag": tag, "breakpoints": True})
        prev_id = sid
    journal = {"version": "7", "dialect": args.dialect, "entries": entries}
    write(os.path.join(meta, "_journal.json"), json.dumps(journal, indent=2) + "\n")
    config = os.path.join(os.path.dirname(out), "migrate.toml")
    source = os.path.join(os.path.dirname(out), "src", "schema")
    os.makedirs(source, exist_ok=True)
    write(os.path.join(source, "tables.rs"), gen.rust_source())
    write(config,
          "# written by bench/migrations.py\n"
          f"dialect = \"{args.dialect}\"\n"
          "schema = [\"src/schema\"]\n"
          f"out = \"{os.path.basename(out)}\"\n")
    print(f"{args.count} {args.dialect} migrations ({(args.count + 3) // 4} tables) in {out}; "
          f"config {config}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
