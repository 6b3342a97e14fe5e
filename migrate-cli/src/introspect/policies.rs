//! Row-level security compared: `rls` and each policy by name (`AS`, `FOR`, roles, and its
//! `USING` / `WITH CHECK` through the expression rules, as checks are).

use super::Rules;
use schema_core::model::{Policy, Table};

/// Every difference between the row-level security of `want` and `have`, one line each.
pub(super) fn compare(rules: Rules, key: &str, want: &Table, have: &Table, out: &mut Vec<String>) {
    if want.rls != have.rls {
        let state = |on: bool| if on { "enabled" } else { "disabled" };
        out.push(format!(
            "{key}: row-level security {}, snapshot says {}",
            state(have.rls),
            state(want.rls)
        ));
    }
    for w in &want.policies {
        match have.policies.iter().find(|h| h.name == w.name) {
            None => out.push(format!("{key}.{}: missing policy", w.name)),
            Some(h) if !same(rules, w, h) => out.push(format!(
                "{key}.{}: policy {}, snapshot says {}",
                w.name,
                shown(h),
                shown(w)
            )),
            Some(_) => {}
        }
    }
    for h in &have.policies {
        if !want.policies.iter().any(|w| w.name == h.name) {
            out.push(format!("{key}.{}: policy not in the snapshot", h.name));
        }
    }
}

fn same(rules: Rules, w: &Policy, h: &Policy) -> bool {
    let expr = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => (rules.same)(a, b),
        (None, None) => true,
        _ => false,
    };
    w.restrictive == h.restrictive
        && w.command == h.command
        && w.roles == h.roles
        && expr(&w.using, &h.using)
        && expr(&w.with_check, &h.with_check)
}

/// `as restrictive for select to app_user using (...) with check (...)`.
fn shown(p: &Policy) -> String {
    let mut s = format!(
        "as {} for {} to {}",
        if p.restrictive {
            "restrictive"
        } else {
            "permissive"
        },
        p.command.keyword().to_lowercase(),
        if p.roles.is_empty() {
            "public".to_string()
        } else {
            p.roles.join(", ")
        }
    );
    if let Some(u) = &p.using {
        s.push_str(&format!(" using ({u})"));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" with check ({c})"));
    }
    s
}
