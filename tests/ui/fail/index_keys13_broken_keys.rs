// Each key is one column or expression with its options, read with the SQL tokenizer: a
// second key in one string, a statement end, a comment, a dangling NULLS, no key at all, and
// a key that is no string are each an error on their literal.

use schema_macros::Table;
#[derive(Table)]
#[index(keys("email, id"), name = "a")]
#[index(keys("lower(email); DROP TABLE accounts"), name = "b")]
#[index(keys("lower(email) -- note"), name = "c")]
#[index(keys("email NULLS"), name = "d")]
#[index(keys("DESC"), name = "e")]
#[index(keys(email), name = "f")]
#[index(keys(), name = "g")]
#[index(keys = "email", name = "h")]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
}
fn main() {}
