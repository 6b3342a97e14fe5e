//! Column types the generator draws from, with the defaults that fit each and the types each can
//! be cast to (`ALTER COLUMN .. TYPE .. USING "c"::new` on an empty table).

use schema_core::def::{DefaultDef, FieldType};
use schema_core::types::normalize;

/// A column type; enums are named by their Rust name, which edits never change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    SmallInt,
    Integer,
    BigInt,
    Real,
    Double,
    Numeric,
    Boolean,
    Text,
    Varchar(u16),
    Bytea,
    Uuid,
    Timestamptz,
    Timestamp,
    Date,
    Jsonb,
    TextArray,
    IntegerArray,
    Enum(String),
    EnumArray(String),
}

use Ty::*;

const BUILTINS: usize = 18;

/// A type picked by `sel`; an enum or an enum array only when `enums` (Rust names) is not empty.
pub fn pick(sel: u8, enums: &[String]) -> Ty {
    let choices = BUILTINS + if enums.is_empty() { 0 } else { 3 };
    let k = sel as usize % choices;
    let e = || enums[(sel as usize / choices) % enums.len()].clone();
    match k {
        0 => SmallInt,
        1 => Integer,
        2 => BigInt,
        3 => Real,
        4 => Double,
        5 => Numeric,
        6 => Boolean,
        7 => Text,
        8 => Varchar(40),
        9 => Varchar(255),
        10 => Bytea,
        11 => Uuid,
        12 => Timestamptz,
        13 => Timestamp,
        14 => Date,
        15 => Jsonb,
        16 => TextArray,
        17 => IntegerArray,
        18 | 19 => Enum(e()),
        _ => EnumArray(e()),
    }
}

impl Ty {
    /// The SQL spelling of a built-in type (`None` for enums).
    pub fn sql(&self) -> Option<String> {
        Some(match self {
            SmallInt => "smallint".into(),
            Integer => "integer".into(),
            BigInt => "bigint".into(),
            Real => "real".into(),
            Double => "double precision".into(),
            Numeric => "numeric".into(),
            Boolean => "boolean".into(),
            Text => "text".into(),
            Varchar(n) => format!("varchar({n})"),
            Bytea => "bytea".into(),
            Uuid => "uuid".into(),
            Timestamptz => "timestamptz".into(),
            Timestamp => "timestamp".into(),
            Date => "date".into(),
            Jsonb => "jsonb".into(),
            TextArray => "text[]".into(),
            IntegerArray => "integer[]".into(),
            Enum(_) | EnumArray(_) => return None,
        })
    }

    /// The field type the parser reads for this type.
    pub fn field_type(&self) -> FieldType {
        match self {
            Enum(rust) => FieldType::User {
                rust: rust.clone(),
                array: false,
            },
            EnumArray(rust) => FieldType::User {
                rust: rust.clone(),
                array: true,
            },
            _ => FieldType::Sql(normalize(&self.sql().unwrap_or_default())),
        }
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, SmallInt | Integer | BigInt)
    }

    pub fn is_array(&self) -> bool {
        matches!(self, TextArray | IntegerArray | EnumArray(_))
    }

    /// The enum this type uses, by Rust name.
    pub fn enum_name(&self) -> Option<&str> {
        match self {
            Enum(e) | EnumArray(e) => Some(e),
            _ => None,
        }
    }

    /// Defaults that fit: literals the parser accepts for the type, or `default_sql`.
    /// `values` are the labels of the enum the type uses.
    pub fn defaults(&self, values: &[String]) -> Vec<DefaultDef> {
        use DefaultDef::{Bool, Float, Int, Sql, Str};
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        match self {
            SmallInt | Integer | BigInt => s(&["0", "7", "-3"]).into_iter().map(Int).collect(),
            Real | Double | Numeric => {
                vec![Float("1.5".into()), Int("2".into()), Float("-0.25".into())]
            }
            Boolean => vec![Bool(true), Bool(false)],
            Text | Varchar(_) => s(&["", "x", "it's"]).into_iter().map(Str).collect(),
            Bytea => vec![Sql("'\\x00'::bytea".into())],
            Uuid => vec![
                Str("00000000-0000-0000-0000-000000000000".into()),
                Sql("gen_random_uuid()".into()),
            ],
            Timestamptz => vec![
                Sql("now()".into()),
                Sql("CURRENT_TIMESTAMP".into()),
                Str("2020-01-01 00:00:00+00".into()),
            ],
            Timestamp => vec![Sql("now()".into()), Str("2020-01-01 00:00:00".into())],
            Date => vec![Sql("CURRENT_DATE".into()), Str("2020-01-01".into())],
            Jsonb => vec![Sql("'{}'::jsonb".into()), Sql("'[]'".into())],
            TextArray | IntegerArray | EnumArray(_) => vec![Sql("'{}'".into())],
            Enum(_) => values.iter().cloned().map(Str).collect(),
        }
    }

    /// The types a column of this type can be changed to with a cast PostgreSQL has;
    /// `enums` are the Rust names of the enums that exist.
    pub fn casts(&self, enums: &[String]) -> Vec<Ty> {
        let numbers = [SmallInt, Integer, BigInt, Real, Double, Numeric];
        let times = [Timestamptz, Timestamp, Date];
        let mut out: Vec<Ty> = match self {
            SmallInt | Integer | BigInt | Real | Double | Numeric => {
                let mut v: Vec<Ty> = numbers.to_vec();
                v.extend([Text, Varchar(40)]);
                if *self == Integer {
                    v.push(Boolean);
                }
                v
            }
            Boolean => vec![Integer, Text],
            Text | Varchar(_) => {
                let mut v = vec![Text, Varchar(40), Varchar(255), Integer, BigInt, Numeric];
                v.extend([
                    Boolean,
                    Bytea,
                    Uuid,
                    Timestamptz,
                    Timestamp,
                    Date,
                    Jsonb,
                    TextArray,
                ]);
                v.extend(enums.iter().cloned().map(Enum));
                v
            }
            Bytea | Uuid | Jsonb => vec![Text, Varchar(255)],
            Timestamptz | Timestamp | Date => {
                let mut v = times.to_vec();
                v.push(Text);
                v
            }
            Enum(_) => {
                let mut v = vec![Text, Varchar(40)];
                v.extend(enums.iter().cloned().map(Enum));
                v
            }
            TextArray => {
                let mut v = vec![IntegerArray, Text];
                v.extend(enums.iter().cloned().map(EnumArray));
                v
            }
            IntegerArray => vec![TextArray],
            EnumArray(_) => {
                let mut v = vec![TextArray];
                v.extend(enums.iter().cloned().map(EnumArray));
                v
            }
        };
        out.retain(|t| t != self);
        out
    }
}
