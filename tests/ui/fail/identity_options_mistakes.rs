// Identity options: an unknown one, a value that is no integer, a zero increment, a cache
// below 1, max not above min, a start outside min..max, and a flag given a value.

use schema_macros::Table;

#[derive(Table)]
struct Ticket {
    #[column(primary_key, identity(strat = 1, increment = 0, cache = 0))]
    id: i64,
    #[column(identity(start = "100", always = true))]
    a: i64,
    #[column(identity(min = 10, max = 5))]
    b: i64,
    #[column(identity(start = 50, min = 1, max = 10))]
    c: i64,
}

fn main() {}
