use schema_macros::View;

#[derive(View)]
#[view(sql = "SELECT id FROM issues; DROP TABLE issues")]
struct OpenIssue {
    id: i64,
}

fn main() {}
