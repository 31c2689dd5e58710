//! Calls to other `#[differentiable]` functions. The callee's body is lowered into the
//! caller's graph with its parameters bound to the caller's values, so the caller's
//! simplifications and fusion see through the call (`bce(predict(..), y)` still
//! collapses to `predict - y`). A callee's body reaches the caller's expansion through
//! the callee's export macro (see `expand`); until it has, the call is recorded as
//! needed and lowering carries on.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{Expr, FnArg, ItemFn, Pat};

use super::body::Body;
use super::scope::Scope;
use crate::handover::Callee;
use crate::ir::Step;
use crate::ir::graph::NodeId;
use crate::types::{Kind, classify};

/// What a body knows about calls to other `#[differentiable]` functions.
pub struct Calls<'a> {
    /// The bodies handed over so far by the callees' export macros.
    pub known: &'a [Callee],
    /// The function being expanded, then the callees being inlined, innermost last: a
    /// call to one of these is recursion.
    pub stack: Vec<String>,
    /// Calls whose callee's body is not known yet, by the path written at the call.
    pub needed: &'a mut Vec<syn::Path>,
    /// In an inlined body, its parameters bound to the caller's values.
    pub aliases: HashMap<String, Binding>,
    /// In the inlined body of another crate's function: that crate (`$crate`).
    pub krate: Option<proc_macro2::TokenTree>,
}

impl<'a> Calls<'a> {
    /// The calls of `item`'s own body, knowing the bodies in `known`; those it needs
    /// and does not know go into `needed`.
    pub fn of(item: &ItemFn, known: &'a [Callee], needed: &'a mut Vec<syn::Path>) -> Calls<'a> {
        Calls {
            known,
            stack: vec![item.sig.ident.to_string()],
            needed,
            aliases: HashMap::new(),
            krate: None,
        }
    }
}

impl Calls<'_> {
    /// Whether this body is a callee's, inlined into its caller.
    pub fn inlined(&self) -> bool {
        self.stack.len() > 1
    }

    /// Whether a call waits for its callee's body. Until it comes, this pass only
    /// finds the calls: the expansion starts again with the body (see
    /// [`Lowering::Needs`](super::Lowering::Needs)).
    pub fn waiting(&self) -> bool {
        !self.needed.is_empty()
    }
}

/// What an inlined callee's parameter stands for.
#[derive(Clone)]
pub enum Binding {
    /// A float or array value of the caller.
    Value(NodeId),
    /// A parameter struct of the caller (or a nested struct of one): its fields are the
    /// caller's field inputs.
    Struct { param: usize, prefix: Vec<Step> },
    /// Floats written out by the caller for a float-array parameter
    /// (`rotate(&[w[0], w[1], w[2]], ..)`): the callee's `c[k]` reads the `k`-th.
    Floats(Vec<NodeId>),
    /// An integer of the caller (`n`, `2 * k`, a literal): read wherever the callee's
    /// integer operands (`s![.., 0..n]`, `n as f64`) name the parameter.
    Integer(proc_macro2::TokenStream),
    /// The struct element of the caller's loop (`l` in `for l in &p.layers`): its fields
    /// are elements of collection `collection` of that loop.
    Element {
        collection: usize,
        prefix: Vec<Step>,
    },
}

