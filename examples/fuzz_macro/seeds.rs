//! Seeds: every free `#[differentiable]` function of `tests/`, `tests/ui/`,
//! `tests/ui-pass/`, `examples/` and `examples/common/` (the audio models), each with what
//! it needs of its file: the `use`s, types, constants and plain helpers, and the
//! `#[differentiable]` functions of the file it calls. A file's items other than functions
//! under test are compiled alone first, and those that do not compile there (they name a
//! sibling module, a test-only crate, `main`'s locals) are dropped until the rest does.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::body::{Body, Twin, Unit};
use crate::scratch::Scratch;
use crate::tokens::{Item, Token, items, lex, render};

/// The kinds of item a body's module may need from its file.
const CONTEXT: &[&str] = &[
    "use",
    "struct",
    "enum",
    "const",
    "static",
    "type",
    "trait",
    "impl",
    "fn",
    "macro_rules",
];

struct File {
    path: String,
    context: Vec<Item>,
    functions: Vec<Item>,
}

/// The seeds of the repository at `repo`, their contexts compiled clean.
pub fn load(scratch: &Scratch, repo: &Path) -> Result<Vec<Body>, String> {
    let mut files = Vec::new();
    for dir in [
        "tests",
        "tests/ui",
        "tests/ui-pass",
        "examples",
        "examples/common",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(repo.join(dir))
            .map_err(|e| format!("{dir}: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        paths.sort();
        for path in paths {
            let src = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let all = items(&lex(&src));
            let functions: Vec<Item> = all
                .iter()
                .filter(|i| i.keyword == "fn" && i.has_attribute("differentiable"))
                .cloned()
                .collect();
            if functions.is_empty() {
                continue;
            }
            let context = all.into_iter().filter(is_context).collect();
            let path = path
                .strip_prefix(repo)
                .unwrap_or(&path)
                .display()
                .to_string();
            files.push(File {
                path,
                context,
                functions,
            });
        }
    }
    clean(scratch, &mut files)?;
    let mut seeds = Vec::new();
    for file in &files {
        let context: String = file.context.iter().map(|i| render(&i.tokens)).collect();
        let tensor_p = file.context.iter().any(is_tensor_p);
        for f in &file.functions {
            let callees = callees(f, &file.functions);
            seeds.push(Body {
                origin: format!("{}::{}", file.path, f.name.as_deref().unwrap_or("?")),
                mutations: Vec::new(),
                unit: Arc::new(Unit {
                    context: context.clone(),
                    callees,
                    tensor_p,
                }),
                item: f.tokens.clone(),
                parent_twin: Twin::Unknown,
            });
        }
    }
    Ok(seeds)
}

fn is_context(item: &Item) -> bool {
    let kind_ok = CONTEXT.contains(&item.keyword.as_str());
    let test_only = item.has_attribute("test") || item.has_attribute("cfg");
    // Items holding `#[differentiable]` code (functions, impl blocks) are not context; a
    // `use` naming the attribute (tests/ui-pass/explicit-imports.rs) is.
    let under_test = item.keyword != "use" && item.tokens.iter().any(|t| t.is("differentiable"));
    kind_ok && !test_only && !under_test && item.name.as_deref() != Some("main")
}

/// `pub struct P { pub w, pub b, pub v, pub c, pub s }`, the struct tensor checks build.
pub fn is_tensor_p(item: &Item) -> bool {
    let fields: BTreeSet<&str> = item
        .tokens
        .windows(2)
        .filter(|w| w[1].is(":") && w[0].kind == crate::tokens::Kind::Ident)
        .map(|w| w[0].text.as_str())
        .collect();
    item.keyword == "struct"
        && item.name.as_deref() == Some("P")
        && fields == BTreeSet::from(["w", "b", "v", "c", "s"])
        && item.tokens.iter().filter(|t| t.is("pub")).count() == 6
}

/// The `#[differentiable]` functions of the file that `f` calls, directly or through
/// each other, in file order.
fn callees(f: &Item, functions: &[Item]) -> Vec<Vec<Token>> {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut frontier = vec![f];
    while let Some(g) = frontier.pop() {
        for w in g.tokens.windows(2) {
            if w[1].is("(")
                && w[0].kind == crate::tokens::Kind::Ident
                && Some(&w[0].text) != f.name.as_ref()
            {
                let name = &w[0].text;
                if let Some(callee) = functions.iter().find(|h| h.name.as_ref() == Some(name))
                    && wanted.insert(name.clone())
                {
                    frontier.push(callee);
                }
            }
        }
    }
    functions
        .iter()
        .filter(|h| h.name.as_ref().is_some_and(|n| wanted.contains(n)))
        .map(|h| h.tokens.clone())
        .collect()
}

/// Drops context items that do not compile alone, a few rounds (an item may fail only
/// once another it used is gone).
fn clean(scratch: &Scratch, files: &mut [File]) -> Result<(), String> {
    for _ in 0..4 {
        let mut modules = Vec::new();
        let mut starts: Vec<Vec<usize>> = Vec::new();
        for (k, file) in files.iter().enumerate() {
            let mut text = String::from("#![allow(unused_imports, dead_code)]\n");
            let mut lines = Vec::new();
            for item in &file.context {
                lines.push(text.lines().count() + 1);
                text.push_str(&render(&item.tokens));
            }
            starts.push(lines);
            modules.push((format!("c{k}"), text));
        }
        let root: String = (0..files.len()).map(|k| format!("mod c{k};\n")).collect();
        let dir = scratch.write_crate("contexts", &modules, &root, false);
        let build = scratch.build(&dir, false);
        if let Some(crash) = &build.crash {
            return Err(format!("compiling the seeds' contexts crashed: {crash}"));
        }
        let mut dropped = 0;
        for (stem, diagnostics) in build.by_module() {
            let Some(k) = stem.strip_prefix('c').and_then(|k| k.parse::<usize>().ok()) else {
                continue;
            };
            let mut bad: BTreeSet<usize> = BTreeSet::new();
            for d in diagnostics.iter().filter(|d| d.level == "error") {
                if let Some(i) = starts[k].iter().rposition(|&s| s <= d.line) {
                    bad.insert(i);
                }
            }
            for &i in bad.iter().rev() {
                files[k].context.remove(i);
                dropped += 1;
            }
        }
        if dropped == 0 {
            return Ok(());
        }
    }
    Ok(())
}
