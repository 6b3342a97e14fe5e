use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", start = "1000", cache = 2.5)]
struct OrderNumbers;
fn main() {}
