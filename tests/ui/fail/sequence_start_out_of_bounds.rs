use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", start = 5, min = 10, max = 100)]
struct OrderNumbers;
fn main() {}
