//! `for` loops and the `let mut` value they carry. The body is lowered into the function's
//! graph like straight-line code, reading fresh inputs for the carried value and for the
//! elements of the iteration; then the nodes that depend on those inputs are cut out
//! into a [`LoopBody`] and replaced by one `Op::Loop` node (see [`crate::loops`]).
//!
//! Supported: `for i in a..b` (and `(a..b).rev()`), `for l in &p.layers` /
//! `p.layers.iter()` over a `Vec` or array of parameter structs, `for &c in cs` /
//! `cs.iter()` over a float array argument, `for xt in x.axis_iter(Axis(k))` /
//! `x.outer_iter()` over an array argument, each optionally `.enumerate()` then
//! `.rev()`. Inside, `c[i]` and `p.layers[i].w` read by the loop index.

mod assign;
mod cut;
mod iteration;
mod reads;

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

use super::body::Body;
use crate::ir::NodeId;
use crate::ir::loops::{Collection, Element};

use iteration::Source;

/// What the names of a loop being lowered stand for.
pub struct LoopCtx {
    /// The index variable (`i` in `for i in 0..n`, `for (i, l) in ...enumerate()`).
    pub(in crate::lower) index: Option<String>,
    /// The element variable and what it is.
    element: Option<(String, ElementBinding)>,
    /// The collections iterated or indexed: kind, the `Loop` operand, how derivations
    /// name it.
    collections: Vec<(Collection, NodeId, String)>,
    elements: Vec<Element>,
    /// The inputs standing for the carried values before an iteration, and their names.
    carry_inputs: Vec<NodeId>,
    carried: Vec<String>,
    /// The carried values' starts, as the loop reads them the first time.
    inits: Vec<NodeId>,
    /// The values pushed onto `Vec`s declared before the loop, by `Vec` name.
    pushes: Vec<(String, NodeId)>,
    /// The name derivations give the index.
    index_text: String,
    /// Inside a helper the loop's element was handed to: the loop's own names (`i`, `l`)
    /// mean nothing there.
    pub(in crate::lower) hidden: bool,
}

impl LoopCtx {
    /// Whether `name` is the loop's element (`l` in `for l in &p.layers`).
    pub fn names_element(&self, name: &str) -> bool {
        !self.hidden && self.element.as_ref().is_some_and(|(n, _)| n == name)
    }

    /// What carried value `input` stands for starts as, if it is one.
    pub fn init_of(&self, input: NodeId) -> Option<NodeId> {
        let k = self.carry_inputs.iter().position(|c| *c == input)?;
        self.inits.get(k).copied()
    }

    pub fn hide_names(&mut self) {
        self.hidden = true;
    }

    pub fn show_names(&mut self) {
        self.hidden = false;
    }
}

pub(super) enum ElementBinding {
    /// A parameter struct: its fields are elements of collection `.0`.
    Struct(usize),
    /// A float or an array.
    Value(NodeId),
}

