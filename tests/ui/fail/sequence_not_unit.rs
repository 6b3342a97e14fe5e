use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers")]
struct OrderNumbers { next: i64 }
fn main() {}
