//! Comparing what makes a column computed or numbered by the database: its generated
//! expression (as other expressions are compared: through the rules' `same`, which the
//! server's verdicts replace in [`super::judge`]) and its identity's options (with the
//! defaults filled in, so `start = 1` and no `start` are the same).

use super::Rules;
use schema_core::model::{Column, Generated, IdentityOptions};

/// The differences of `have`'s generation and identity options from `want`'s.
pub(super) fn compare(rules: Rules, at: &str, want: &Column, have: &Column, out: &mut Vec<String>) {
    let show = |g: &Option<Generated>| match g {
        Some(g) => format!("generated as ({}) {}", g.expr, g.kind().to_lowercase()),
        None => "not generated".to_string(),
    };
    let same = match (&want.generated, &have.generated) {
        (Some(w), Some(h)) => w.is_virtual == h.is_virtual && (rules.same)(&w.expr, &h.expr),
        (w, h) => w.is_none() && h.is_none(),
    };
    if !same {
        out.push(format!(
            "{at}: {}, snapshot says {}",
            show(&have.generated),
            show(&want.generated)
        ));
    }
    if want.identity && have.identity {
        let (w, h) = (
            describe(&want.identity_options, want),
            describe(&have.identity_options, have),
        );
        if w != h {
            out.push(format!("{at}: identity {h}, snapshot says identity {w}"));
        }
    }
}

/// `always, start 1, increment 1, min 1, max 2147483647, cache 1, no cycle`.
fn describe(options: &IdentityOptions, column: &Column) -> String {
    let s = options.settings(&column.ty);
    let when = match options.always {
        true => "always",
        false => "by default",
    };
    let cycle = match s.cycle {
        true => "cycle",
        false => "no cycle",
    };
    format!(
        "{when}, start {}, increment {}, min {}, max {}, cache {}, {cycle}",
        s.start, s.increment, s.min, s.max, s.cache
    )
}
