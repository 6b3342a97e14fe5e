use schema_macros::View;

#[derive(View)]
#[view(sql = "SELECT id, id FROM issues", materialized = true)]
struct OpenIssue {
    id: i64,
    #[column(name = "id")]
    other: i64,
}

fn main() {}
