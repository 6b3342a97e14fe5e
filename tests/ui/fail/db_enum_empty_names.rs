// Empty names in #[db_enum]: the type's name and a variant's label.

use schema_macros::DbEnum;
#[derive(DbEnum)]
#[db_enum(name = "")]
enum IssueState {
    Open,
    #[db_enum(rename = " ")]
    Closed,
}
fn main() {}
