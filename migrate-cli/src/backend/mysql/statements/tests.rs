//! Cases for the MySQL splitter: each file text and the (line, text) of its statements.

use super::*;

/// Splits `sql` as a chunk starting on line 1 and compares the (line, text) of each statement.
fn check(sql: &str, expect: &[(usize, &str)]) {
    let found = split(sql, 1).unwrap_or_else(|e| panic!("{sql:?}: {e}"));
    let found: Vec<(usize, &str)> = found.iter().map(|p| (p.line, p.text)).collect();
    assert_eq!(found, expect, "{sql:?}");
}

fn refused(sql: &str) -> SplitError {
    match split(sql, 1) {
        Ok(pieces) => panic!("{sql:?} was split: {pieces:?}"),
        Err(e) => e,
    }
}

#[test]
fn statements_end_at_semicolons() {
    check("SELECT 1; SELECT 2;", &[(1, "SELECT 1;"), (1, "SELECT 2;")]);
    check("SELECT 1;\nSELECT 2", &[(1, "SELECT 1;"), (2, "SELECT 2")]);
    check(
        "CREATE TABLE `a` (\n  `id` int\n);\n\nDROP TABLE `b`;\n",
        &[
            (1, "CREATE TABLE `a` (\n  `id` int\n);"),
            (5, "DROP TABLE `b`;"),
        ],
    );
}

#[test]
fn empty_statements_and_blank_chunks_are_left_out() {
    check("", &[]);
    check("\n\n  \n", &[]);
    check(";;\n;", &[]);
    check(
        "SELECT 1;;\n;SELECT 2;",
        &[(1, "SELECT 1;"), (2, "SELECT 2;")],
    );
}

#[test]
fn semicolons_in_literals_and_names_do_not_end_statements() {
    check("SELECT ';', 'a'';b';", &[(1, "SELECT ';', 'a'';b';")]);
    check("SELECT 'x\\';y';", &[(1, "SELECT 'x\\';y';")]);
    check(
        "SELECT \"a;b\", \"c\\\";\";",
        &[(1, "SELECT \"a;b\", \"c\\\";\";")],
    );
    check(
        "CREATE TABLE `a;b` (`c``;` int);",
        &[(1, "CREATE TABLE `a;b` (`c``;` int);")],
    );
    check(
        "SELECT 'two\nlines;';\nSELECT 3;",
        &[(1, "SELECT 'two\nlines;';"), (3, "SELECT 3;")],
    );
    check(
        "SELECT _utf8mb4'a;', N'b;', X'41', 0x41, b'01';",
        &[(1, "SELECT _utf8mb4'a;', N'b;', X'41', 0x41, b'01';")],
    );
}

#[test]
fn comments_are_left_out_between_statements_and_kept_inside() {
    check("-- one; two\nSELECT 1;", &[(2, "SELECT 1;")]);
    check("# one; two\nSELECT 1;", &[(2, "SELECT 1;")]);
    check("/* one;\ntwo */ SELECT 1;", &[(2, "SELECT 1;")]);
    check(
        "SELECT 1 /* ; */ + 2 -- ;\n + 3 # ;\n;",
        &[(1, "SELECT 1 /* ; */ + 2 -- ;\n + 3 # ;\n;")],
    );
    check("SELECT 1;\n-- trailing; comment\n", &[(1, "SELECT 1;")]);
    check("SELECT 1; /* only a comment */", &[(1, "SELECT 1;")]);
}

#[test]
fn two_dashes_without_a_space_are_not_a_comment() {
    check(
        "SELECT 1--1;SELECT 2;",
        &[(1, "SELECT 1--1;"), (1, "SELECT 2;")],
    );
}

#[test]
fn executable_comments_are_statements() {
    check(
        "/*!50001 CREATE TABLE t_exec (a int) */;",
        &[(1, "/*!50001 CREATE TABLE t_exec (a int) */;")],
    );
    check(
        "/*M!100100 SET @x = 1; */;\nSELECT 1;",
        &[(1, "/*M!100100 SET @x = 1; */;"), (2, "SELECT 1;")],
    );
    check(
        "/*!40101 SET NAMES utf8mb4 */;\n/* plain */;",
        &[(1, "/*!40101 SET NAMES utf8mb4 */;")],
    );
}

#[test]
fn non_ascii_names_and_strings_are_read() {
    check(
        "CREATE TABLE données (id int); SELECT 1;",
        &[(1, "CREATE TABLE données (id int);"), (1, "SELECT 1;")],
    );
    check(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (montant_€ >= 0);\nSELECT 'é;ü';",
        &[
            (1, "ALTER TABLE t ADD CONSTRAINT c CHECK (montant_€ >= 0);"),
            (2, "SELECT 'é;ü';"),
        ],
    );
    check(
        "-- café; thé\nSELECT `日本;` FROM t;",
        &[(2, "SELECT `日本;` FROM t;")],
    );
}

