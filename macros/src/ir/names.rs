//! Names generated code binds: hygienic (mixed-site), so they neither capture nor shadow
//! the user's. Lowering and emission agree on them through here.

use proc_macro2::{Ident, Span};
use quote::format_ident;

/// A local's identifier.
pub fn local(name: &str) -> Ident {
    format_ident!("{}", name, span = Span::mixed_site())
}

/// The local generated code binds collection `c` of a loop to.
pub fn collection_local(c: usize) -> Ident {
    local(&format!("cadena_coll{c}"))
}
