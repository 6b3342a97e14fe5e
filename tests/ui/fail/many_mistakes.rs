use schema_macros::Table;

// Several independent mistakes in one struct: every one of them is reported in one compile.
#[derive(Table)]
#[table(nmae = "accounts")]
#[index(columns(created))]
struct Account {
    #[column(nullable)]
    id: i64,
    #[column(default = "zero")]
    age: i32,
    logins: u32,
    #[column(identity)]
    email: String,
    #[column(name = "email")]
    backup_email: String,
    #[column(on_update = "cascade")]
    owner_id: i64,
}

fn main() {}
