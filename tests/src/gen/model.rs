//! The generator's own model of a definition set: built from specs, repaired into something
//! the parser and resolver accept, and written out as definitions (`defs`).
//!
//! Fields keep stable Rust identifiers while their SQL names change, and checks and partial
//! predicates name fields, so an edit such as a rename carries through to every expression.
//! `orig` remembers the name an object had in schema A; it becomes `renamed_from` in B.

use super::kinds::{CompositeKey, Policy};
use super::objects::{Sequence, View};
use super::spec::{EnumSpec, FieldSpec, IndexSpec, SchemaSpec, TableSpec};
use super::ty::{self, Ty};
use schema_core::def::{DefaultDef, ReferenceDef};
use schema_core::model::{FkAction, IdentityOptions, IndexKey};
use std::collections::BTreeSet;

/// Names that need quoting (`user`, `order`, `createdAt`) and names long enough that derived
/// constraint names are cut to 63 bytes are among them.
pub const TABLE_NAMES: &[&str] = &[
    "accounts",
    "projects",
    "items",
    "events",
    "tags",
    "user",
    "notes",
    "teams",
    "subscription_plan_history_entries_for_billing_accounts",
];
pub const COLUMN_NAMES: &[&str] = &[
    "id",
    "name",
    "email",
    "age",
    "score",
    "flag",
    "order",
    "body",
    "labels",
    "kind",
    "createdAt",
    "amount",
    "parent",
    "owner",
    "uid",
    "total",
    "last_successful_synchronization_attempt_at",
];
pub const ENUM_NAMES: &[&str] = &["mood", "state", "level", "color", "phase"];
pub const ENUM_VALUES: &[&str] = &[
    "open",
    "closed",
    "draft",
    "in review",
    "it's",
    "archived",
    "new",
];

const ACTIONS: [FkAction; 5] = [
    FkAction::NoAction,
    FkAction::Restrict,
    FkAction::Cascade,
    FkAction::SetNull,
    FkAction::SetDefault,
];

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub tables: Vec<Table>,
    pub enums: Vec<Enum>,
    /// `#[derive(Sequence)]`s (PostgreSQL only; the other dialects leave them out).
    pub sequences: Vec<Sequence>,
    /// `#[derive(View)]`s, each reading one table.
    pub views: Vec<View>,
    pub next_id: usize,
    /// Every (schema, name) a table ever had: a new name never takes an old one, since the
    /// diff pairs equal names and an unrelated table of that name need not be castable.
    pub used: BTreeSet<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub rust: String,
    pub name: String,
    pub schema: String,
    pub orig: Option<(String, String)>,
    pub fields: Vec<Field>,
    pub primary_key: Vec<String>,
    /// `name = ".."` of `#[primary_key(..)]`; the derived `<table>_pkey` when `None`.
    pub pk_name: Option<String>,
    pub indexes: Vec<Index>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    /// Struct-level `#[foreign_key(columns(..), ..)]`s over two or more columns.
    pub foreign_keys: Vec<CompositeKey>,
    /// `#[table(rls)]` (PostgreSQL only).
    pub rls: bool,
    /// `#[policy(..)]`s (PostgreSQL only).
    pub policies: Vec<Policy>,
    /// The next number for a field identifier or an explicit name.
    pub next: usize,
    /// Every name a column of this table ever had (see [`Model::used`]).
    pub used: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub ident: String,
    pub name: String,
    pub orig: Option<String>,
    pub ty: Ty,
    /// The type in schema A: casts are chosen from it, since B's type must be castable from A's.
    pub orig_ty: Option<Ty>,
    pub nullable: bool,
    pub default: Option<DefaultDef>,
    pub identity: bool,
    /// `identity(..)`'s options (PostgreSQL only); empty for a bare `identity`.
    pub identity_options: IdentityOptions,
    /// `generated = "\"<source>\" <op>"`: the source field (an integer field of the same
    /// table) and the operation applied to it, `* 2` for example.
    pub generated: Option<(String, &'static str)>,
    pub unique: bool,
    pub index: bool,
    pub references: Option<ReferenceDef>,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub columns: Vec<String>,
    pub name: Option<String>,
    pub unique: bool,
    /// The field of a `"<col>" IS NOT NULL` predicate.
    pub predicate: Option<String>,
    pub using: Option<&'static str>,
    /// The first key descends: written `keys("<col>" DESC, ..)` (btree only).
    pub desc: bool,
    /// `nulls_not_distinct` (a unique btree index only; PostgreSQL only).
    pub nnd: bool,
}

