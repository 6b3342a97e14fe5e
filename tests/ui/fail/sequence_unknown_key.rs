use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", strat = 1000)]
struct OrderNumbers;
fn main() {}
