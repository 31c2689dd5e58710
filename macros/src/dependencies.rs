//! The crates the user's crate depends on, read from its `Cargo.toml`, so that a call
//! written with the ordinary Rust path `calls_lib::f(..)` is known to name another
//! crate's function (and asks that crate's exported macro, as `::calls_lib::f(..)`
//! does) rather than a module of this crate. Read once per compiler process; a manifest
//! that cannot be read means no crate is known, and such a path is a module's, as before.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Whether `name` (as written in Rust: `calls_lib`) is a dependency of the crate being
/// compiled.
pub fn is_dependency(name: &str) -> bool {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            std::env::var_os("CARGO_MANIFEST_DIR")
                .and_then(|dir| {
                    std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")).ok()
                })
                .map(|manifest| names(&manifest))
                .unwrap_or_default()
        })
        .contains(name)
}

/// Dependency names in a manifest's `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]` and `[target.'..'.dependencies]` tables, both as `name = ..`
/// lines and as `[dependencies.name]` headers, with `-` read as `_`. A line-level reading
/// is enough here: a name missed only keeps the old behaviour.
fn names(manifest: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut in_table = false;
    for line in manifest.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
            in_table = tables
                .iter()
                .any(|t| header == *t || header.ends_with(&format!(".{t}")));
            if let Some(name) = tables
                .iter()
                .find_map(|t| header.strip_prefix(&format!("{t}.")))
            {
                out.insert(name.trim_matches('"').replace('-', "_"));
            }
            continue;
        }
        if in_table && let Some((name, _)) = line.split_once('=') {
            let name = name.trim().trim_matches('"');
            if !name.is_empty() && !name.starts_with('#') {
                out.insert(name.replace('-', "_"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_every_dependency_table_with_dashes_as_underscores() {
        let manifest = r#"
[package]
name = "user"
version = "0.1.0"

[dependencies]
cadena = { path = "../cadena" }
calls-lib = "1"

[dev-dependencies.test-helpers]
path = "helpers"

[target.'cfg(unix)'.dependencies]
unix_only = "2"

[features]
fast = []
"#;
        let names = names(manifest);
        for n in ["cadena", "calls_lib", "test_helpers", "unix_only"] {
            assert!(names.contains(n), "{n} in {names:?}");
        }
        assert!(!names.contains("fast") && !names.contains("name") && !names.contains("path"));
    }
}
