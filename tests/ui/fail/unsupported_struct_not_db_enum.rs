use schema_macros::Table;

struct Settings {
    dark_mode: bool,
}

#[derive(Table)]
struct Account {
    #[column(primary_key)]
    id: i64,
    settings: Settings,
}

fn main() {}
