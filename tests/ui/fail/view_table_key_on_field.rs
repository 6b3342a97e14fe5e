use schema_macros::View;

#[derive(View)]
#[view(name = "open_issues", sql = "SELECT id, title FROM issues")]
struct OpenIssue {
    #[column(primary_key)]
    id: i64,
    #[column(name = "title", default = "x")]
    title: String,
}

fn main() {}
