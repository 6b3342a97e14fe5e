// A primary key name that is empty, given twice, or not a string; a key that is no field.
use schema_macros::Table;

#[derive(Table)]
#[primary_key(order_id, line, name = "")]
struct OrderLine {
    order_id: i64,
    line: i32,
}

#[derive(Table)]
#[primary_key(id, name = "a_pk", name = "b_pk")]
struct Shipment {
    id: i64,
}

#[derive(Table)]
#[primary_key(id, name = shipment_pk, sorted = true)]
struct Parcel {
    id: i64,
}

fn main() {}
