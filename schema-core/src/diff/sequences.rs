//! Sequences: created before the tables whose defaults call them, dropped after those tables
//! and defaults are gone, renamed (and moved across schemas) early so every later change
//! names them by their new names, and altered where their effective options differ.

use super::objects::ObjectKind;
use super::renames::order_renames;
use super::{temp_name, Change, Ctx, Phase, QualifiedName};
use crate::model::Sequence;
use std::collections::BTreeSet;

fn qualified(s: &Sequence) -> QualifiedName {
    QualifiedName::new(&s.schema, &s.name)
}

pub(crate) fn diff_sequences(ctx: &mut Ctx) {
    let pairs = ctx.pairing.objects(ObjectKind::Sequence).clone();
    let rename_targets: BTreeSet<&String> = pairs
        .iter()
        .filter(|(from, to)| from != to)
        .map(|(_, to)| to)
        .collect();
    for (key, sequence) in &ctx.old.sequences {
        if pairs.contains_key(key) {
            continue;
        }
        // A sequence whose name a renamed one takes goes first.
        let phase = match rename_targets.contains(key) {
            true => Phase::DropSequencesEarly,
            false => Phase::DropSequences,
        };
        let change = Change::DropSequence {
            name: qualified(sequence),
        };
        ctx.plan.push(phase, key.clone(), change);
    }
    let paired: BTreeSet<&String> = pairs.values().collect();
    for (key, sequence) in &ctx.new.sequences {
        if paired.contains(key) {
            continue;
        }
        let mut sequence = sequence.clone();
        sequence.renamed_from = None;
        ctx.plan.push(
            Phase::CreateSequences,
            key.clone(),
            Change::CreateSequence { sequence },
        );
    }
    let mut moves = Vec::new();
    for (from, to) in &pairs {
        let (Some(o), Some(n)) = (ctx.old.sequences.get(from), ctx.new.sequences.get(to)) else {
            continue;
        };
        moves.push((qualified(o), qualified(n)));
        if o.options.effective() != n.options.effective() {
            let change = Change::AlterSequence {
                name: qualified(n),
                from: o.options,
                to: n.options,
            };
            ctx.plan.push(Phase::CreateSequences, to.clone(), change);
        }
    }
    let temp = |q: &QualifiedName| QualifiedName::new(&q.schema, temp_name(&q.name, "tmp"));
    for (from, to) in order_renames(&moves, temp) {
        ctx.plan.push(
            Phase::RenameSequences,
            "",
            Change::RenameSequence { from, to },
        );
    }
}
