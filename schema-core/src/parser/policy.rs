//! `#[policy(..)]` on a `#[derive(Table)]` struct: a row-level security policy, its clauses
//! checked against its command as `CREATE POLICY` checks them.

use super::fragment::{self, Kind};
use super::{check_duplicate, key_of, non_empty_value, skip_value, unknown_key, Errors, SpanOf};
use crate::model::{Policy, PolicyCommand};
use proc_macro2::Span;

const POLICY_KEYS: &[&str] = &[
    "name",
    "as",
    "for",
    "to",
    "using",
    "with_check",
    "renamed_from",
];

const EXAMPLE: &str = "#[policy(name = \"own_rows\", as = \"permissive\", for = \"select\", to = \"app_user\", using = \"owner = current_user\")]";

/// A parsed policy with the span of its name, for errors that concern the whole struct.
pub(super) struct ParsedPolicy {
    pub policy: Policy,
    pub name_span: Span,
}

/// Parses one `#[policy(..)]`; `None` when it has no usable name (recorded).
pub(super) fn parse(
    attr: &syn::Attribute,
    owner: &str,
    errors: &mut Errors,
) -> syn::Result<Option<ParsedPolicy>> {
    let mut policy = Policy {
        name: String::new(),
        restrictive: false,
        command: PolicyCommand::All,
        roles: Vec::new(),
        using: None,
        with_check: None,
        renamed_from: None,
    };
    let mut name_span = None;
    let (mut using_span, mut with_check_span) = (None, None);
    let mut seen = Vec::new();
    attr.parse_nested_meta(|meta| {
        let key = key_of(&meta);
        if check_duplicate(&mut seen, &meta, &key, errors, EXAMPLE) {
            return skip_value(&meta).map(drop);
        }
        match key.as_str() {
            "name" => {
                if let Some(lit) = non_empty_value(&meta, errors, EXAMPLE) {
                    policy.name = lit.value();
                    name_span = Some(lit.span());
                }
            }
            "renamed_from" => {
                let example = "#[policy(name = \"own_rows\", renamed_from = \"owner_rows\")]";
                policy.renamed_from = non_empty_value(&meta, errors, example).map(|l| l.value());
            }
            "as" => {
                let example = "#[policy(name = \"own_rows\", as = \"restrictive\")]";
                if let Some(lit) = non_empty_value(&meta, errors, example) {
                    match lit.value().to_lowercase().as_str() {
                        "permissive" => policy.restrictive = false,
                        "restrictive" => policy.restrictive = true,
                        _ => errors.push(lit.span(), format!(
                            "`as` is \"permissive\" or \"restrictive\"; for example: {example}"
                        )),
                    }
                }
            }
            "for" => {
                let example = "#[policy(name = \"own_rows\", for = \"select\")]";
                if let Some(lit) = non_empty_value(&meta, errors, example) {
                    let value = lit.value().to_lowercase();
                    match PolicyCommand::ALL.iter().find(|(n, _)| *n == value) {
                        Some((_, command)) => policy.command = *command,
                        None => errors.push(lit.span(), format!(
                            "`for` is one of \"all\", \"select\", \"insert\", \"update\", \"delete\"; for example: {example}"
                        )),
                    }
                }
            }
            "to" => {
                let example = "#[policy(name = \"own_rows\", to = \"app_user, auditor\")]";
                if let Some(lit) = non_empty_value(&meta, errors, example) {
                    match roles(&lit.value()) {
                        Ok(list) => policy.roles = list,
                        Err(problem) => errors.push(lit.span(), format!("{problem}; for example: {example}")),
                    }
                }
            }
            "using" | "with_check" => {
                let example = match key.as_str() {
                    "using" => "#[policy(name = \"own_rows\", using = \"owner = current_user\")]",
                    _ => "#[policy(name = \"own_rows\", with_check = \"owner = current_user\")]",
                };
                let span = meta.path.span_of();
                let value = fragment::value(&meta, errors, Kind::Expression, example, owner)
                    .map(|l| l.value());
                if key == "using" {
                    (policy.using, using_span) = (value, Some(span));
                } else {
                    (policy.with_check, with_check_span) = (value, Some(span));
                }
            }
            _ => {
                errors.push(meta.path.span_of(), unknown_key(&key, "policy", POLICY_KEYS, EXAMPLE));
                return skip_value(&meta).map(drop);
            }
        }
        Ok(())
    })?;
    let command = policy.command.keyword();
    if let (Some(span), false) = (using_span, policy.command.takes_using()) {
        errors.push(span, format!(
            "a policy `for = \"{}\"` takes no `using` (PostgreSQL refuses USING on FOR {command}); write the condition in `with_check`, for example: #[policy(name = \"own_rows\", for = \"insert\", with_check = \"owner = current_user\")]",
            command.to_lowercase()
        ));
    }
    if let (Some(span), false) = (with_check_span, policy.command.takes_with_check()) {
        errors.push(span, format!(
            "a policy `for = \"{}\"` takes no `with_check` (PostgreSQL refuses WITH CHECK on FOR {command}); write the condition in `using`, for example: #[policy(name = \"own_rows\", for = \"select\", using = \"owner = current_user\")]",
            command.to_lowercase()
        ));
    }
    let Some(name_span) = name_span else {
        if !seen.iter().any(|k| k == "name") {
            errors.push_spanned(
                attr,
                format!("#[policy] needs a `name`; for example: {EXAMPLE}"),
            );
        }
        return Ok(None);
    };
    Ok(Some(ParsedPolicy { policy, name_span }))
}

/// `"app_user, auditor"` → the role names, sorted and without repeats; `public` alone is
/// every role, the default (an empty list).
fn roles(value: &str) -> Result<Vec<String>, String> {
    let mut list = Vec::new();
    for role in value.split(',').map(str::trim) {
        let plain = role
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        if role.is_empty() || !plain || role.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "`to` names roles separated by commas, each a plain name (letters, digits, `_`), but `{role}` is not"
            ));
        }
        if !list.contains(&role.to_string()) {
            list.push(role.to_string());
        }
    }
    if list.iter().any(|r| r.eq_ignore_ascii_case("public")) {
        if list.len() > 1 {
            return Err("`to = \"public\"` already names every role; give it alone".into());
        }
        return Ok(Vec::new());
    }
    list.sort();
    Ok(list)
}

/// The names given to more than one policy of the struct, at the later ones.
pub(super) fn check_names(policies: &[ParsedPolicy], owner: &str, errors: &mut Errors) {
    for (i, p) in policies.iter().enumerate() {
        if policies[..i].iter().any(|q| q.policy.name == p.policy.name) {
            errors.push(
                p.name_span,
                format!(
                    "{owner} has two policies named `{}`; give each #[policy(..)] its own `name`",
                    p.policy.name
                ),
            );
        }
    }
}

/// A policy on a table without row-level security, at each `#[policy]`: PostgreSQL keeps it
/// but never applies it, so every role with a grant sees every row.
pub(super) fn check_rls(paths: &[Span], rls: bool, owner: &str, errors: &mut Errors) {
    if rls {
        return;
    }
    for span in paths {
        errors.push(
            *span,
            format!(
                "{owner} has a #[policy(..)] but no row-level security, so PostgreSQL would never apply the policy; add `rls` to `#[table(..)]`: #[table(name = \"..\", rls)]"
            ),
        );
    }
}