#[derive(Debug, Clone)]
pub struct Unique {
    pub columns: Vec<String>,
    pub name: Option<String>,
    /// `nulls_not_distinct` (PostgreSQL only).
    pub nnd: bool,
}

/// `"<col>" > <bound>` on an integer field.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: Option<String>,
    pub column: String,
    pub bound: i32,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub rust: String,
    pub name: String,
    pub schema: String,
    pub orig: Option<(String, String)>,
    pub values: Vec<String>,
}

/// The first name of `pool`, starting at `sel`, that `taken` does not hold; numbered when
/// every name is taken.
pub fn free_name(pool: &[&str], sel: u8, taken: impl Fn(&str) -> bool) -> String {
    let start = sel as usize;
    (0..)
        .flat_map(|round: usize| {
            (0..pool.len()).map(move |i| {
                let base = pool[(start + i) % pool.len()];
                if round == 0 {
                    base.to_string()
                } else {
                    format!("{base}{round}")
                }
            })
        })
        .find(|n| !taken(n))
        .unwrap_or_default()
}

pub fn action(sel: u8) -> FkAction {
    ACTIONS[sel as usize % ACTIONS.len()]
}

fn schema_of(audit: bool) -> String {
    if audit { "audit" } else { "public" }.to_string()
}

impl Model {
    /// Schema A: built from the spec, repaired, every object remembering its name.
    pub fn build(spec: &SchemaSpec) -> Model {
        let mut m = Model::default();
        for e in &spec.enums {
            m.add_enum(e);
        }
        let added: Vec<usize> = spec.tables.iter().map(|t| m.add_table(t)).collect();
        for (ti, t) in added.into_iter().zip(&spec.tables) {
            m.link_fields(ti, t);
        }
        for s in &spec.sequences {
            m.add_sequence(s);
        }
        for v in &spec.views {
            m.add_view(v);
        }
        m.repair();
        for t in &mut m.tables {
            t.orig = Some((t.schema.clone(), t.name.clone()));
            for f in &mut t.fields {
                f.orig = Some(f.name.clone());
                f.orig_ty = Some(f.ty.clone());
            }
            for p in &mut t.policies {
                p.orig = Some(p.name.clone());
            }
        }
        for e in &mut m.enums {
            e.orig = Some((e.schema.clone(), e.name.clone()));
        }
        for s in &mut m.sequences {
            s.orig = Some((s.schema.clone(), s.name.clone()));
        }
        for v in &mut m.views {
            v.orig = Some((v.schema.clone(), v.name.clone()));
        }
        m
    }

    pub fn add_enum(&mut self, spec: &EnumSpec) {
        let schema = schema_of(spec.audit);
        let name = free_name(ENUM_NAMES, spec.name, |n| {
            self.enums.iter().any(|e| e.schema == schema && e.name == n)
        });
        let mut values: Vec<String> = spec
            .values
            .iter()
            .map(|v| ENUM_VALUES[*v as usize % ENUM_VALUES.len()].to_string())
            .collect();
        super::repair::dedup(&mut values);
        let rust = format!("E{}", self.next_id);
        self.next_id += 1;
        self.enums.push(Enum {
            rust,
            name,
            schema,
            orig: None,
            values,
        });
    }

