//! A step of a struct field path (`.w`, `[0]`): how lowering names a field input and how
//! generated code reaches it.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::quote;

/// One step of a field path: `.w` or `[0]`, with the span of the user's index (generated
/// code reaching the field indexes there, so that rustc's error on an index the struct
/// does not take, `p.layers[0][0]`, is on the user's tokens).
#[derive(Clone, Debug)]
pub enum Step {
    Field(Ident),
    Index(usize, Span),
}

/// Two paths are the same field whatever their spans.
impl PartialEq for Step {
    fn eq(&self, other: &Step) -> bool {
        match (self, other) {
            (Step::Field(a), Step::Field(b)) => a == b,
            (Step::Index(a, _), Step::Index(b, _)) => a == b,
            _ => false,
        }
    }
}

impl Step {
    /// As a derivation writes it: `.w`, `[0]`.
    pub fn text(&self) -> String {
        match self {
            Step::Field(i) => format!(".{i}"),
            Step::Index(k, _) => format!("[{k}]"),
        }
    }
}

impl quote::ToTokens for Step {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Step::Field(i) => quote!(.#i).to_tokens(tokens),
            Step::Index(k, span) => {
                let mut k = Literal::usize_unsuffixed(*k);
                k.set_span(*span);
                let mut group = Group::new(Delimiter::Bracket, TokenTree::from(k).into());
                group.set_span(*span);
                tokens.extend([TokenTree::Group(group)]);
            }
        }
    }
}
