// `#[table(rls)]` and `#[policy(..)]`: `as` and `for` spelled as written, several roles, and
// the description the derive embeds.

use schema_core::model::PolicyCommand;
use schema_core::Table as _;
use schema_macros::Table;

#[derive(Table)]
#[table(name = "notes", rls)]
#[policy(name = "own_rows", as = "restrictive", for = "update", to = "writer, app_user", using = "owner = current_user", with_check = "owner = current_user")]
#[policy(name = "read_all", for = "select", using = "true", renamed_from = "everyone")]
#[policy(name = "insert_own", for = "insert", with_check = "owner = current_user")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    pub owner: String,
}

fn main() {
    let def = Note::table_def();
    assert!(def.rls);
    assert_eq!(def.policies.len(), 3);
    let own = &def.policies[0];
    assert!(own.restrictive);
    assert_eq!(own.command, PolicyCommand::Update);
    assert_eq!(own.roles, ["app_user", "writer"]);
    assert_eq!(def.policies[1].command, PolicyCommand::Select);
    assert!(!def.policies[1].restrictive);
    assert_eq!(def.policies[1].renamed_from.as_deref(), Some("everyone"));
    assert_eq!(def.policies[2].using, None);
}
