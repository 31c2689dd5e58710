//! A step of a struct field path (`.w`, `[0]`): how lowering names a field input and how
//! generated code reaches it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// One step of a field path: `.w` or `[0]`.
#[derive(Clone, PartialEq, Debug)]
pub enum Step {
    Field(Ident),
    Index(usize),
}

impl Step {
    /// As a derivation writes it: `.w`, `[0]`.
    pub fn text(&self) -> String {
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
