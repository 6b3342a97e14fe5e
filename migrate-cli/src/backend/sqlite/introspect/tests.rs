//! Introspection of a real SQLite file written in the exact format `generate` renders for
//! SQLite, against the model its snapshot holds.

use super::introspect;
use schema_core::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, PrimaryKey, Schema, Table, Unique,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor, SqliteConnection};

const SQL: &str = r#"CREATE TABLE "teams" (
	"id" integer NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "accounts" (
	"id" integer NOT NULL,
	"team_id" integer,
	"email" text NOT NULL,
	"active" integer DEFAULT true NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"age" integer DEFAULT -1 NOT NULL,
	"score" real DEFAULT 1.5,
	"handle" text DEFAULT (lower('X' || 'y')) NOT NULL,
	"created_at" text DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"avatar" blob,
	CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "accounts_email_key" UNIQUE ("email"),
	CONSTRAINT "accounts_team_id_handle_key" UNIQUE ("team_id", "handle"),
	CONSTRAINT "accounts_age_check" CHECK (age >= -1),
	CONSTRAINT "accounts_state_check" CHECK ("state" IN ('open', 'it''s closed')),
	CONSTRAINT "accounts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE
);
CREATE TABLE "memberships" (
	"account_id" integer NOT NULL,
	"team_id" integer NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	CONSTRAINT "memberships_pkey" PRIMARY KEY ("account_id", "team_id"),
	CONSTRAINT "memberships_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
	CONSTRAINT "memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL
);
CREATE INDEX "accounts_created_at_idx" ON "accounts" ("created_at");
CREATE UNIQUE INDEX "accounts_live_email_idx" ON "accounts" ("email") WHERE state <> 'closed';
CREATE INDEX "memberships_team_id_role_idx" ON "memberships" ("team_id", "role");
"#;

fn column(name: &str, ty: &str, nullable: bool, default: Option<&str>) -> Column {
    Column {
        name: name.into(),
        ty: ColumnType::Builtin(ty.into()),
        nullable,
        default: default.map(str::to_string),
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn table(name: &str, columns: Vec<Column>, pk: &[&str]) -> Table {
    Table {
        schema: "public".into(),
        name: name.into(),
        columns,
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: strings(pk),
        }),
        uniques: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        renamed_from: None,
        rls: false,
        policies: Vec::new(),
    }
}

fn fk(name: &str, column: &str, to: &str, on_delete: FkAction, on_update: FkAction) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: strings(&[column]),
        ref_schema: "public".into(),
        ref_table: to.into(),
        ref_columns: strings(&["id"]),
        on_delete,
        on_update,
    }
}

fn index(name: &str, columns: &[&str], unique: bool, predicate: Option<&str>) -> Index {
    Index {
        keys: Vec::new(),
        with: Default::default(),
        name: name.into(),
        columns: strings(columns),
        unique,
        predicate: predicate.map(str::to_string),
        using: None,
        concurrently: false,
        nulls_not_distinct: false,
    }
}

/// The model the snapshot of [`SQL`] holds.
fn expected() -> Schema {
    let teams = table(
        "teams",
        vec![
            column("id", "integer", false, None),
            column("name", "text", false, None),
        ],
        &["id"],
    );
    let mut accounts = table(
        "accounts",
        vec![
            column("id", "integer", false, None),
            column("team_id", "integer", true, None),
            column("email", "text", false, None),
            column("active", "integer", false, Some("true")),
            column("state", "text", false, Some("'open'")),
            column("age", "integer", false, Some("-1")),
            column("score", "real", true, Some("1.5")),
            column("handle", "text", false, Some("lower('X' || 'y')")),
            column("created_at", "text", false, Some("CURRENT_TIMESTAMP")),
            column("avatar", "blob", true, None),
        ],
        &["id"],
    );
    accounts.uniques = vec![
        Unique {
            name: "accounts_email_key".into(),
            columns: strings(&["email"]),
            nulls_not_distinct: false,
        },
        Unique {
            name: "accounts_team_id_handle_key".into(),
            columns: strings(&["team_id", "handle"]),
            nulls_not_distinct: false,
        },
    ];
    accounts.checks = vec![
        Check {
            name: "accounts_age_check".into(),
            expr: "age >= -1".into(),
        },
        Check {
            name: "accounts_state_check".into(),
            expr: "\"state\" IN ('open', 'it''s closed')".into(),
        },
    ];
    accounts.foreign_keys = vec![fk(
        "accounts_team_id_fkey",
        "team_id",
        "teams",
        FkAction::Cascade,
        FkAction::NoAction,
    )];
    accounts.indexes = vec![
        index("accounts_created_at_idx", &["created_at"], false, None),
        index(
            "accounts_live_email_idx",
            &["email"],
            true,
            Some("state <> 'closed'"),
        ),
    ];
    let mut memberships = table(
        "memberships",
        vec![
            column("account_id", "integer", false, None),
            column("team_id", "integer", false, None),
            column("role", "text", false, Some("'member'")),
        ],
        &["account_id", "team_id"],
    );
    memberships.foreign_keys = vec![
        fk(
            "memberships_account_id_fkey",
            "account_id",
            "accounts",
            FkAction::Restrict,
            FkAction::Cascade,
        ),
        fk(
            "memberships_team_id_fkey",
            "team_id",
            "teams",
            FkAction::SetNull,
            FkAction::NoAction,
        ),
    ];
    memberships.indexes = vec![index(
        "memberships_team_id_role_idx",
        &["team_id", "role"],
        false,
        None,
    )];
    Schema {
        tables: [teams, accounts, memberships]
            .into_iter()
            .map(|t| (t.key(), t))
            .collect(),
        ..Schema::default()
    }
}

