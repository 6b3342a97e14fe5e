// Issue 13's constraints: a named primary key (composite and single), struct-level composite
// foreign keys to a primary key and to a unique set, and `nulls_not_distinct`.

use schema_core::model::FkAction;
use schema_macros::Table;

mod orders {
    use schema_macros::Table;

    #[derive(Table)]
    #[table(name = "orders")]
    #[primary_key(id, name = "orders_pk")]
    pub struct Order {
        pub id: i64,
        pub region: i32,
        pub number: i64,
    }
}

#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(order_id, line, name = "order_lines_pk")]
#[unique(columns(order_id, sku), nulls_not_distinct)]
#[index(columns(sku), unique, nulls_not_distinct, name = "order_lines_sku_idx")]
pub struct OrderLine {
    #[column(references = orders::Order::id)]
    pub order_id: i64,
    pub line: i32,
    pub sku: Option<String>,
}

#[derive(Table)]
#[table(name = "shipments")]
#[foreign_key(columns(order_id, line), references = OrderLine, ref_columns(order_id, line), name = "shipments_line_fk", on_delete = "cascade", on_update = "no action")]
#[foreign_key(columns(line_order, line_sku), references = OrderLine, ref_columns(order_id, sku))]
pub struct Shipment {
    #[column(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub line: Option<i32>,
    pub line_order: Option<i64>,
    pub line_sku: Option<String>,
}

fn main() {
    let o = <orders::Order as schema_core::Table>::table_def();
    let l = <OrderLine as schema_core::Table>::table_def();
    let s = <Shipment as schema_core::Table>::table_def();
    assert_eq!(o.primary_key_name.as_deref(), Some("orders_pk"));
    assert!(l.uniques[0].nulls_not_distinct);
    assert!(l.indexes[0].nulls_not_distinct);
    assert_eq!(s.foreign_keys.len(), 2);
    assert_eq!(s.foreign_keys[0].table, "OrderLine");
    assert_eq!(s.foreign_keys[0].on_delete, FkAction::Cascade);

    let schema = schema_core::resolve::resolve(&[o, l, s], &[]).expect("resolves");
    assert_eq!(schema.tables["public.orders"].primary_key.as_ref().unwrap().name, "orders_pk");
    let lines = &schema.tables["public.order_lines"];
    assert_eq!(lines.primary_key.as_ref().unwrap().name, "order_lines_pk");
    assert!(lines.uniques[0].nulls_not_distinct);
    let shipments = &schema.tables["public.shipments"];
    let names: Vec<&str> = shipments.foreign_keys.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["shipments_line_fk", "shipments_line_order_line_sku_fkey"]);
    assert_eq!(shipments.foreign_keys[1].ref_columns, ["order_id", "sku"]);
}
