//! The MySQL model `adapt` makes (the contract introspection reads back to), and its errors
//! for what MySQL cannot hold, each naming the struct and field.

use crate::build::*;
use crate::mysql_build::{adapt, adapt_errors};
use insta::assert_snapshot;
use schema_core::model::FkAction;

#[test]
fn the_model_mysql_stores() {
    let before = schema(
        vec![
            table("accounts")
                .id()
                .col(col("email", builtin("character varying(320)")))
                .col(col("state", enum_ty("state")).default("'open'"))
                .col(col("created_at", builtin("timestamp with time zone")).default("now()"))
                .col(col("active", builtin("boolean")).default("false"))
                .unique(&["email"])
                .index(&["state", "email"])
                .with_index(|i| {
                    i.using = Some("BTREE".into());
                    i.concurrently = true;
                }),
            table("posts")
                .id()
                .col(int("account_id"))
                .col(int("editor_id").null())
                .col(int("rank"))
                .col(int("score").null().default("NULL"))
                .index(&["account_id", "rank"])
                .fk(&["account_id"], "accounts", &["id"])
                .fk(&["editor_id"], "accounts", &["id"])
                .on(FkAction::SetNull, FkAction::NoAction),
        ],
        vec![db_enum("state", &["open", "closed"])],
    );
    assert_snapshot!(serde_json::to_string_pretty(&adapt(&before)).expect("serializes"));
}

#[test]
fn what_mysql_lacks_is_an_error_naming_struct_and_field() {
    let wrong = schema(
        vec![
            table("tagged")
                .schema("audit")
                .col(int("id"))
                .col(int("other").identity())
                .col(col("tags", array(builtin("text"))))
                .col(col("body", builtin("longtext")))
                .col(col("spent", builtin("interval")))
                .pk(&["id"])
                .index(&["body"])
                .index(&["id"])
                .with_index(|i| i.predicate = Some("id > 0".into()))
                .index(&["other"])
                .with_index(|i| i.using = Some("gin".into())),
            table("named")
                .col(col("slug", builtin("text")).identity())
                .pk(&["slug"])
                .col(int("parent_id"))
                .fk(&["parent_id"], "named", &["slug"])
                .on(FkAction::SetNull, FkAction::SetDefault),
            table("counted")
                .id()
                .col(int("named_id"))
                .fk(&["named_id"], "named", &["slug"])
                .on(FkAction::Cascade, FkAction::NoAction)
                .check("counted_check", "`id` > 0")
                .check("counted_named_check", "`named_id` > 0"),
        ],
        vec![],
    );
    assert_snapshot!(adapt_errors(&wrong));
}
