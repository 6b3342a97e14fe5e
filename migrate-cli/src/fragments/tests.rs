//! One fragment passes on the dialects where it is SQL; a second statement, a comment or
//! anything after one expression, type or index method is refused on every dialect.

use super::{problem, Kind};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};

const POSTGRES: &dyn Dialect = &PostgreSqlDialect {};
const SQLITE: &dyn Dialect = &SQLiteDialect {};
const MYSQL: &dyn Dialect = &MySqlDialect {};
const ALL: [&dyn Dialect; 3] = [POSTGRES, SQLITE, MYSQL];

fn passes(kind: Kind, sql: &str, dialects: &[&dyn Dialect]) {
    for dialect in dialects {
        assert_eq!(problem(kind, sql, *dialect), Ok(()), "{sql} on {dialect:?}");
    }
}

fn refused(kind: Kind, sql: &str, says: &str) {
    for dialect in ALL {
        let problem = problem(kind, sql, dialect);
        assert!(
            problem.as_ref().is_err_and(|p| p.contains(says)),
            "{sql} on {dialect:?}: {problem:?}"
        );
    }
}

#[test]
fn the_fragments_of_the_tests_and_examples_pass() {
    for sql in [
        "now()",
        "gen_random_uuid()",
        "state <> 'closed'",
        "length(title) > 0",
        "position('@' in email) > 1",
        "priority::bigint < 2000",
        "CAST(priority AS char) <> 'x'",
        "0x41",
        "(datetime('now'))",
        "1e3",
        "x REGEXP 'a'",
    ] {
        passes(Kind::Expression, sql, &ALL);
    }
    for sql in [
        "'x'::text",
        "interval '1 day'",
        "due_at >= created_at + interval '1 day'",
        "E'a\\nb'",
        "state = ANY (ARRAY['a', 'b']) OR priority IS NOT NULL",
        "data ->> 'k' = 'v'",
    ] {
        passes(Kind::Expression, sql, &[POSTGRES]);
    }
    passes(Kind::Expression, "'it\\'s'", &[MYSQL]);
    passes(Kind::Expression, "a DIV 2 > 0", &[MYSQL]);
    passes(Kind::Expression, "`state` <> ''", &[SQLITE, MYSQL]);
    for sql in [
        "varchar(320)",
        "character varying(320)",
        "numeric(10,2)",
        "timestamp with time zone",
        "int(11) unsigned",
        "enum('a','b')",
        "citext",
        "geometry(Point, 4326)",
        "\"public\".\"issue_state\"",
    ] {
        passes(Kind::Type, sql, &ALL);
    }
    passes(Kind::Type, "text[]", &[POSTGRES]);
    passes(
        Kind::Type,
        "varchar(255) character set utf8mb4 collate utf8mb4_bin",
        &[MYSQL],
    );
    for sql in ["gin", "btree", "hash"] {
        passes(Kind::IndexMethod, sql, &ALL);
    }
}

#[test]
fn a_second_statement_or_a_comment_is_refused() {
    refused(Kind::Expression, "id > 0; DROP TABLE victim; --", "`;`");
    refused(Kind::Expression, "now(); SELECT 1", "`;`");
    refused(Kind::Expression, "age >= 0 -- note", "comment");
    refused(Kind::Expression, "age >= 0 /* note */", "comment");
    refused(Kind::Type, "int; DROP TABLE victim", "`;`");
    refused(Kind::IndexMethod, "btree; DROP TABLE victim", "`;`");
}

#[test]
fn anything_after_one_fragment_is_refused() {
    refused(
        Kind::Expression,
        "id > 0 DROP",
        "`DROP` follows the expression `id > 0`",
    );
    refused(
        Kind::Expression,
        "x > 0) NOT VALID",
        "follows the expression",
    );
    refused(Kind::Expression, "a b c", "follows the expression");
    refused(
        Kind::Type,
        "int DROP TABLE victim",
        "`DROP` follows the type `INT`",
    );
    refused(Kind::Type, "integer DEFAULT 5", "follows the type");
    refused(Kind::IndexMethod, "btree (id)", "one bare name");
    refused(Kind::IndexMethod, "\"gin\"", "one bare name");
}

#[test]
fn an_unfinished_expression_is_refused_without_a_panic() {
    refused(Kind::Expression, "(a > 1", "does not parse");
    refused(Kind::Expression, "'open", "does not read as SQL");
    assert!(problem(Kind::Expression, "a DIV", MYSQL).is_err());
    assert!(problem(Kind::Expression, "a REGEXP", SQLITE).is_err());
}
