use schema_macros::View;

#[derive(View)]
#[view(sql = "SELECT id FROM issues")]
struct OpenIssue(i64);

fn main() {}
