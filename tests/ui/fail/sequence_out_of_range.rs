use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", max = 9223372036854775808)]
struct OrderNumbers;
fn main() {}