impl Body<'_> {
    /// A `for` loop statement of the function's body.
    pub fn for_loop(&mut self, f: &syn::ExprForLoop) {
        // A loop inside a loop: the enclosing one waits while this one is lowered and cut
        // out; its elements read as values of this body (captures of this loop).
        if let Some(outer) = self.looping.take() {
            self.outer_loops.push(*outer);
            self.for_loop(f);
            self.looping = self.outer_loops.pop().map(Box::new);
            return;
        }
        if let Some(label) = &f.label {
            self.cx.error(label, "loop labels are not supported: #[differentiable] loops always run to the end (no `break`)");
        }
        if self.control_flow(f) {
            return;
        }
        let Some(carried) = self.carried(f) else {
            return;
        };
        let Some((source, rev, enumerate)) = self.source(&f.expr) else {
            return;
        };
        let inits: Vec<NodeId> = carried
            .iter()
            .map(|c| self.scope.value(c).expect("checked by `carried`"))
            .collect();
        let saved_scope = self.scope.save();

        let Some((index, element_pat)) = self.patterns(f, &source, enumerate) else {
            return;
        };
        let index_text = index.clone().unwrap_or_else(|| "i".to_string());
        // The value before an iteration: `h[i-1]`, or `h[i+1]` when the index runs down.
        let step = if rev { "+1" } else { "-1" };
        let carry_inputs: Vec<NodeId> = carried
            .iter()
            .map(|c| {
                let input = self
                    .graph
                    .input(&format!("{c}[{index_text}{step}]"), f.span());
                self.usage.access.push(quote!(()));
                input
            })
            .collect();
        self.looping = Some(Box::new(LoopCtx {
            index,
            element: None,
            collections: Vec::new(),
            elements: Vec::new(),
            carry_inputs: carry_inputs.clone(),
            carried: carried.clone(),
            inits: inits.clone(),
            pushes: Vec::new(),
            index_text: index_text.clone(),
            hidden: false,
        }));
        let (range, collection) = self.range(source, rev);
        if let (Some(pat), Some((c, kind))) = (element_pat, collection) {
            self.bind_element(pat, c, &kind);
        }

        // The carried values read as the inputs, the body as written.
        for (c, &input) in carried.iter().zip(&carry_inputs) {
            self.scope.rebind(c, input);
        }
        for stmt in &f.body.stmts {
            self.loop_statement(stmt, &carried);
        }
        let outputs: Option<Vec<NodeId>> = carried.iter().map(|c| self.scope.value(c)).collect();
        let ctx = *self.looping.take().expect("set above");
        self.scope.restore(saved_scope);
        let Some(outputs) = outputs else { return };
        if !self.carried_keep_their_kind(&carried, &inits, &carry_inputs, &outputs, f.span()) {
            return;
        }
        let source = format!(
            "{} in {}",
            super::source_text_pat(&f.pat),
            super::source_text(&f.expr)
        );
        let pushed: Vec<String> = ctx.pushes.iter().map(|(name, _)| name.clone()).collect();
        let values = self.cut(ctx, inits, outputs, range, source, f.span());
        for (c, &value) in carried.iter().zip(&values) {
            self.scope.rebind(c, value);
        }
        for (name, &value) in pushed.iter().zip(&values[carried.len()..]) {
            // `let mut outs: Vec<Array1<f64>> = ..`: what the loop pushed, held against
            // the annotation by rustc (the pushed values may be made from struct
            // fields, whose types the macro does not see; `declared::check`).
            if let Some((ty, init)) = self.scope.fill_sequence(name, value)
                && self.looping.is_none()
                && !self.calls.inlined()
            {
                self.usage.annotated.push(crate::ir::function::Annotated {
                    node: value,
                    ty,
                    init,
                });
            }
        }
    }

    /// Reports a carried value the loop turns from a float into an array or back (`let
    /// mut acc = 0.0;` then `acc += x.dot(w)`), where the graph says both kinds: rustc
    /// would report it inside the generated loop.
    fn carried_keep_their_kind(
        &mut self,
        carried: &[String],
        inits: &[NodeId],
        carry_inputs: &[NodeId],
        outputs: &[NodeId],
        at: proc_macro2::Span,
    ) -> bool {
        use crate::ir::shapes::{self, Shape};
        let params = &self.params;
        let inlined = self.calls.inlined();
        // An element of a fixed array of floats (`c[7]` of `c: &[f64; 8]`) is a float.
        let fields: &[crate::ir::function::Field] = self.fields;
        let element = |id: NodeId| {
            fields.iter().any(|f| {
                f.input == id && !f.collection && crate::types::is_float_array(&params[f.param].ty)
            })
        };
        let shapes = shapes::infer(
            self.graph,
            |id, known| match carry_inputs.iter().position(|c| *c == id) {
                Some(k) => known[inits[k].index()],
                None if inlined => Shape::Unknown,
                None if element(id) => Shape::Float,
                None => shapes::argument(params, id),
            },
            |id| shapes::argument_rank(params, id).filter(|_| !inlined),
        );
        let mut ok = true;
        // An integer argument (ids, labels) carried: arithmetic in the loop would meet it
        // in the generated code. Also where a helper is inlined: its loop's start may be
        // the caller's argument (a fuzzer finding).
        for (k, name) in carried.iter().enumerate() {
            let integers = params.iter().find(|p| {
                p.input == Some(inits[k])
                    && (crate::types::is_integer_slice(&p.ty)
                        || crate::types::is_integer_array(&p.ty))
            });
            if let Some(p) = integers {
                self.cx.push(syn::Error::new(at, format!(
                    "`{name}` starts as `{}`, an integer argument (`{}`), and a loop carries floats or float arrays: read the integers where indices go (`softmax_cross_entropy(z, {})`, `x.select(Axis(0), {})`)",
                    p.ident, crate::lower::type_text(&p.ty), p.ident, p.ident
                )));
                ok = false;
            }
        }
        if !ok {
            return false;
        }
        for (k, name) in carried.iter().enumerate() {
            let (before, after) = (shapes[inits[k].index()], shapes[outputs[k].index()]);
            let (Some(was), Some(is)) = (before.described(), after.described()) else {
                continue;
            };
            if before == after {
                continue;
            }
            let advice = match before {
                Shape::Float => format!(
                    "accumulate a float (`{name} = {name} + mean(..)`), or start `{name}` from an array of the shape it will have"
                ),
                _ => format!("start `{name}` as a float (`0.0`), or keep it an array in the loop"),
            };
            let span = self.graph.node(outputs[k]).span;
            self.cx.push(syn::Error::new(span, format!("`{name}` is {was} before this loop and the loop makes it {is}: a carried value keeps its kind; {advice}")));
            ok = false;
        }
        if !ok {
            return false;
        }
        // An array of another number of axes (`h = h + xt` where `xt` has more):
        // a variable keeps its type.
        let ranks = shapes::ranks(self.graph, &shapes, |id, known| {
            match carry_inputs.iter().position(|c| *c == id) {
                Some(k) => known[inits[k].index()],
                None => shapes::argument_rank(params, id).filter(|_| !inlined),
            }
        });
        for (k, name) in carried.iter().enumerate() {
            if let (Some(was), Some(is)) = (ranks[inits[k].index()], ranks[outputs[k].index()])
                && was != is
            {
                let span = self.graph.node(outputs[k]).span;
                let axes = crate::declared::axes;
                self.cx.push(syn::Error::new(span, format!(
                    "`{name}` has {} before this loop and the loop gives it {}: a carried value keeps its shape (reduce what it adds, `sum_axis`/`mean_axis`, or start `{name}` with {})",
                    axes(was),
                    axes(is),
                    axes(is)
                )));
                ok = false;
            }
        }
        ok
    }

    /// The loop's patterns: the index's name (`i`, or none), and the element's pattern
    /// (`l`, `&c`); `None` if they are reported.
    fn patterns<'f>(
        &mut self,
        f: &'f syn::ExprForLoop,
        source: &Source,
        enumerate: bool,
    ) -> Option<(Option<String>, Option<&'f Pat>)> {
        // The patterns: `i`, `l`, `&c`, `(i, l)`.
        let (index_pat, element_pat) = match (source, enumerate) {
            (Source::Range(_), true) => {
                self.cx.error(
                    &f.expr,
                    "`.enumerate()` on a range is the range itself: write `for i in 0..n`",
                );
                return None;
            }
            (Source::Range(_), false) => (Some(&*f.pat), None),
            (Source::Collection(..), false) => (None, Some(&*f.pat)),
            (Source::Collection(..), true) => {
                match &*f.pat {
                    Pat::Tuple(t) if t.elems.len() == 2 => (Some(&t.elems[0]), Some(&t.elems[1])),
                    other => {
                        self.cx.error(other, "with `.enumerate()`, bind the index and the element: `for (i, l) in ...`");
                        return None;
                    }
                }
            }
        };
        let index = match index_pat.map(pattern_name) {
            Some(Ok(name)) => name,
            Some(Err(())) => {
                self.cx.error(
                    index_pat.unwrap(),
                    "bind the loop index to a name (`i`) or `_`",
                );
                return None;
            }
            None => None,
        };
        Some((index, element_pat))
    }

    /// The range of the loop's index, and the collection it iterates (registered) with
    /// its kind.
    fn range(&mut self, source: Source, rev: bool) -> (TokenStream, Option<(usize, Collection)>) {
        let (range, collection) = match source {
            Source::Range(tokens) => (tokens, None),
            Source::Collection(kind, operand, text) => {
                let c = self.collection(kind.clone(), operand, text);
                let coll = crate::ir::names::collection_local(c);
                let len = match kind {
                    Collection::Axis(k) => {
                        let k = proc_macro2::Literal::usize_unsuffixed(k);
                        quote!(#coll.len_of(::cadena::ndarray::Axis(#k)))
                    }
                    Collection::Indexed => quote!(#coll.len()),
                };
                (quote!(0..#len), Some((c, kind)))
            }
        };
        let range = if rev { quote!((#range).rev()) } else { range };
        (range, collection)
    }

    /// Reports `break`, `continue`, `return` and nested loops in the body; true if any.
    fn control_flow(&mut self, f: &syn::ExprForLoop) -> bool {
        let mut found = false;
        for stmt in &f.body.stmts {
            let Stmt::Expr(e, _) = stmt else { continue };
            let message = match e {
                Expr::While(_) | Expr::Loop(_) => {
                    "`while` and `loop` are not supported in #[differentiable] functions; write a `for` loop over a range whose length the integer arguments give"
                }
                Expr::Break(_) => {
                    "`break` is not supported: a #[differentiable] loop runs every iteration; iterate over the part you need (`0..k`, or a stack of its own)"
                }
                Expr::Continue(_) => {
                    "`continue` is not supported: a #[differentiable] loop runs its whole body every iteration; select values with max, min or relu instead"
                }
                Expr::Return(_) => {
                    "early `return` is not supported; a #[differentiable] function returns its final expression, after the loop"
                }
                _ => continue,
            };
            self.cx.error(e, message);
            found = true;
        }
        found
    }
}

/// The name a pattern binds: `Some(name)`, `None` for `_`, an error for anything else.
pub(super) fn pattern_name(p: &Pat) -> Result<Option<String>, ()> {
    match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() && i.mutability.is_none() => {
            Ok(Some(i.ident.to_string()))
        }
        Pat::Wild(_) => Ok(None),
        _ => Err(()),
    }
}
