//! The MySQL test support: a fresh database per test whose catalog dump names every column,
//! index, foreign key and check, and which is gone after the test.

use tests::mysql::TestDb;

#[tokio::test]
async fn catalog_names_every_object_and_the_database_is_dropped() {
    let Some(db) = TestDb::create("catalog").await else {
        return;
    };
    db.execute(
        "CREATE TABLE `a` (`id` bigint NOT NULL AUTO_INCREMENT, `email` varchar(320) NOT NULL, \
         PRIMARY KEY (`id`), UNIQUE KEY `a_email_key` (`email`));\
         CREATE TABLE `b` (`id` int NOT NULL, `a_id` bigint DEFAULT NULL, `n` int NOT NULL DEFAULT 0, \
         PRIMARY KEY (`id`), CONSTRAINT `b_a_id_fkey` FOREIGN KEY (`a_id`) REFERENCES `a` (`id`) ON DELETE CASCADE, \
         CONSTRAINT `b_n_check` CHECK (`n` >= 0));",
    )
    .await
    .expect("create tables");
    let dump = db.catalog().await;
    for line in [
        "column a.id bigint(20) not null auto_increment",
        "column a.email varchar(320) not null",
        "column b.n int(11) not null default 0",
        "index a PRIMARY unique (id)",
        "index a a_email_key unique (email)",
        "foreign key b b_a_id_fkey (a_id) references a (id) on delete CASCADE on update RESTRICT",
        "check b b_n_check `n` >= 0",
    ] {
        assert!(
            dump.lines().any(|l| l == line),
            "missing {line:?} in:\n{dump}"
        );
    }
    let name = db.name.clone();
    let pool = sqlx::MySqlPool::connect(&tests::mysql::TestDb::server_url())
        .await
        .expect("admin");
    drop(db);
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?",
    )
    .bind(&name)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(left, 0, "database {name} was left behind");
}
