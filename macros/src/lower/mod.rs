//! `syn::ItemFn` → graph. The signature is checked first ([`signature`]), then the body's
//! `let` bindings and final expression are walked ([`body`]), each supported construct
//! becoming nodes that keep the span of the tokens they came from; method and function
//! calls are found in the op table ([`calls`]). Anything unsupported is reported on its
//! exact tokens with what to write instead ([`unsupported`]), and lowering carries on so
//! that every mistake is reported at once. What only the emitter needs to know about the
//! source is collected apart ([`usage`]).

mod body;
mod calls;
mod signature;
mod unsupported;
mod usage;

use std::collections::HashMap;

use syn::{Ident, ItemFn, Type};

use crate::attr::Args;
use crate::ctxt::Ctxt;
use crate::graph::{Graph, NodeId};
pub use crate::types::Float;
use crate::types::Kind;
pub use usage::Usage;

/// One argument of the user's function.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    pub kind: Kind,
    /// The input node: for floats, and in tensor code for every argument but structs
    /// (whose fields become inputs as the body reads them).
    pub input: Option<NodeId>,
}

/// A struct field the body reads (`p.enc.w1`): an input of its own.
pub struct Field {
    pub param: usize,
    pub path: Vec<body::Step>,
    pub input: NodeId,
}

/// A checked, lowered function: the graph exactly as written (no rewrites yet).
pub struct Lowered {
    pub float: Float,
    /// The float type as written (the return type, without macro groups).
    pub float_ty: Type,
    pub params: Vec<Param>,
    /// Indices into `params` of the arguments to differentiate, in `wrt` order.
    pub wrt: Vec<usize>,
    pub graph: Graph,
    pub output: NodeId,
    /// ndarray code (some argument is an array or a parameter struct).
    pub tensor: bool,
    pub fields: Vec<Field>,
    pub usage: Usage,
}

/// Lowers `item`, reporting into `cx`; `None` if anything was reported.
pub fn lower(cx: &mut Ctxt, item: &ItemFn, args: &Args) -> Option<Lowered> {
    let before = cx.count();
    signature::check(cx, item);
    let float = signature::return_float(cx, item);
    let mut graph = Graph::default();
    let mut usage = Usage::default();
    let params = signature::params(cx, item, float, &mut graph, &mut usage);
    let tensor = params
        .iter()
        .any(|p| matches!(p.kind, Kind::Array { .. } | Kind::Struct));
    let wrt = signature::wrt(cx, item, args, &params);
    let mut body = body::Body {
        cx,
        graph: &mut graph,
        params: &params,
        scope: HashMap::new(),
        tensor,
        fields: Vec::new(),
        usage: &mut usage,
        lets: Vec::new(),
        shadowed: body::shadowed_names(item),
    };
    let output = body.block(item);
    let fields = std::mem::take(&mut body.fields);
    body.finish();
    if cx.count() > before {
        return None;
    }
    Some(Lowered {
        float: float?,
        float_ty: signature::float_type(item)?,
        params,
        wrt,
        graph,
        output: output?,
        tensor,
        fields,
        usage,
    })
}

/// A type as the user would write it: `&[usize]`, `Array2<f32>`.
fn type_text(ty: &Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream()
        .to_string()
        .replace("& ", "&")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
