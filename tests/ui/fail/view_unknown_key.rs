use schema_macros::View;

#[derive(View)]
#[view(nmae = "open_issues", sql = "SELECT id FROM issues", materialised)]
struct OpenIssue {
    id: i64,
}

fn main() {}