#[test]
fn lines_count_from_the_chunk_start() {
    let pieces = split("\n\nSELECT 1;\nSELECT\n 2;", 10).expect("split");
    let lines: Vec<usize> = pieces.iter().map(|p| p.line).collect();
    assert_eq!(lines, [12, 13]);
}

#[test]
fn bodies_of_routines_triggers_and_events_are_sent_whole() {
    let trigger = "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END;";
    check(trigger, &[(1, trigger)]);
    let procedure = "CREATE DEFINER=`root`@`localhost` PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\n  CASE WHEN 1 THEN SELECT 2; END CASE;\n  SELECT CASE WHEN 1 THEN 'a' END;\n  l: LOOP LEAVE l; END LOOP l;\n  WHILE 0 DO SELECT 3; END WHILE;\n  REPEAT SELECT 4; UNTIL 1 END REPEAT;\n  BEGIN SELECT 5; END;\nEND;";
    check(
        &format!("{procedure}\nSELECT 6;"),
        &[(1, procedure), (11, "SELECT 6;")],
    );
    let function = "CREATE OR REPLACE DEFINER = root@localhost FUNCTION f() RETURNS int DETERMINISTIC BEGIN DECLARE x int; SET x = IF(1, 2, 3); RETURN REPEAT('a', 2) = 'aa'; END";
    check(function, &[(1, function)]);
    let event = "CREATE DEFINER = CURRENT_USER EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END;";
    check(event, &[(1, event)]);
    for definer in ["'root'@'%'", "root", "`root`@localhost", "CURRENT_USER()"] {
        let sql = format!("CREATE DEFINER = {definer} TRIGGER tr AFTER DELETE ON t FOR EACH ROW BEGIN DELETE FROM u; DELETE FROM v; END;");
        check(&sql, &[(1, sql.as_str())]);
    }
    let case = "CREATE FUNCTION g(x int) RETURNS int RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;";
    check(&format!("{case} SELECT 1;"), &[(1, case), (1, "SELECT 1;")]);
    let block = "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END;";
    check(block, &[(1, block)]);
}

#[test]
fn a_body_may_name_columns_end_and_begin() {
    let trigger =
        "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW BEGIN SET NEW.end = OLD.begin; END;";
    check(
        &format!("{trigger} SELECT 1;"),
        &[(1, trigger), (1, "SELECT 1;")],
    );
}

#[test]
fn routines_without_a_body_end_at_their_semicolon() {
    check(
        "CREATE FUNCTION f() RETURNS int RETURN 1; SELECT f();",
        &[
            (1, "CREATE FUNCTION f() RETURNS int RETURN 1;"),
            (1, "SELECT f();"),
        ],
    );
    check(
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1; SELECT 1;",
        &[
            (
                1,
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;",
            ),
            (1, "SELECT 1;"),
        ],
    );
}

#[test]
fn tables_named_like_routines_are_plain_statements() {
    check(
        "CREATE TABLE event (id int);\nCREATE TABLE `trigger` (id int);\nCREATE TABLE begin_end (id int);\nSELECT 1;",
        &[
            (1, "CREATE TABLE event (id int);"),
            (2, "CREATE TABLE `trigger` (id int);"),
            (3, "CREATE TABLE begin_end (id int);"),
            (4, "SELECT 1;"),
        ],
    );
    check(
        "CREATE INDEX procedure_idx ON t (function);\nCREATE VIEW v AS SELECT 1 AS event;",
        &[
            (1, "CREATE INDEX procedure_idx ON t (function);"),
            (2, "CREATE VIEW v AS SELECT 1 AS event;"),
        ],
    );
}

#[test]
fn a_transaction_begin_is_a_plain_statement() {
    check(
        "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
        &[
            (1, "BEGIN;"),
            (2, "INSERT INTO t VALUES (1);"),
            (3, "COMMIT;"),
        ],
    );
}

#[test]
fn delimiter_is_refused_with_its_line() {
    let e = refused(
        "SELECT 1;\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\n",
    );
    assert_eq!(e, SplitError::Delimiter { line: 2 });
    assert!(e.to_string().contains("not SQL"), "{e}");
}

#[test]
fn unreadable_text_is_refused_with_its_line() {
    assert_eq!(refused("SELECT 1;\nSELECT 'open;\n").line(), 2);
    assert_eq!(refused("SELECT 1;\n\nSELECT `open;\n").line(), 3);
    // An unclosed comment is found where the text ends.
    let e = refused("SELECT 1; /* open\n\n");
    assert_eq!(e.line(), 3);
    assert!(e.to_string().contains("multi-line comment"), "{e}");
}

#[test]
fn a_body_without_its_end_is_refused_with_the_statement_line() {
    let e = refused("SELECT 1;\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n");
    assert_eq!(e, SplitError::Unclosed { line: 2 });
}
