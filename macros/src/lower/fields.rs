//! Parameter-struct fields: `p.w1`, `p.enc.w1`, `p.layers[0].w` on a struct argument
//! (or on an inlined callee's parameter bound to one). Each distinct field is an input
//! of its own, with the path generated code reads it by.

use quote::{ToTokens, quote};
use syn::Expr;
use syn::spanned::Spanned;

use super::body::Body;
use super::calls::{int_literal, int_literal_of};
use super::inline::Binding;
use super::{Field, unsupported};
use crate::ir::Step;
use crate::ir::graph::NodeId;
use crate::types::Kind;

impl Body<'_> {
    /// The parameter struct `e` names, with the path into it: a struct argument of the
    /// function, or an inlined callee's parameter bound to one.
    pub fn struct_root(&mut self, e: &Expr) -> Option<(usize, Vec<Step>)> {
        // A part of one (`p.enc`, `p.layers[0]`), passed to a helper.
        if matches!(e, Expr::Field(_) | Expr::Index(_)) {
            return self.field_path(e);
        }
        let Expr::Path(p) = e else { return None };
        let id = p.path.get_ident()?;
        if let Some(Binding::Struct { param, prefix }) = self.calls.aliases.get(&id.to_string()) {
            return Some((*param, prefix.clone()));
        }
        if self.calls.inlined() {
            return None;
        }
        let param = self.params.iter().position(|q| q.ident == *id)?;
        (self.params[param].kind == Kind::Struct).then(|| (param, Vec::new()))
    }

    /// What a name that is also an argument stands for where a body binds it again: a
    /// loop's index (`for p in 0..2`) or a `let` (`let p = 2.0;`); `None` if it is the
    /// argument (or no argument).
    fn hides_an_argument(&self, e: &Expr) -> Option<&'static str> {
        let Expr::Path(p) = e else { return None };
        let name = p.path.get_ident()?.to_string();
        if self.calls.inlined() || !self.params.iter().any(|q| q.ident == name) {
            return None;
        }
        let index = |c: &super::loops::LoopCtx| !c.hidden && c.index.as_deref() == Some(&*name);
        if self.looping.as_deref().is_some_and(index) || self.outer_loops.iter().any(index) {
            Some("a loop's index, an integer")
        } else if self.scope.contains(&name) {
            Some("a `let` of this body")
        } else {
            None
        }
    }

    /// `p.w1`, `p.enc.w1` or `p.layers[0].w` on a struct argument: each distinct field
    /// is an input. Inside a loop also `l.w` on the loop's element, and `c[i]` or
    /// `p.layers[i].w` by the loop's index.
    pub fn field(&mut self, f: &Expr) -> Option<NodeId> {
        if let Some(value) = self.written_out_float(f) {
            return value;
        }
        let (base, path, index_at) = self.path_of(f)?;
        if let Some(element) = self.loop_field(base, &path, index_at, f.span()) {
            return Some(element);
        }
        if index_at.is_some() {
            self.cx.error(f, format!("the loop index reads an element of a parameter struct's stack or a float array argument (`p.layers[i].w`, `c[i]`); `{}` is neither", base.to_token_stream()));
            return None;
        }
        if let Some(what) = self.hides_an_argument(base) {
            let name = base.to_token_stream();
            self.cx.error(base, format!("`{name}` here is {what}, which hides the argument `{name}`: give one of them another name"));
            return None;
        }
        let Some((param, prefix)) = self.struct_root(base) else {
            unsupported::expr(self.cx, f, self.tensor);
            return None;
        };
        let path = [prefix, path].concat();
        if !self.float_array_read(param, &path, f) {
            return None;
        }
        Some(self.field_input(param, path, f.span(), false))
    }

    /// Whether `path` reads one float of parameter `param` when that is a float array
    /// (`c[2]` of `c: &[f64; 4]`): one index, below its length. Reported otherwise (in
    /// the generated code, `c[2][1]` or `c[7]` was an error on the attribute).
    fn float_array_read(&mut self, param: usize, path: &[Step], f: &Expr) -> bool {
        let Some(array) = crate::types::float_array(&self.params[param].ty) else {
            return true;
        };
        let name = self.params[param].ident.to_string();
        // `None` for a length that is a constant (`[f64; N]`).
        let len = int_literal(&array.len).and_then(|n| usize::try_from(n).ok());
        match path {
            [Step::Index(i, _)] if len.is_none_or(|n| *i < n) => true,
            [Step::Index(..)] => {
                let n = len.expect("checked");
                self.cx.error(
                    f,
                    format!("`{name}` holds {n} floats: read one by an index below {n}"),
                );
                false
            }
            _ => {
                self.cx.error(
                    f,
                    format!("`{name}` is an array of floats: read one by one index (`{name}[0]`)"),
                );
                false
            }
        }
    }

    /// `c[k]` on a helper's float-array parameter that the caller wrote out
    /// (`&[a, b, c]`): its `k`-th float. `None` if `f` is not such a read.
    fn written_out_float(&mut self, f: &Expr) -> Option<Option<NodeId>> {
        let Expr::Index(ix) = f else { return None };
        let Expr::Path(p) = &*ix.expr else {
            return None;
        };
        let name = p.path.get_ident()?.to_string();
        let Some(Binding::Floats(parts)) = self.calls.aliases.get(&name) else {
            return None;
        };
        let parts = parts.clone();
        Some(match int_literal_of(&ix.index, "usize") {
            Some(k) if (k as usize) < parts.len() => Some(parts[k as usize]),
            _ => {
                self.cx.error(&ix.index, format!(
                    "`{name}` was written out by the caller with {} floats: read it by a literal index below {}",
                    parts.len(),
                    parts.len()
                ));
                None
            }
        })
    }

    /// The base expression of a field path and its steps, with the position of a step
    /// indexed by the loop's index (written as `Index(usize::MAX)`).
    #[allow(clippy::type_complexity)]
    fn path_of<'e>(&mut self, f: &'e Expr) -> Option<(&'e Expr, Vec<Step>, Option<usize>)> {
        let mut path = Vec::new();
        let mut index_at = None;
        let mut base: &Expr = f;
        loop {
            match base {
                Expr::Field(inner) => match &inner.member {
                    syn::Member::Named(ident) => path.push(Step::Field(ident.clone())),
                    syn::Member::Unnamed(_) => {
                        self.cx.error(
                            inner,
                            "tuple fields are not supported; name the struct's fields",
                        );
                        return None;
                    }
                },
                // One element of a `Vec` or array of parameter structs, by a literal index
                // (or inside a loop by its index).
                Expr::Index(ix) => {
                    match int_literal_of(&ix.index, "usize").and_then(|n| usize::try_from(n).ok()) {
                        Some(i) => path.push(Step::Index(i, ix.bracket_token.span.join())),
                        None if self.is_loop_index(&ix.index) && index_at.is_none() => {
                            index_at = Some(path.len());
                            path.push(Step::Index(usize::MAX, ix.bracket_token.span.join()));
                        }
                        None => {
                            self.cx.error(&ix.index, "an element is read by a literal index (`p.layers[0].w`, `c[2]`), or inside a `for` loop by its index (`c[i]`)");
                            return None;
                        }
                    }
                }
                _ => break,
            }
            base = match base {
                Expr::Field(inner) => &inner.base,
                Expr::Index(ix) => &ix.expr,
                _ => break,
            };
        }
        path.reverse();
        let index_at = index_at.map(|at| path.len() - 1 - at);
        Some((base, path, index_at))
    }

    /// The struct argument and path `e` names (`p.layers`, `cs`), without a loop index.
    pub fn field_path(&mut self, e: &Expr) -> Option<(usize, Vec<Step>)> {
        let (base, path, index_at) = self.path_of(e)?;
        if index_at.is_some() {
            return None;
        }
        let (param, prefix) = self.struct_root(base)?;
        Some((param, [prefix, path].concat()))
    }

    /// How derivations name field `path` of argument `param`: `p.layers[0].w`.
    pub fn field_text(&self, param: usize, path: &[Step]) -> String {
        std::iter::once(self.params[param].ident.to_string())
            .chain(path.iter().map(Step::text))
            .collect()
    }

    /// The input for field `path` of struct argument `param` (a whole collection when
    /// `collection`), created on first read.
    pub fn field_input(
        &mut self,
        param: usize,
        path: Vec<Step>,
        span: proc_macro2::Span,
        collection: bool,
    ) -> NodeId {
        let ident = self.params[param].ident.clone();
        self.usage.read_param(&ident);
        if let Some(existing) = self
            .fields
            .iter()
            .find(|x| x.param == param && x.path == path)
        {
            return existing.input;
        }
        let name = self.field_text(param, &path);
        let by_ref = matches!(self.params[param].ty, syn::Type::Reference(_));
        // Scalar code reads an element of a float array by value.
        self.usage.access.push(if path.is_empty() && by_ref {
            quote!(#ident)
        } else if !self.tensor && !path.is_empty() {
            quote!(#ident #(#path)*)
        } else {
            quote!(&#ident #(#path)*)
        });
        let input = self.graph.input(&name, span);
        self.fields.push(Field {
            param,
            path,
            input,
            collection,
        });
        input
    }
}
