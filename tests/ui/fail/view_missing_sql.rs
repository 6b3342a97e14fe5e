use schema_macros::View;

#[derive(View)]
#[view(name = "open_issues")]
struct OpenIssue {
    id: i64,
}

fn main() {}
