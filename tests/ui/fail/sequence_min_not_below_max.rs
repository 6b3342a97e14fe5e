use schema_macros::Sequence;
#[derive(Sequence)]
#[sequence(name = "order_numbers", min = 100, max = 10)]
struct OrderNumbers;
#[derive(Sequence)]
#[sequence(name = "ticket_numbers", max = 0)]
struct TicketNumbers;
fn main() {}
