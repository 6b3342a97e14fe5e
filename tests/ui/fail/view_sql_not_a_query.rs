use schema_macros::View;

#[derive(View)]
#[view(sql = "id + 1")]
struct OpenIssue {
    id: i64,
}

fn main() {}
