//! Sequences compared by their effective options: an option the snapshot leaves out is
//! PostgreSQL's default for the sequence's direction, which the catalog holds explicitly.

use schema_core::model::{Schema, SequenceSettings};

/// Every difference between the sequences of `expected` and `actual`, one line each.
pub(super) fn compare(expected: &Schema, actual: &Schema, out: &mut Vec<String>) {
    for (key, want) in &expected.sequences {
        let Some(have) = actual.sequences.get(key) else {
            out.push(format!("{key}: missing sequence"));
            continue;
        };
        let (w, h) = (want.options.effective(), have.options.effective());
        let differences = differences(&w, &h);
        if !differences.is_empty() {
            out.push(format!("{key}: sequence {}", differences.join(", ")));
        }
    }
    for key in actual
        .sequences
        .keys()
        .filter(|k| !expected.sequences.contains_key(*k))
    {
        out.push(format!("{key}: sequence not in the snapshot"));
    }
}

/// `start 1000, snapshot says 1` for each option that differs.
fn differences(want: &SequenceSettings, have: &SequenceSettings) -> Vec<String> {
    let mut out = Vec::new();
    let numbers = [
        ("start", want.start, have.start),
        ("increment", want.increment, have.increment),
        ("min", want.min, have.min),
        ("max", want.max, have.max),
        ("cache", want.cache, have.cache),
    ];
    for (label, w, h) in numbers {
        if w != h {
            out.push(format!("{label} {h}, snapshot says {w}"));
        }
    }
    if want.cycle != have.cycle {
        let cycle = |c: bool| if c { "cycle" } else { "no cycle" };
        out.push(format!(
            "{}, snapshot says {}",
            cycle(have.cycle),
            cycle(want.cycle)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_core::model::{Sequence, SequenceOptions};

    fn schema(options: SequenceOptions) -> Schema {
        let sequence = Sequence {
            schema: "public".into(),
            name: "order_numbers".into(),
            options,
            renamed_from: None,
        };
        let mut s = Schema::default();
        s.sequences.insert(sequence.key(), sequence);
        s
    }

    #[test]
    fn defaults_equal_the_catalog_and_changes_are_named() {
        let declared = SequenceOptions {
            start: Some(1000),
            ..SequenceOptions::default()
        };
        let catalog = SequenceOptions {
            start: Some(1000),
            increment: Some(1),
            min: Some(1),
            max: Some(i64::MAX),
            cache: Some(1),
            cycle: false,
        };
        let mut out = Vec::new();
        compare(&schema(declared), &schema(catalog), &mut out);
        assert_eq!(out, Vec::<String>::new());
        let changed = SequenceOptions {
            cache: Some(20),
            cycle: true,
            ..catalog
        };
        compare(&schema(declared), &schema(changed), &mut out);
        assert_eq!(
            out,
            ["public.order_numbers: sequence cache 20, snapshot says 1, cycle, snapshot says no cycle"]
        );
        out.clear();
        compare(&schema(declared), &Schema::default(), &mut out);
        compare(&Schema::default(), &schema(declared), &mut out);
        assert_eq!(
            out,
            [
                "public.order_numbers: missing sequence",
                "public.order_numbers: sequence not in the snapshot"
            ]
        );
    }
}
