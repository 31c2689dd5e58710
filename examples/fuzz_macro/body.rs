//! A body under test: one `#[differentiable]` function (attributes, signature and body, as
//! tokens) and what it needs around it in its module — the `use`s, structs and constants of
//! the file it came from, and the `#[differentiable]` functions of that file it calls. The
//! same module is written twice: as it is, and as its plain twin with every
//! `#[differentiable]` attribute removed, which says what rustc thinks of the body without
//! the macro.

use std::sync::Arc;

use crate::expander::differentiable_attribute;
use crate::tokens::{Token, attributes, render};

/// What a body's module holds besides the body.
#[derive(Debug)]
pub struct Unit {
    /// The items of the source file the body needs: `use`s, types, constants, helpers.
    pub context: String,
    /// `#[differentiable]` functions of the same file that the body calls.
    pub callees: Vec<Vec<Token>>,
    /// The context declares `struct P` with fields `w, b, v, c, s` (the parameter struct
    /// of tests/tensor_programs.rs), so tensor gradients can be checked.
    pub tensor_p: bool,
}

/// What the plain twin of a body's parent did: a mutant's twin failing the same way is the
/// dialect the macro reads beyond Rust (`x.mean_axis(Axis(0))` without `.unwrap()`), not
/// an invalid body accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Twin {
    Compiles,
    /// The normalised messages of its errors.
    Fails(Vec<String>),
    /// Not known yet (a seed before its baseline run).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Body {
    /// Where it came from: `tests/branches.rs::rodrigues`, `grammar scalar 12`.
    pub origin: String,
    /// The mutations applied, in order; empty for a seed or a generated body.
    pub mutations: Vec<String>,
    pub unit: Arc<Unit>,
    pub item: Vec<Token>,
    /// The parent's twin (for a seed, its own once known).
    pub parent_twin: Twin,
}

/// Rust's first line of every scratch module: context items unused by one body are normal.
const HEADER: &str = "#![allow(unused_imports, dead_code)]\n";

impl Body {
    /// The module with the attribute, and the lines (1-based, end excluded) of the item's
    /// attributes, each on a line of its own.
    pub fn module(&self) -> (String, (usize, usize)) {
        let mut text = format!("{HEADER}{}\n", self.unit.context);
        for c in &self.unit.callees {
            text.push_str(&render(c));
        }
        let line = text.lines().count() + 1;
        text.push_str(&render(&self.item));
        (text, (line, line + attributes(&self.item).len()))
    }

    /// The plain twin's module.
    pub fn twin(&self) -> String {
        let mut text = format!("{HEADER}{}\n", self.unit.context);
        for c in &self.unit.callees {
            text.push_str(&render(&strip(c)));
        }
        text.push_str(&render(&strip(&self.item)));
        text
    }

    pub fn describe(&self) -> String {
        if self.mutations.is_empty() {
            self.origin.clone()
        } else {
            format!("{} mutated: {}", self.origin, self.mutations.join("; "))
        }
    }
}

/// `item` without its outer `#[differentiable..]` attributes.
pub fn strip(item: &[Token]) -> Vec<Token> {
    let mut item = item.to_vec();
    while let Some((s, e)) = differentiable_attribute(&item) {
        item.drain(s..e);
    }
    item
}

/// The index of the `fn` keyword of an item, skipping its attributes.
pub fn signature_start(item: &[Token]) -> Option<usize> {
    let mut i = 0;
    while i + 1 < item.len() && item[i].is("#") && item[i + 1].is("[") {
        i = crate::tokens::closing(item, i + 1) + 1;
    }
    while i < item.len() {
        if item[i].is("fn") {
            return Some(i);
        }
        i = crate::tokens::tree_end(item, i);
    }
    None
}

/// The range of the function's body, inside its braces.
pub fn body_range(item: &[Token]) -> Option<(usize, usize)> {
    let f = signature_start(item)?;
    let mut i = f;
    while i < item.len() {
        if item[i].is("{") {
            return Some((i + 1, crate::tokens::closing(item, i)));
        }
        i = crate::tokens::tree_end(item, i);
    }
    None
}

/// Normalises a compiler message for comparison: names in backticks and numbers dropped.
pub fn normalise(message: &str) -> String {
    let mut out = String::new();
    let mut in_ticks = false;
    for c in message.chars() {
        if c == '`' {
            in_ticks = !in_ticks;
            out.push('`');
        } else if !in_ticks && !c.is_ascii_digit() {
            out.push(c);
        }
    }
    out
}
