use schema_macros::Sequence;
#[derive(Sequence)]
struct OrderNumbers<T>(std::marker::PhantomData<T>);
fn main() {}
