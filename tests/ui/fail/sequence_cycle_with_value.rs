use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", cycle = true)]
struct OrderNumbers;
fn main() {}
