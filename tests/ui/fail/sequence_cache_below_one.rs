use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", cache = 0)]
struct OrderNumbers;
fn main() {}
