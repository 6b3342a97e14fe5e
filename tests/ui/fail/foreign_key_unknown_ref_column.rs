// A struct-level foreign key naming a field the referenced struct lacks.
use schema_macros::Table;

#[derive(Table)]
#[primary_key(order_id, line)]
struct OrderLine {
    order_id: i64,
    line: i32,
}

#[derive(Table)]
#[foreign_key(columns(order_id, line), references = OrderLine, ref_columns(order_id, lin))]
struct Shipment {
    #[column(primary_key)]
    id: i64,
    order_id: i64,
    line: i32,
}

fn main() {}
