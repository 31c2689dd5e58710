//! Shrinks a finding to a small body that still shows it: each round proposes many smaller
//! variants (a run of sibling token trees deleted, a group replaced by its contents, an
//! attribute or a parameter dropped), tests them together as one batch, and keeps the
//! smallest that reproduces the same class with the same message.

use std::time::Instant;

use crate::body::{Body, body_range, normalise, signature_start};
use crate::classify::Class;
use crate::pipeline::{Pipeline, Tested};
use crate::tokens::{Kind, Token, attributes, closing, tree_end};

/// What two findings must share to be one: the class and the message's first line,
/// names and numbers dropped; value and gradient findings are one kind each.
pub fn key(t: &Tested) -> String {
    let v = &t.verdict;
    let first = v.detail.lines().next().unwrap_or("");
    let first = first.split_once("]: ").map_or(first, |(_, rest)| rest);
    match v.class {
        Class::WrongGradient | Class::WrongValue => v.class.label().to_string(),
        _ => format!("{}: {}", v.class.label(), normalise(first)),
    }
}

/// Whether `t` shows the finding of `first`: the same class and signature, or for a slow
/// one, any slow expansion.
fn reproduces(t: &Tested, first: &Tested, slow: bool) -> bool {
    if slow {
        t.verdict.slow
    } else {
        t.verdict.class == first.verdict.class && t.verdict.signature == first.verdict.signature
    }
}

/// Smaller variants of `item`, biggest cuts first.
fn candidates(item: &[Token]) -> Vec<Vec<Token>> {
    let mut out: Vec<(usize, Vec<Token>)> = Vec::new();
    let mut cut = |start: usize, end: usize, with: &[Token]| {
        let mut v = item[..start].to_vec();
        v.extend_from_slice(with);
        v.extend_from_slice(&item[end..]);
        out.push((end - start - with.len(), v));
    };
    let Some((bs, be)) = body_range(item) else {
        return Vec::new();
    };
    // Runs of siblings at every level of the body.
    let mut lists = vec![(bs, be)];
    for i in bs..be {
        if item[i].kind == Kind::Open {
            lists.push((i + 1, closing(item, i)));
        }
    }
    for (s, e) in lists {
        let mut trees = Vec::new();
        let mut i = s;
        while i < e {
            trees.push(i);
            i = tree_end(item, i);
        }
        let mut k = trees.len().div_ceil(2).max(1);
        loop {
            for chunk in trees.chunks(k) {
                cut(chunk[0], tree_end(item, chunk[chunk.len() - 1]), &[]);
            }
            if k == 1 {
                break;
            }
            k = k.div_ceil(2);
        }
    }
    // Groups replaced by their contents.
    for i in bs..be {
        if item[i].kind == Kind::Open {
            let c = closing(item, i);
            cut(i, c + 1, &item[i + 1..c]);
        }
    }
    // Attributes other than the first, and parameters.
    for (s, e) in attributes(item).into_iter().skip(1) {
        cut(s, e, &[]);
    }
    if let Some(f) = signature_start(item)
        && let Some(open) = (f..bs).find(|&i| item[i].is("("))
    {
        let close = closing(item, open);
        let mut start = open + 1;
        let mut i = start;
        while i <= close {
            if i == close || item[i].is(",") {
                if i > start {
                    cut(start, (i + 1).min(close), &[]);
                }
                start = i + 1;
            }
            i = if i < close { tree_end(item, i) } else { i + 1 };
        }
    }
    out.sort_by_key(|(saved, _)| std::cmp::Reverse(*saved));
    out.dedup_by(|a, b| a.1 == b.1);
    out.into_iter().map(|(_, v)| v).collect()
}

/// The smallest body found before `deadline` that still shows `t`'s finding, tested.
pub fn minimize(
    pipeline: &mut Pipeline,
    t: &Tested,
    slow: bool,
    deadline: Instant,
) -> Option<Tested> {
    let mut best: Option<Tested> = None;
    while Instant::now() < deadline {
        let current = best.as_ref().map_or(&t.body, |b| &b.body);
        let variants: Vec<Body> = candidates(&current.item)
            .into_iter()
            .take(120)
            .map(|item| Body {
                item,
                ..current.clone()
            })
            .collect();
        let size = current.item.len();
        if variants.is_empty() {
            break;
        }
        let (parsed, _) = pipeline.expand(variants, 60);
        let smaller = pipeline
            .test(parsed)
            .into_iter()
            .filter(|c| reproduces(c, t, slow))
            .min_by_key(|c| c.body.item.len());
        match smaller {
            Some(c) if c.body.item.len() < size => best = Some(c),
            _ => break,
        }
    }
    best
}
