// Mistakes in #[foreign_key(..)]: counts that differ, an unknown local field, a missing
// `references`, a field path in `references`, an unknown key, a bad action.
use schema_macros::Table;

#[derive(Table)]
#[primary_key(order_id, line)]
struct OrderLine {
    order_id: i64,
    line: i32,
}

#[derive(Table)]
#[foreign_key(columns(order_id, line), references = OrderLine, ref_columns(order_id))]
#[foreign_key(columns(order_id, lin), references = OrderLine, ref_columns(order_id, line))]
#[foreign_key(columns(order_id), ref_columns(order_id))]
#[foreign_key(columns(order_id), references = "OrderLine", ref_columns(order_id))]
#[foreign_key(columns(order_id), references = OrderLine, ref_columns(order_id), on_delte = "cascade")]
#[foreign_key(columns(order_id), references = OrderLine, ref_columns(order_id), on_delete = "set_null")]
#[foreign_key(columns(order_id), references = OrderLine)]
struct Shipment {
    #[column(primary_key)]
    id: i64,
    order_id: i64,
    line: i32,
}

fn main() {}