/// A fresh database file holding `sql`, with sqlx's history table beside it.
async fn database(dir: &tempfile::TempDir, sql: &str) -> SqliteConnection {
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.path().join("test.db"))
        .create_if_missing(true)
        .connect()
        .await
        .expect("open the database");
    conn.execute(sql).await.expect("create the schema");
    conn.execute("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY)")
        .await
        .expect("history table");
    conn
}

#[tokio::test]
async fn the_contracts_sql_reads_back_as_its_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = database(&dir, SQL).await;
    let actual = introspect(&mut conn).await.expect("introspect");
    assert_eq!(actual, expected());
    assert_eq!(
        crate::introspect::compare(&expected(), &actual),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_rebuilt_renamed_and_extended_table_keeps_its_constraint_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rebuild = r#"
PRAGMA foreign_keys=OFF;
CREATE TABLE "__new_teams" (
	"id" integer NOT NULL,
	"title" text DEFAULT ('') NOT NULL,
	CONSTRAINT "teams_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "teams_title_check" CHECK (length("title") < 100)
);
INSERT INTO "__new_teams" ("id", "title") SELECT "id", "name" FROM "teams";
DROP TABLE "teams";
ALTER TABLE "__new_teams" RENAME TO "teams";
PRAGMA foreign_keys=ON;
ALTER TABLE "memberships" RENAME COLUMN "role" TO "kind";
ALTER TABLE "memberships" ADD COLUMN "since" text;
"#;
    let mut conn = database(&dir, &format!("{SQL}{rebuild}")).await;
    let actual = introspect(&mut conn).await.expect("introspect");
    let mut want = expected();
    let teams = want.tables.get_mut("public.teams").expect("teams");
    teams.columns[1] = column("title", "text", false, Some("''"));
    teams.checks = vec![Check {
        name: "teams_title_check".into(),
        expr: "length(\"title\") < 100".into(),
    }];
    let memberships = want
        .tables
        .get_mut("public.memberships")
        .expect("memberships");
    memberships.columns[2].name = "kind".into();
    memberships
        .columns
        .push(column("since", "text", true, None));
    memberships.indexes[0].columns[1] = "kind".into();
    assert_eq!(actual, want);
}

#[tokio::test]
async fn unnamed_constraints_get_the_derived_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sql = "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE, CHECK (code <> ''), CHECK (id > 0));\n\
               CREATE TABLE c (pid INTEGER REFERENCES p, n INT NOT NULL, CONSTRAINT \"c_n_uq\" UNIQUE (N));\n\
               CREATE VIRTUAL TABLE docs USING fts5(body);";
    let mut conn = database(&dir, sql).await;
    let actual = introspect(&mut conn).await.expect("introspect");
    let p = &actual.tables["public.p"];
    assert_eq!(
        p.primary_key.as_ref().map(|k| k.name.as_str()),
        Some("p_pkey")
    );
    assert_eq!(p.uniques[0].name, "p_code_key");
    let checks: Vec<_> = p
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.expr.as_str()))
        .collect();
    assert_eq!(checks, [("p_check", "code <> ''"), ("p_check1", "id > 0")]);
    let c = &actual.tables["public.c"];
    assert_eq!(c.primary_key, None);
    assert_eq!(c.foreign_keys[0].name, "c_pid_fkey");
    assert_eq!(c.foreign_keys[0].ref_columns, ["id"]);
    assert_eq!(
        c.columns[1].ty,
        ColumnType::Builtin("integer".into()),
        "INT maps to its model type"
    );
    assert_eq!(c.uniques[0].name, "c_n_uq", "matched ignoring case");
    let tables: Vec<&String> = actual.tables.keys().collect();
    assert_eq!(tables, ["public.c", "public.p"], "no full-text tables");
}
