use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", increment = 0)]
struct OrderNumbers;
fn main() {}
