//! Accounts and the projects they own.

use chrono::{DateTime, Utc};
use schema_macros::Table;

#[derive(Table)]
#[table(name = "accounts")]
#[index(columns(created_at))]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique, sql_type = "varchar(320)")]
    pub email: String,
    pub display_name: String,
    #[column(default = true)]
    pub active: bool,
    #[column(default_sql = "now()")]
    pub created_at: DateTime<Utc>,
}

#[derive(Table)]
#[table(name = "projects")]
#[unique(columns(owner_id, slug))]
pub struct Project {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Account::id, on_delete = "cascade")]
    pub owner_id: i64,
    pub slug: String,
    pub title: String,
    #[column(default = false)]
    pub archived: bool,
}