    /// Adds a table (references are linked by [`Model::link_fields`]); returns its index.
    pub fn add_table(&mut self, spec: &TableSpec) -> usize {
        let schema = schema_of(spec.audit);
        let name = free_name(TABLE_NAMES, spec.name, |n| {
            self.used.contains(&(schema.clone(), n.to_string()))
        });
        self.used.insert((schema.clone(), name.clone()));
        let rust = format!("T{}", self.next_id);
        self.next_id += 1;
        let mut t = Table {
            rust,
            name,
            schema,
            orig: None,
            fields: Vec::new(),
            primary_key: Vec::new(),
            pk_name: None,
            indexes: Vec::new(),
            uniques: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            rls: spec.rls.is_some(),
            policies: Vec::new(),
            next: 0,
            used: BTreeSet::new(),
        };
        for f in &spec.fields {
            t.add_field(f, &self.enums);
        }
        let n = t.fields.len();
        let (a, b, composite) = spec.primary_key;
        let first = a as usize % n;
        t.primary_key.push(t.fields[first].ident.clone());
        if spec.int_key {
            let f = &mut t.fields[first];
            f.ty = if b % 2 == 0 { Ty::BigInt } else { Ty::Integer };
            f.default = None;
            // An integer key with identity options drawn is numbered by the database.
            f.identity |= spec.fields[first].identity_options.is_some();
        }
        if composite && n >= 2 {
            let second = (first + 1 + b as usize % (n - 1)) % n;
            t.primary_key.push(t.fields[second].ident.clone());
        }
        if b % 3 == 0 {
            t.pk_name = Some(format!("{}_pk", t.name));
        }
        let wants_gin = spec.indexes.iter().any(|i| matches!(i.using, 4 | 5));
        if wants_gin && !t.fields.iter().any(|f| f.ty.is_array()) {
            let f = t
                .fields
                .iter_mut()
                .rev()
                .find(|f| !t.primary_key.contains(&f.ident));
            if let Some(f) = f {
                f.ty = Ty::TextArray;
                f.default = None;
            }
        }
        for i in &spec.indexes {
            t.add_index(i);
        }
        for (a, b, named, nnd) in &spec.uniques {
            t.add_unique(*a, *b, *named);
            if let Some(u) = t.uniques.last_mut() {
                u.nnd = *nnd;
            }
        }
        for (c, bound, named) in &spec.checks {
            t.add_check(*c, *bound, *named);
        }
        for p in spec.rls.iter().flatten() {
            t.add_policy(p);
        }
        for (fi, f) in spec.fields.iter().enumerate() {
            if let Some((src, op)) = f.generated {
                t.set_generated(fi, src, op);
            }
        }
        self.tables.push(t);
        self.tables.len() - 1
    }

    pub fn link_fields(&mut self, ti: usize, spec: &TableSpec) {
        for (fi, f) in spec.fields.iter().enumerate() {
            if let Some(r) = f.references {
                self.link(ti, fi, r);
            }
        }
        for k in &spec.composite_keys {
            self.add_composite_key(ti, k);
        }
    }

    /// Makes field `fi` of table `ti` a foreign key to a table's single-column primary key,
    /// giving it the key's type, and the nullability or default its actions need.
    pub fn link(&mut self, ti: usize, fi: usize, (target, del, upd): (u8, u8, u8)) {
        let tj = target as usize % self.tables.len();
        let t = &self.tables[tj];
        let [pk] = t.primary_key.as_slice() else {
            return;
        };
        if tj == ti && self.tables[ti].fields[fi].ident == *pk {
            return;
        }
        let Some(pk_field) = t.field(pk) else {
            return;
        };
        let ty = pk_field.ty.clone();
        let reference = ReferenceDef {
            table: t.rust.clone(),
            field: pk.clone(),
            on_delete: action(del),
            on_update: action(upd),
        };
        let defaults = ty.defaults(&Model::labels(&self.enums, &ty));
        let f = &mut self.tables[ti].fields[fi];
        let actions = [reference.on_delete, reference.on_update];
        if actions.contains(&FkAction::SetNull) {
            f.nullable = true;
        }
        if actions.contains(&FkAction::SetDefault)
            && !f.default.as_ref().is_some_and(|d| defaults.contains(d))
        {
            f.default = defaults.first().cloned();
        }
        f.ty = ty;
        f.references = Some(reference);
    }

    pub fn enum_rusts(&self) -> Vec<String> {
        self.enums.iter().map(|e| e.rust.clone()).collect()
    }

    pub fn labels(enums: &[Enum], ty: &Ty) -> Vec<String> {
        ty.enum_name()
            .and_then(|r| enums.iter().find(|e| e.rust == r))
            .map(|e| e.values.clone())
            .unwrap_or_default()
    }
}

/// `renamed_from` for an object that was `orig` in A: the name, or `schema.name` after a move.
pub(super) fn hint(orig: &Option<(String, String)>, schema: &str, name: &str) -> Option<String> {
    let (s, n) = orig.as_ref()?;
    if s == schema && n == name {
        None
    } else if s == schema {
        Some(n.clone())
    } else {
        Some(format!("{s}.{n}"))
    }
}

