//! Parameter-struct fields: `p.w1`, `p.enc.w1`, `p.layers[0].w` on a struct argument
//! (or on an inlined callee's parameter bound to one). Each distinct field is an input
//! of its own, with the path generated code reads it by.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use super::body::{Binding, Body};
use super::calls::int_literal;
use super::{Field, unsupported};
use crate::graph::NodeId;
use crate::types::Kind;

impl Body<'_> {
    /// The parameter struct `e` names, with the path into it: a struct argument of the
    /// function, or an inlined callee's parameter bound to one.
    pub fn struct_root(&mut self, e: &Expr) -> Option<(usize, Vec<Step>)> {
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

    /// `p.w1`, `p.enc.w1` or `p.layers[0].w` on a struct argument: each distinct field
    /// is an input.
    pub fn field(&mut self, f: &Expr) -> Option<NodeId> {
        let mut path = Vec::new();
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
                // One element of a `Vec` or array of parameter structs, by a literal index.
                Expr::Index(ix) => {
                    match int_literal(&ix.index).and_then(|n| usize::try_from(n).ok()) {
                        Some(i) => path.push(Step::Index(i)),
                        None => {
                            self.cx.error(&ix.index, "a parameter-struct element is read by a literal index (`p.layers[0].w`), so the graph is fixed at compile time");
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
        let Some((param, prefix)) = self.struct_root(base) else {
            unsupported::expr(self.cx, f, self.tensor);
            return None;
        };
        let path = [prefix, path].concat();
        let ident = self.params[param].ident.clone();
        self.usage.read_param(&ident);
        if let Some(existing) = self
            .fields
            .iter()
            .find(|x| x.param == param && x.path == path)
        {
            return Some(existing.input);
        }
        let root = &self.params[param].ident;
        let name = std::iter::once(root.to_string())
            .chain(path.iter().map(Step::text))
            .collect::<String>();
        self.usage.access.push(quote!(&#root #(#path)*));
        let input = self.graph.input(&name, f.span());
        self.fields.push(Field { param, path, input });
        Some(input)
    }
}

/// One step of a field path: `.w` or `[0]`.
#[derive(Clone, PartialEq, Debug)]
pub enum Step {
    Field(Ident),
    Index(usize),
}

impl Step {
    /// As a derivation writes it: `.w`, `[0]`.
    fn text(&self) -> String {
        match self {
            Step::Field(i) => format!(".{i}"),
            Step::Index(k) => format!("[{k}]"),
        }
    }
}

impl quote::ToTokens for Step {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Step::Field(i) => quote!(.#i).to_tokens(tokens),
            Step::Index(k) => {
                let k = proc_macro2::Literal::usize_unsuffixed(*k);
                quote!([#k]).to_tokens(tokens)
            }
        }
    }
}
