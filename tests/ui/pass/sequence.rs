// `#[derive(Sequence)]`: every option, negative values, the default name and schema, and the
// description the derive embeds.

use schema_core::model::SequenceOptions;
use schema_core::Sequence as _;
use schema_macros::{Sequence, Table};

#[derive(Sequence)]
#[sequence(
    name = "order_numbers",
    schema = "billing",
    start = 1000,
    increment = 5,
    min = 1000,
    max = 9999999,
    cache = 20,
    cycle,
    renamed_from = "invoice_numbers"
)]
pub struct OrderNumbers;

#[derive(Sequence)]
#[sequence(increment = -1, min = -100, max = -1)]
pub struct CountdownTicks;

#[derive(Table)]
pub struct Order {
    #[column(primary_key)]
    pub id: i64,
    #[column(default_sql = "nextval('billing.order_numbers')")]
    pub number: i64,
}

fn main() {
    let def = OrderNumbers::sequence_def();
    assert_eq!((def.name.as_str(), def.schema.as_str()), ("order_numbers", "billing"));
    assert_eq!(def.renamed_from.as_deref(), Some("invoice_numbers"));
    assert_eq!(
        def.options,
        SequenceOptions {
            start: Some(1000),
            increment: Some(5),
            min: Some(1000),
            max: Some(9999999),
            cache: Some(20),
            cycle: true,
        }
    );
    let countdown = CountdownTicks::sequence_def();
    assert_eq!((countdown.name.as_str(), countdown.schema.as_str()), ("countdown_ticks", "public"));
    assert_eq!(countdown.options.effective().start, -1);
    let mut schema = schema_core::resolve::resolve(&[<Order as schema_core::Table>::table_def()], &[])
        .expect("resolves");
    schema_core::resolve::add_sequences(&mut schema, &[def, countdown]).expect("adds");
    assert_eq!(schema.schemas, ["billing"]);
    assert_eq!(schema.sequences.len(), 2);
}
