use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "", renamed_from = " ")]
struct OrderNumbers;
fn main() {}
