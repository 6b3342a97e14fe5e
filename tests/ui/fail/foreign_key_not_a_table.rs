// `references` of a struct-level foreign key names something that is no Table.
use schema_macros::Table;

struct OrderLine {
    order_id: i64,
}

#[derive(Table)]
#[foreign_key(columns(order_id), references = OrderLine, ref_columns(order_id))]
struct Shipment {
    #[column(primary_key)]
    id: i64,
    order_id: i64,
}

fn main() {}
