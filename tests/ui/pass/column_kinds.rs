// Generated columns and identity options (issue 13), and what the derive describes.

use schema_core::model::{Generated, IdentityOptions};
use schema_macros::Table;

#[derive(Table)]
#[table(name = "order_lines")]
pub struct OrderLine {
    #[column(primary_key, identity(always, start = 100, increment = 10, min = 1, max = 1000000, cache = 20, cycle))]
    pub id: i64,
    pub price: i32,
    pub quantity: i32,
    #[column(generated = "price * quantity")]
    pub total: i32,
    #[column(generated = "price + quantity", virtual)]
    pub sum: Option<i32>,
    #[column(identity(increment = -1))]
    pub countdown: i32,
    #[column(identity())]
    pub plain: i16,
}

fn main() {
    let def = <OrderLine as schema_core::Table>::table_def();
    let field = |n: &str| def.fields.iter().find(|f| f.field == n).unwrap();
    assert!(field("id").identity);
    assert_eq!(
        field("id").identity_options,
        IdentityOptions {
            always: true,
            start: Some(100),
            increment: Some(10),
            min: Some(1),
            max: Some(1000000),
            cache: Some(20),
            cycle: true,
        }
    );
    assert_eq!(field("countdown").identity_options.increment, Some(-1));
    assert!(field("plain").identity && field("plain").identity_options.is_empty());
    assert_eq!(
        field("total").generated,
        Some(Generated { expr: "price * quantity".into(), is_virtual: false })
    );
    assert_eq!(
        field("sum").generated,
        Some(Generated { expr: "price + quantity".into(), is_virtual: true })
    );
    assert!(field("price").generated.is_none());
}