impl Body<'_> {
    /// `name(args)` for a function outside the op table, where one value is expected.
    pub fn call_function(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        name: &str,
    ) -> Option<NodeId> {
        let parts = self.call_function_parts(c, path, name)?;
        if parts.len() > 1 {
            self.cx.error(c, format!(
                "`{name}` returns a tuple of {}: bind its parts, `let (a, b) = {name}(..);`, or take one, `{name}(..).0`",
                parts.len()
            ));
            return None;
        }
        Some(parts[0])
    }

    /// `name(args)` for a function outside the op table: its result, or its tuple's parts.
    pub fn call_function_parts(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        name: &str,
    ) -> Option<Vec<NodeId>> {
        if self.calls.stack.iter().any(|f| f == name) {
            let chain = [self.calls.stack.clone(), vec![name.to_string()]]
                .concat()
                .join(" → ");
            self.cx.error(&c.func, format!(
                "recursion is not supported in #[differentiable] functions ({chain}): the graph must be finite at compile time; write the repeated step once and call it from a loop-free function"
            ));
            return None;
        }
        let known = self.calls.known;
        match known.iter().find(|f| f.item.sig.ident == name) {
            Some(callee) if callee.custom => Some(vec![self.call_custom(&callee.item, c, path)?]),
            Some(callee) => self.inline(callee, c),
            None => {
                // The arguments are read once the body is known (a struct argument is
                // no value until the callee says it takes one). In another crate's
                // function, a relative path names a function of that crate: its export
                // is at that crate's root.
                let path = match &self.calls.krate {
                    Some(krate) if path.leading_colon.is_none() => {
                        crate::handover::in_crate(krate, name)
                    }
                    _ => path.clone(),
                };
                if !self.calls.needed.contains(&path) {
                    self.calls.needed.push(path);
                }
                None
            }
        }
    }

    /// A function with a hand-written derivative: one opaque node, whose partials its
    /// derivative gives (`swish'(x)` in derivations).
    fn call_custom(
        &mut self,
        callee: &ItemFn,
        c: &syn::ExprCall,
        path: &syn::Path,
    ) -> Option<NodeId> {
        let name = callee.sig.ident.to_string();
        let arity = callee.sig.inputs.len();
        if arity != c.args.len() {
            self.cx.error(
                c,
                format!("`{name}` takes {arity} argument(s), found {}", c.args.len()),
            );
            return None;
        }
        // In tensor code the function and its rule apply element by element (fused into
        // the maps around them), its arguments broadcast like any elementwise operation's.
        let args: Vec<Option<NodeId>> = c.args.iter().map(|a| self.expr(a)).collect();
        let args: Option<Vec<NodeId>> = args.into_iter().collect();
        // Inside another crate's function, a relative path is that crate's.
        let bare = match &self.calls.krate {
            Some(proc_macro2::TokenTree::Ident(krate)) if path.leading_colon.is_none() => {
                let mut p = super::bare_path(path);
                let last = p.segments.pop().map(|s| s.into_value());
                p.segments.clear();
                p.segments.push(syn::PathSegment::from(krate.clone()));
                p.segments.extend(last);
                p
            }
            _ => super::bare_path(path),
        };
        let index = self
            .graph
            .custom(&name, quote::ToTokens::to_token_stream(&bare), arity);
        Some(self.node(crate::ir::graph::Op::Custom(index), args?, c.span()))
    }

    /// Lowers `callee`'s body with its parameters bound to the call's arguments: its
    /// result, or a returned tuple's parts.
    fn inline(&mut self, known: &Callee, c: &syn::ExprCall) -> Option<Vec<NodeId>> {
        let name = known.item.sig.ident.to_string();
        let aliases = self.bind_parameters(&known.item, &name, c)?;
        let out = self.lower_callee(known, aliases)?;
        let name = known.shown.clone().unwrap_or(name);
        // The callee's result reads as the callee in derivations: `(predict - y) * x1`,
        // a tuple's parts as `f.0`, `f.1`.
        match &out[..] {
            [one] => self.graph.set_name(*one, &name),
            parts => {
                for (k, &part) in parts.iter().enumerate() {
                    self.graph.set_name(part, &format!("{name}.{k}"));
                }
            }
        }
        Some(out)
    }

    /// What each of `callee`'s parameters stands for at the call `c`.
    fn bind_parameters(
        &mut self,
        callee: &ItemFn,
        name: &str,
        c: &syn::ExprCall,
    ) -> Option<HashMap<String, Binding>> {
        let inputs = &callee.sig.inputs;
        if inputs.len() != c.args.len() {
            self.cx.error(
                c,
                format!(
                    "`{name}` takes {} argument(s), found {}",
                    inputs.len(),
                    c.args.len()
                ),
            );
            return None;
        }
        let mut aliases = HashMap::new();
        for (param, arg) in inputs.iter().zip(&c.args) {
            let FnArg::Typed(pt) = param else {
                self.cx
                    .error(c, format!("`{name}` is a method; call free functions"));
                return None;
            };
            let Pat::Ident(p) = &*pt.pat else {
                self.cx
                    .error(arg, format!("`{name}`'s parameters must be plain names"));
                return None;
            };
            if crate::types::is_float_array(&pt.ty)
                && let Expr::Array(parts) = strip_refs(arg)
            {
                let parts: Option<Vec<NodeId>> = parts.elems.iter().map(|e| self.expr(e)).collect();
                aliases.insert(p.ident.to_string(), Binding::Floats(parts?));
                continue;
            }
            let binding = if classify(&pt.ty) == Kind::Struct {
                if let Some(collection) = self.loop_struct_element(strip_refs(arg)) {
                    aliases.insert(
                        p.ident.to_string(),
                        Binding::Element {
                            collection,
                            prefix: Vec::new(),
                        },
                    );
                    continue;
                }
                let Some((param, prefix)) = self.struct_root(strip_refs(arg)) else {
                    self.cx.error(arg, format!(
                        "`{name}` takes a parameter struct here: pass one of this function's struct arguments (`p`)"
                    ));
                    return None;
                };
                let ident = self.params[param].ident.clone();
                self.usage.read_param(&ident);
                Binding::Struct { param, prefix }
            } else if crate::types::is_integer_type(&pt.ty)
                || crate::types::is_integer_slice(&pt.ty)
                || crate::types::is_integer_array(&pt.ty)
            {
                let what = format!("`{name}`'s argument `{}`", p.ident);
                Binding::Integer(self.integer_tokens(arg, &what)?)
            } else {
                Binding::Value(self.expr(arg)?)
            };
            aliases.insert(p.ident.to_string(), binding);
        }
        Some(aliases)
    }

    /// `known`'s body lowered into this graph, its parameters standing for `aliases`.
    fn lower_callee(
        &mut self,
        known: &Callee,
        aliases: HashMap<String, Binding>,
    ) -> Option<Vec<NodeId>> {
        let callee = &known.item;
        let mut stack = self.calls.stack.clone();
        stack.push(callee.sig.ident.to_string());
        let mut inner = Body {
            cx: &mut *self.cx,
            graph: &mut *self.graph,
            params: self.params,
            tensor: self.tensor,
            assume_finite: self.assume_finite,
            float_ty: self.float_ty.clone(),
            generic_float: self.generic_float,
            fields: &mut *self.fields,
            usage: &mut *self.usage,
            scope: Scope::of(callee),
            looping: None,
            outer_loops: Vec::new(),
            calls: Calls {
                known: self.calls.known,
                stack,
                needed: &mut *self.calls.needed,
                aliases,
                // A callee of another crate, or one called from inside such a body.
                krate: known.krate.clone().or_else(|| self.calls.krate.clone()),
            },
        };
        // A helper handed the loop's element reads its fields as the loop's elements: it
        // lowers inside the loop (its own names only; a loop of its own would be nested).
        let hands_element = inner
            .calls
            .aliases
            .values()
            .any(|b| matches!(b, Binding::Element { .. }));
        if hands_element {
            inner.looping = self.looping.take().map(|mut ctx| {
                ctx.hide_names();
                ctx
            });
        }
        let out = inner.block(callee);
        if hands_element {
            self.looping = inner.looping.take().map(|mut ctx| {
                ctx.show_names();
                ctx
            });
        }
        out
    }
}

fn strip_refs(mut e: &Expr) -> &Expr {
    while let Expr::Reference(r) = e {
        e = &r.expr;
    }
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    e
}
