//! `syn::ItemFn` → graph. The signature is checked first ([`signature`]), then the body's
//! statements ([`statements`]) and expressions ([`body`]) are walked, with the names in
//! [`scope`], each supported construct becoming nodes that keep the span of the tokens
//! they came from; method and function calls are found in the op table ([`calls`]), and
//! other `#[differentiable]` functions' bodies inlined ([`inline`]). Anything unsupported is reported on its
//! exact tokens with what to write instead ([`unsupported`]), and lowering carries on so
//! that every mistake is reported at once. What only the emitter needs to know about the
//! source is collected apart ([`usage`]).

pub mod body;
mod branches;
mod calls;
mod fields;
mod inline;
pub(crate) mod integers;
mod joins;
mod loops;
mod scope;
pub(crate) mod signature;
mod spans;
mod statements;
#[cfg(test)]
mod tests;
mod unsupported;

use syn::{ItemFn, Type};

use crate::attr::Args;
use crate::ctxt::Ctxt;
use crate::handover::Callee;
use crate::ir::Graph;
pub use crate::ir::function::{Field, Lowered, Param, Usage, bare_path};
pub use statements::is_empty_vec;

/// What lowering made of a function.
pub enum Lowering {
    Done(Box<Lowered>),
    /// It calls a function whose body this expansion does not know yet (the path written
    /// at the first such call).
    Needs(syn::Path),
    /// Mistakes were reported. The paths of the imported functions and macros the body
    /// was read to use, so that the function left in its place still uses its imports.
    Failed(Vec<syn::Path>),
}

/// The function's float type if it is `f32` or `f64` (not a type parameter or alias).
fn concrete_float(item: &ItemFn) -> Option<syn::Type> {
    let ty = signature::float_type(item)?;
    matches!(
        crate::types::Float::of(&ty),
        Some(crate::types::Float::F32 | crate::types::Float::F64)
    )
    .then_some(ty)
}

/// Whether `item` computes in a type parameter of its own (`fn f<T: Float>(x: T) -> T`).
fn generic_float(item: &ItemFn) -> bool {
    let Some(float) = signature::float_type(item) else {
        return false;
    };
    let syn::Type::Path(ty) = crate::types::ungroup(&float) else {
        return false;
    };
    item.sig
        .generics
        .type_params()
        .any(|p| ty.path.is_ident(&p.ident))
}

/// Lowers `item`, reporting into `cx`, with the bodies of the `#[differentiable]`
/// functions it calls that are `known` so far.
pub fn lower(cx: &mut Ctxt, item: &ItemFn, args: &Args, known: &[Callee]) -> Lowering {
    let before = cx.count();
    signature::check(cx, item);
    let float = signature::return_float(cx, item);
    let mut graph = Graph::default();
    let mut usage = Usage::default();
    let params = signature::params(cx, item, float, &mut graph, &mut usage);
    let tensor = params
        .iter()
        .any(|p| crate::types::is_tensor_argument(&p.ty));
    let wrt = signature::wrt(cx, item, args, &params);
    let mut fields = Vec::new();
    let mut needed = Vec::new();
    let mut body = body::Body {
        cx,
        graph: &mut graph,
        params: &params,
        tensor,
        assume_finite: args.assume_finite && !tensor,
        float_ty: concrete_float(item),
        generic_float: generic_float(item),
        fields: &mut fields,
        usage: &mut usage,
        scope: scope::Scope::of(item),
        calls: inline::Calls::of(item, known, &mut needed),
        looping: None,
        outer_loops: Vec::new(),
    };
    let outputs = body.block(item);
    body.finish();
    if cx.count() > before {
        return Lowering::Failed(usage.used_paths);
    }
    if let Some(path) = needed.into_iter().next() {
        return Lowering::Needs(path);
    }
    debug_assert!(
        graph
            .ids()
            .all(|id| *graph.op(id) != crate::ir::Op::Pending),
        "pending values come only from calls still waiting for a body"
    );
    let (array_output, array_part, arity) = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => match crate::types::tuple_output(ty) {
            Some(parts) => (
                true,
                parts
                    .iter()
                    .any(|t| crate::types::array_output(t).is_some()),
                parts.len(),
            ),
            None => (crate::types::array_output(ty).is_some(), false, 1),
        },
        syn::ReturnType::Default => (false, false, 1),
    };
    let (Some(float), Some(float_ty), Some(outputs)) =
        (float, signature::float_type(item), outputs)
    else {
        return Lowering::Failed(usage.used_paths);
    };
    if outputs.len() != arity {
        cx.error(
            &item.sig.output,
            match arity {
                1 => format!(
                    "the body ends with a tuple of {}, and the return type is one value",
                    outputs.len()
                ),
                _ => format!(
                    "the return type is a tuple of {arity}, and the body ends with {}: end it with the parts, `(a, b, ..)`",
                    match outputs.len() {
                        1 => "one value".to_string(),
                        n => format!("a tuple of {n}"),
                    }
                ),
            },
        );
        return Lowering::Failed(usage.used_paths);
    }
    let output = outputs[0];
    let tensor = tensor || (array_output && (array_part || arity == 1));
    let parts = if arity > 1 { outputs } else { Vec::new() };
    Lowering::Done(Box::new(Lowered {
        float,
        float_ty,
        params,
        wrt,
        graph,
        output,
        parts,
        tensor,
        fields,
        usage,
        array_output,
    }))
}

/// A type as the user would write it: `&[usize]`, `Array2<f32>`.
pub(crate) fn type_text(ty: &Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream()
        .to_string()
        .replace("& ", "&")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace(" :: ", "::")
        .replace(":: ", "::")
}

/// `e` without the parentheses and invisible groups around it.
pub(crate) fn strip(mut e: &syn::Expr) -> &syn::Expr {
    loop {
        e = match e {
            syn::Expr::Paren(p) => &p.expr,
            syn::Expr::Group(g) => &g.expr,
            _ => return e,
        };
    }
}

/// An expression as the user would write it: `&p.layers`, `(0..N).rev()`.
fn source_text(e: &syn::Expr) -> String {
    tidy(e)
}

/// A pattern as the user would write it: `(i, l)`, `&c`.
fn source_text_pat(p: &syn::Pat) -> String {
    tidy(p)
}

pub(crate) fn tidy(tokens: &impl quote::ToTokens) -> String {
    let text = tokens
        .to_token_stream()
        .to_string()
        .replace("& ", "&")
        .replace(" ,", ",")
        .replace(" . ", ".")
        .replace(" .", ".")
        .replace(". ", ".")
        .replace("( ", "(")
        .replace(" )", ")");
    call_parens(text)
}

/// `f (x)` as `f(x)`, but `a / (b)` kept: the printer spaces every `(`.
fn call_parens(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let call = c == ' '
            && chars.peek() == Some(&'(')
            && out
                .chars()
                .last()
                .is_some_and(|p| p.is_alphanumeric() || matches!(p, '_' | ')' | '>' | '!'));
        if !call {
            out.push(c);
        }
    }
    out
}
