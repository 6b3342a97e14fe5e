use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", start = 1, start = 2)]
struct OrderNumbers;
fn main() {}
