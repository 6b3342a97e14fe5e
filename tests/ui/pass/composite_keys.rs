// Composite primary keys, foreign keys from and to them, renames, and references across
// modules by path.

use schema_core::model::FkAction;
use schema_macros::Table;

mod accounts {
    use schema_macros::Table;

    #[derive(Table)]
    #[table(name = "accounts")]
    pub struct Account {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(unique)]
        pub handle: String,
    }
}

#[derive(Table)]
#[table(name = "memberships", renamed_from = "members")]
#[primary_key(project_id, account_id)]
#[index(columns(account_id), using = "hash")]
pub struct Membership {
    #[column(references = Project::id, on_delete = "cascade")]
    pub project_id: i32,
    #[column(name = "member_id", renamed_from = "user_id", references = accounts::Account::id, on_delete = "restrict", on_update = "cascade")]
    pub account_id: i64,
    #[column(default = "member", sql_type = "varchar(20)")]
    pub role: String,
}

#[derive(Table)]
#[table(name = "projects")]
pub struct Project {
    #[column(primary_key, identity)]
    pub id: i32,
    #[column(references = accounts::Account::id, on_delete = "set default", default = 0)]
    pub owner_id: i64,
    #[column(references = Project::id)]
    pub parent_id: Option<i32>,
}

fn main() {
    let m = <Membership as schema_core::Table>::table_def();
    assert_eq!(m.name, "memberships");
    assert_eq!(m.renamed_from.as_deref(), Some("members"));
    assert_eq!(m.primary_key, ["project_id", "account_id"], "field names, in the order given");
    assert_eq!(m.fields[1].name, "member_id");
    assert_eq!(m.fields[1].renamed_from.as_deref(), Some("user_id"));
    let r = m.fields[1].references.as_ref().unwrap();
    assert_eq!((r.table.as_str(), r.field.as_str()), ("Account", "id"));
    assert_eq!((r.on_delete, r.on_update), (FkAction::Restrict, FkAction::Cascade));
    assert_eq!(m.indexes[0].using.as_deref(), Some("hash"));

    let p = <Project as schema_core::Table>::table_def();
    let a = <accounts::Account as schema_core::Table>::table_def();
    assert_eq!(p.fields[2].references.as_ref().unwrap().table, "Project", "self reference");
    assert!(p.fields[2].nullable);

    let schema = schema_core::resolve::resolve(&[m, p, a], &[]).expect("resolves");
    let t = &schema.tables["public.memberships"];
    let pk = t.primary_key.as_ref().unwrap();
    assert_eq!(pk.name, "memberships_pkey");
    assert_eq!(pk.columns, ["project_id", "member_id"], "SQL names in the resolved key");
    assert!(t.columns.iter().all(|c| !c.nullable));
    assert_eq!(t.column("role").unwrap().default.as_deref(), Some("'member'"));
    let fk = t.foreign_keys.iter().find(|f| f.columns == ["member_id"]).unwrap();
    assert_eq!(fk.name, "memberships_member_id_fkey");
    assert_eq!((fk.ref_table.as_str(), fk.ref_columns.as_slice()), ("accounts", &["id".to_string()][..]));
    let projects = &schema.tables["public.projects"];
    let parent = projects.foreign_keys.iter().find(|f| f.columns == ["parent_id"]).unwrap();
    assert_eq!(parent.ref_table, "projects");
    assert_eq!(parent.on_delete, FkAction::NoAction);
    assert!(schema.tables["public.accounts"].uniques.iter().any(|u| u.name == "accounts_handle_key"));
}