impl Table {
    pub fn field(&self, ident: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.ident == ident)
    }

    /// Whether index `i` is written with its first key descending (only a btree can).
    pub(super) fn descending(&self, i: &Index) -> bool {
        i.desc && i.using.is_none_or(|u| u == "btree")
    }

    /// The keys of a descending index: the first column `DESC`, the rest plain, by SQL name.
    pub(super) fn desc_keys(&self, i: &Index) -> Vec<IndexKey> {
        let mut keys: Vec<IndexKey> = i
            .columns
            .iter()
            .map(|c| IndexKey::column(&self.sql_name(c)))
            .collect();
        if let Some(first) = keys.first_mut() {
            first.desc = true;
        }
        keys
    }

    pub(super) fn sql_name(&self, ident: &str) -> String {
        self.field(ident)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    }

    pub(super) fn next_number(&mut self) -> usize {
        self.next += 1;
        self.next - 1
    }

    pub fn add_field(&mut self, spec: &FieldSpec, enums: &[Enum]) -> usize {
        let ident = format!("f{}", self.next_number());
        let name = free_name(COLUMN_NAMES, spec.name, |n| self.used.contains(n));
        self.used.insert(name.clone());
        let rusts: Vec<String> = enums.iter().map(|e| e.rust.clone()).collect();
        let ty = ty::pick(spec.ty, &rusts);
        let defaults = ty.defaults(&Model::labels(enums, &ty));
        let default = spec
            .default
            .filter(|_| !defaults.is_empty())
            .map(|d| defaults[d as usize % defaults.len()].clone());
        self.fields.push(Field {
            ident,
            name,
            orig: None,
            ty,
            orig_ty: None,
            nullable: spec.nullable,
            default,
            identity: spec.identity,
            identity_options: spec
                .identity_options
                .map(super::kinds::identity_options)
                .unwrap_or_default(),
            generated: None,
            unique: spec.unique,
            index: spec.index,
            references: None,
        });
        self.fields.len() - 1
    }

    pub fn add_index(&mut self, spec: &IndexSpec) {
        let n = self.fields.len();
        let pick = |sel: u8| self.fields[sel as usize % n].ident.clone();
        // 2: the default method, the first key descending.
        let desc = spec.using == 2;
        let using = match spec.using {
            3 => Some("hash"),
            4 | 5 => Some("gin"),
            6 => Some("btree"),
            _ => None,
        };
        let first = match using {
            Some("gin") => self
                .fields
                .iter()
                .find(|f| f.ty.is_array())
                .map(|f| f.ident.clone()),
            _ => None,
        }
        .unwrap_or_else(|| pick(spec.first));
        let mut columns = vec![first];
        columns.extend(spec.second.map(pick));
        let predicate = spec.predicate.map(pick);
        let name = if spec.named {
            let k = self.next_number();
            Some(format!("{}_ix{k}", self.name))
        } else {
            None
        };
        self.indexes.push(Index {
            columns,
            name,
            unique: spec.unique,
            predicate,
            using,
            desc,
            nnd: spec.nnd,
        });
    }

    pub fn add_unique(&mut self, a: u8, b: Option<u8>, named: bool) {
        let n = self.fields.len();
        let pick = |sel: u8| self.fields[sel as usize % n].ident.clone();
        let mut columns = vec![pick(a)];
        columns.extend(b.map(pick));
        let name = if named {
            let k = self.next_number();
            Some(format!("{}_uq{k}", self.name))
        } else {
            None
        };
        self.uniques.push(Unique {
            columns,
            name,
            nnd: false,
        });
    }

    /// A check on an integer field, if the table has one.
    pub fn add_check(&mut self, column: u8, bound: i32, named: bool) {
        let ints: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.ty.is_integer())
            .map(|f| f.ident.clone())
            .collect();
        if ints.is_empty() {
            return;
        }
        let column = ints[column as usize % ints.len()].clone();
        let name = if named {
            let k = self.next_number();
            Some(format!("{}_ck{k}", self.name))
        } else {
            None
        };
        self.checks.push(Check {
            name,
            column,
            bound,
        });
    }
}
