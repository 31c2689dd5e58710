//! The names a body binds: each `let` in scope and its value, every `let` in the order
//! bound (to report those never read), the names bound more than once (told apart in
//! derivations) and the `let mut` names a `for` loop may re-assign.

use std::collections::{HashMap, HashSet};

use syn::{Ident, ItemFn, Pat, Stmt};

use crate::ir::NodeId;
use crate::subscript::subscript;

pub struct Scope {
    /// Each `let` name in scope: its value and its entry in `lets`.
    visible: HashMap<String, (NodeId, usize)>,
    /// Every `let` name bound, in order, whether the body reads it, and its value;
    /// `visible` points each name at its latest binding here.
    lets: Vec<(Ident, bool, NodeId)>,
    /// Names bound more than once (by `let`s, or a `let` and an argument): their values
    /// are told apart in derivations by a subscript, `acc₁`, `acc₂`, ...
    shadowed: HashMap<String, usize>,
    /// Names declared `let mut`: a `for` loop may re-assign them.
    mutable: HashSet<String>,
    /// `let mut outs = Vec::new();`: a `Vec` a loop pushes per-step values onto; after
    /// that loop, the node holding them.
    sequences: HashMap<String, Option<NodeId>>,
    /// The `Vec`s declared, in order, to report those no loop filled.
    declared_sequences: Vec<Ident>,
    /// A `Vec`'s annotation (`let mut outs: Vec<Array1<f64>> = ..`) and its value as
    /// written, held against what the loop pushes once it has.
    sequence_types: HashMap<String, (syn::Type, syn::Expr)>,
    /// Every name a pattern anywhere in the function binds (arguments, `let`s, loop
    /// variables, closure arguments), whether or not its binding could be lowered.
    bound_anywhere: HashSet<String>,
}

/// The names in scope at a point of the body, to return to where a block or an arm
/// ends (the `let`s bound inside stay bound, for the report of those never read).
pub struct Saved(HashMap<String, (NodeId, usize)>);

impl Scope {
    /// The scope at the start of `item`'s body.
    pub fn of(item: &ItemFn) -> Scope {
        Scope {
            visible: HashMap::new(),
            lets: Vec::new(),
            shadowed: shadowed_names(item),
            mutable: HashSet::new(),
            sequences: HashMap::new(),
            declared_sequences: Vec::new(),
            sequence_types: HashMap::new(),
            bound_anywhere: bound_anywhere(item),
        }
    }

    /// Whether a pattern somewhere in the body binds `name`: a name read where no binding
    /// of it is in scope is then one the body failed to bind or binds later, already
    /// reported or for rustc to report, not a name missing from the function.
    pub fn bound_anywhere(&self, name: &str) -> bool {
        self.bound_anywhere.contains(name)
    }

    /// `let name = value;`: the name is in scope. Returns the name derivations give the
    /// value: the name, subscripted when it is bound more than once.
    pub fn bind(&mut self, ident: Ident, value: NodeId) -> String {
        let name = ident.to_string();
        let display = match self.shadowed.contains_key(&name) {
            true => {
                let n = self.lets.iter().filter(|(i, ..)| *i == ident).count() + 1;
                format!("{name}{}", subscript(n))
            }
            false => name.clone(),
        };
        self.visible.insert(name, (value, self.lets.len()));
        self.lets.push((ident, false, value));
        display
    }

    /// The value of the `let` named `name`, noted as read.
    pub fn read(&mut self, name: &str) -> Option<NodeId> {
        let &(id, at) = self.visible.get(name)?;
        self.lets[at].1 = true;
        Some(id)
    }

    /// The value `name` is bound to now, without reading it.
    pub fn value(&self, name: &str) -> Option<NodeId> {
        self.visible.get(name).map(|e| e.0)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.visible.contains_key(name)
    }

    /// A new value for a `let mut` name (a loop's carried value), bound by the same `let`.
    pub fn rebind(&mut self, name: &str, value: NodeId) {
        if let Some(entry) = self.visible.get_mut(name) {
            entry.0 = value;
        }
    }

    /// `let mut name = ...;`: the name may be re-assigned inside a `for` loop.
    pub fn declare_mutable(&mut self, name: String) {
        self.mutable.insert(name);
    }

    pub fn is_mutable(&self, name: &str) -> bool {
        self.mutable.contains(name)
    }

    /// `let mut name = Vec::new();`: a `Vec` of per-step values, empty until a loop
    /// pushes onto it.
    pub fn declare_sequence(&mut self, name: &Ident) {
        self.sequences.insert(name.to_string(), None);
        self.declared_sequences.push(name.clone());
    }

    /// The `Vec`s declared that no loop pushed onto: rustc cannot type them (`Vec<_>`).
    pub fn unfilled_sequences(&self) -> Vec<Ident> {
        let filled = |i: &Ident| matches!(self.sequences.get(&i.to_string()), Some(Some(_)));
        let mut out: Vec<Ident> = Vec::new();
        for i in &self.declared_sequences {
            if !filled(i) && !out.contains(i) {
                out.push(i.clone());
            }
        }
        out
    }

    /// Whether `name` is a `Vec` of per-step values: `Some(None)` before a loop has
    /// pushed onto it, `Some(Some(node))` after.
    pub fn sequence(&self, name: &str) -> Option<Option<NodeId>> {
        self.sequences.get(name).copied()
    }

    /// `let mut name: ty = init;` of a `Vec` of per-step values.
    pub fn annotate_sequence(&mut self, name: &Ident, ty: syn::Type, init: syn::Expr) {
        self.sequence_types.insert(name.to_string(), (ty, init));
    }

    /// The `Vec` `name` holds what a loop pushed, `values`; its annotation, if written.
    pub fn fill_sequence(&mut self, name: &str, values: NodeId) -> Option<(syn::Type, syn::Expr)> {
        self.sequences.insert(name.to_string(), Some(values));
        self.sequence_types.get(name).cloned()
    }

    pub fn save(&self) -> Saved {
        Saved(self.visible.clone())
    }

    pub fn restore(&mut self, saved: Saved) {
        self.visible = saved.0;
    }

    /// The `let`s never read, but those whose name starts with `_`, with their values.
    pub fn unread(self) -> Vec<(Ident, NodeId)> {
        self.lets
            .into_iter()
            .filter(|(ident, read, _)| !read && !ident.to_string().starts_with('_'))
            .map(|(ident, _, value)| (ident, value))
            .collect()
    }
}

/// How many times each name is bound at the top of `item`'s body, counting an argument
/// of the same name as a binding: only names bound more than once are kept.
fn shadowed_names(item: &ItemFn) -> HashMap<String, usize> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for stmt in &item.block.stmts {
        if let Stmt::Local(local) = stmt {
            let pat = match &local.pat {
                Pat::Type(t) => &*t.pat,
                other => other,
            };
            if let Pat::Ident(p) = pat {
                *count.entry(p.ident.to_string()).or_default() += 1;
            }
        }
    }
    for arg in &item.sig.inputs {
        if let syn::FnArg::Typed(pt) = arg
            && let Pat::Ident(p) = &*pt.pat
            && let Some(n) = count.get_mut(&p.ident.to_string())
        {
            *n += 1;
        }
    }
    count.retain(|_, n| *n > 1);
    count
}

/// Every identifier a pattern in `item` binds: its arguments and its body's.
fn bound_anywhere(item: &ItemFn) -> HashSet<String> {
    struct Names(HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut names = Names(HashSet::new());
    syn::visit::Visit::visit_item_fn(&mut names, item);
    names.0
}
