//! Derived constraint and index names, following PostgreSQL's own conventions
//! (`accounts_pkey`, `accounts_email_key`, `projects_owner_id_fkey`, `accounts_created_at_idx`),
//! truncated deterministically to PostgreSQL's 63-byte identifier limit.

/// PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// `<table>_pkey`.
pub fn primary_key(table: &str) -> String {
    fit(format!("{table}_pkey"))
}

/// `<table>_<cols>_key`.
pub fn unique(table: &str, columns: &[String]) -> String {
    fit(format!("{table}_{}_key", columns.join("_")))
}

/// `<table>_<cols>_fkey`.
pub fn foreign_key(table: &str, columns: &[String]) -> String {
    fit(format!("{table}_{}_fkey", columns.join("_")))
}

/// `<table>_<cols>_idx`.
pub fn index(table: &str, columns: &[String]) -> String {
    fit(format!("{table}_{}_idx", columns.join("_")))
}

/// `<table>_<column>_seq`, the name PostgreSQL gives an identity column's sequence, kept to
/// 60 bytes so a number can follow it.
pub fn sequence(table: &str, column: &str) -> String {
    let name = fit(format!("{table}_{column}_seq"));
    if name.len() <= 60 {
        return name;
    }
    let mut cut = 60 - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &name[..cut], fnv1a32(name.as_bytes()))
}

/// `<table>_check`, then `<table>_check1`, `<table>_check2`, ... for the n-th unnamed check.
pub fn check(table: &str, nth: usize) -> String {
    if nth == 0 {
        fit(format!("{table}_check"))
    } else {
        fit(format!("{table}_check{nth}"))
    }
}

/// Truncates a name longer than 63 bytes to 54 bytes (at a character boundary) plus `_` and
/// 8 hex digits of a hash of the whole name, so distinct long names stay distinct and the
/// same name always truncates the same way.
pub fn fit(name: String) -> String {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name;
    }
    let mut cut = MAX_IDENTIFIER_BYTES - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &name[..cut], fnv1a32(name.as_bytes()))
}

fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in bytes {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_postgres_conventions() {
        let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(primary_key("accounts"), "accounts_pkey");
        assert_eq!(unique("accounts", &cols(&["email"])), "accounts_email_key");
        assert_eq!(
            foreign_key("projects", &cols(&["owner_id"])),
            "projects_owner_id_fkey"
        );
        assert_eq!(
            index("accounts", &cols(&["created_at"])),
            "accounts_created_at_idx"
        );
        assert_eq!(check("accounts", 1), "accounts_check1");
    }

    #[test]
    fn long_names_truncate_deterministically_and_distinctly() {
        let a = index(&"t".repeat(60), &["a".to_string()]);
        let b = index(&"t".repeat(60), &["b".to_string()]);
        assert_eq!(a.len(), 63);
        assert_ne!(a, b);
        assert_eq!(a, index(&"t".repeat(60), &["a".to_string()]));
        let multibyte = fit("é".repeat(40));
        assert!(multibyte.len() <= 63);
    }
}
