//! The text of `DERIVATION`: one line `dL/dw = …` per differentiated input, in the
//! collected form of [`readable`](super::readable). When a line would be longer than
//! [`LONG_LINE`] characters, subexpressions the lines repeat are named once, `δ₁ = …`,
//! on lines of their own before the `dL/d…` lines, until every line is short or nothing
//! repeats. The course's small functions have short lines and read as they always did.

use std::collections::HashMap;

use crate::ir::print::Printer;
use crate::ir::{Graph, NodeId};
use crate::subscript::subscript;

/// Lines longer than this get their repeated subexpressions named.
pub const LONG_LINE: usize = 100;

/// Names for more repeated subexpressions than this are not invented.
const MAX_NAMES: usize = 12;

/// Subexpressions shorter than this are not worth a name.
const MIN_NAMED: usize = 12;

/// Past this many nodes under the lines, none is named: each name costs printing every
/// line and every repeated node again (a chain of 800 `.tanh()` spent most of its
/// second of expansion here), and lines that long are cut at
/// [`MAX_TEXT`](crate::ir::print::MAX_TEXT) whatever they name.
const MAX_NAMING_NODES: usize = 600;

pub struct Derivation {
    /// `δ₁ = …` lines, operands before users.
    pub definitions: Vec<String>,
    /// `dL/dw = …`, one per differentiated input.
    pub lines: Vec<String>,
}

impl Derivation {
    pub fn text(&self) -> String {
        let mut all = self.definitions.clone();
        all.extend(self.lines.iter().cloned());
        all.join("\n")
    }
}

/// `targets[i]` is the name of the input whose adjoint is `grads[i]`.
pub fn derivation(g: &Graph, targets: &[String], grads: &[NodeId]) -> Derivation {
    let heads: Vec<String> = targets.iter().map(|t| format!("dL/d{t}")).collect();
    derivation_of(g, &heads, grads)
}

/// Like [`derivation`], each line `heads[i] = …` (a loop's `δh[i-1] = …`).
pub fn derivation_of(g: &Graph, heads: &[String], grads: &[NodeId]) -> Derivation {
    let targets = heads;
    let mut names: HashMap<NodeId, String> = HashMap::new();
    let small = g.live(grads).into_iter().filter(|&l| l).count() <= MAX_NAMING_NODES;
    loop {
        let lines = render(g, &names, targets, grads);
        let long = small && lines.iter().any(|l| l.chars().count() > LONG_LINE);
        let candidate = long
            .then(|| most_repeated(g, &names, grads))
            .flatten()
            .filter(|_| names.len() < MAX_NAMES);
        let Some(id) = candidate else {
            let mut named: Vec<(NodeId, String)> = names.into_iter().collect();
            named.sort();
            let definitions: Vec<(String, String)> = named
                .iter()
                .map(|(id, name)| {
                    let mut others: HashMap<NodeId, String> = named.iter().cloned().collect();
                    others.remove(id);
                    (name.clone(), printer(g, &others).print(*id).0)
                })
                .collect();
            let kept = used_only(definitions, &lines);
            return renumbered(kept, lines);
        };
        let name = format!("δ{}", subscript(names.len() + 1));
        names.insert(id, name);
    }
}

/// The definitions `lines` read, directly or through other definitions: a name chosen
/// early can end up inside a later, larger one and no longer be printed anywhere.
fn used_only(definitions: Vec<(String, String)>, lines: &[String]) -> Vec<(String, String)> {
    let mentions = |text: &str, name: &str| {
        text.match_indices(name)
            .any(|(at, _)| whole_name_at(text, at, name))
    };
    let mut used = vec![false; definitions.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (k, (name, _)) in definitions.iter().enumerate() {
            if used[k] {
                continue;
            }
            let read = lines.iter().any(|l| mentions(l, name))
                || definitions
                    .iter()
                    .zip(&used)
                    .any(|((_, text), &u)| u && mentions(text, name));
            if read {
                used[k] = true;
                changed = true;
            }
        }
    }
    definitions
        .into_iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(definition, _)| definition)
        .collect()
}

/// Whether `text` reads `name` at byte `at` as a whole name (`δ₁` is not read in `δ₁₂`).
fn whole_name_at(text: &str, at: usize, name: &str) -> bool {
    let next = text[at + name.len()..].chars().next();
    !next.is_some_and(|c| ('₀'..='₉').contains(&c))
}

/// The kept definitions numbered `δ₁, δ₂, ...` in order again, in every text.
fn renumbered(kept: Vec<(String, String)>, lines: Vec<String>) -> Derivation {
    // Numbers keep their order (`δ₂, δ₅` become `δ₁, δ₂`): with nothing dropped, the
    // names are unchanged.
    let number = |name: &str| -> usize {
        name.chars()
            .filter(|c| ('₀'..='₉').contains(c))
            .map(|c| c as usize - '₀' as usize)
            .fold(0, |n, d| n * 10 + d)
    };
    let mut order: Vec<&String> = kept.iter().map(|(name, _)| name).collect();
    order.sort_by_key(|name| number(name));
    let renames: Vec<(String, String)> = order
        .into_iter()
        .enumerate()
        .map(|(k, name)| (name.clone(), format!("δ{}", subscript(k + 1))))
        .collect();
    let rename = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        'scan: while !rest.is_empty() {
            for (old, new) in &renames {
                if rest.starts_with(old.as_str()) && whole_name_at(rest, 0, old) {
                    out.push_str(new);
                    rest = &rest[old.len()..];
                    continue 'scan;
                }
            }
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    };
    Derivation {
        definitions: kept
            .iter()
            .map(|(name, text)| format!("{} = {}", rename(name), rename(text)))
            .collect(),
        lines: lines.iter().map(|l| rename(l)).collect(),
    }
}

fn printer<'a>(g: &'a Graph, names: &'a HashMap<NodeId, String>) -> Printer<'a> {
    Printer {
        g,
        names,
        normalize: true,
        cache: Default::default(),
    }
}

fn render(
    g: &Graph,
    names: &HashMap<NodeId, String>,
    targets: &[String],
    grads: &[NodeId],
) -> Vec<String> {
    let p = printer(g, names);
    targets
        .iter()
        .zip(grads)
        .map(|(t, &id)| format!("{t} = {}", p.print(id).0))
        .collect()
}

/// The unnamed subexpression whose naming shortens the text most: printed length times
/// the number of times the lines print it beyond the first.
fn most_repeated(g: &Graph, names: &HashMap<NodeId, String>, roots: &[NodeId]) -> Option<NodeId> {
    let stops = |id: NodeId| g.name(id).is_some() || names.contains_key(&id) || g.op(id).is_leaf();
    // How many times each node is printed, counting through the tree the lines expand.
    let mut count = vec![0u64; g.len()];
    for r in roots {
        count[r.index()] += 1;
    }
    for id in g.ids().rev() {
        if count[id.index()] == 0 || (stops(id) && !roots.contains(&id)) {
            continue;
        }
        for a in g.args(id) {
            count[a.index()] = count[a.index()].saturating_add(count[id.index()]);
        }
    }
    let p = printer(g, names);
    g.ids()
        .filter(|id| count[id.index()] > 1 && !stops(*id) && !g.op(*id).is_shape_bookkeeping())
        .map(|id| {
            let len = p.print(id).0.chars().count() as u64;
            (len.saturating_mul(count[id.index()] - 1), len, id)
        })
        .filter(|(_, len, _)| *len >= MIN_NAMED as u64)
        .max_by_key(|(gain, _, id)| (*gain, std::cmp::Reverse(*id)))
        .map(|(_, _, id)| id)
}
