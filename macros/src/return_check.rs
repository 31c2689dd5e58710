//! A tensor function's final value against its return type, where the graph alone says
//! which it is: a reduction (`mean`, `sum`, a loss) is a float, a product of arrays
//! elementwise or a `softmax` is an array. The macro does not type the body (rustc does,
//! on the emitted code), so without this a float returned as `Array2<f64>` was reported
//! as mismatched types inside generated code, and trait errors after it. Where a value's
//! kind depends on what the graph cannot see (a struct field, a loop, `dot` of two
//! vectors, a call), nothing is said and rustc judges.

use crate::ir::function::Lowered;
use crate::ir::graph::{Graph, NodeId};
use crate::ir::ops::{Class, Op};
use crate::types::Kind;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Shape {
    Float,
    Array,
    Unknown,
}

/// An error on the final expression when its kind is known and is not the return type's.
pub fn check(item: &syn::ItemFn, lowered: &Lowered) -> syn::Result<()> {
    if !lowered.tensor || !lowered.parts.is_empty() {
        return Ok(());
    }
    let shapes = shapes(&lowered.graph, lowered);
    let found = shapes[lowered.output.index()];
    let (wanted, what) = match lowered.array_output {
        true => (Shape::Array, "an array"),
        false => (Shape::Float, "a float"),
    };
    if found == Shape::Unknown || found == wanted {
        return Ok(());
    }
    let ret = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => quote::quote!(#ty).to_string().replace(' ', ""),
        syn::ReturnType::Default => return Ok(()),
    };
    let at = match item.block.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => quote::quote!(#e),
        _ => {
            let output = &item.sig.output;
            quote::quote!(#output)
        }
    };
    let message = match found {
        Shape::Float => format!(
            "this function returns `{ret}`, {what}, but its final value is a float (a reduction such as `mean` or `sum`, or a loss): return `f64`/`f32`, or the array before it is reduced"
        ),
        _ => format!(
            "this function returns `{ret}`, {what}, but its final value is an array: reduce it (`mean(..)`, `sum(..)`, a loss), or return the array's type"
        ),
    };
    Err(syn::Error::new_spanned(at, message))
}

fn shapes(g: &Graph, lowered: &Lowered) -> Vec<Shape> {
    let mut out: Vec<Shape> = Vec::with_capacity(g.len());
    for id in g.ids() {
        let args: Vec<Shape> = g.args(id).iter().map(|a| out[a.index()]).collect();
        let shape = match g.op(id) {
            Op::Const(_) => Shape::Float,
            Op::Input(_) => input_shape(lowered, id),
            // A matrix's product is an array; two vectors' is a float.
            Op::Dot
                if g.args(id)
                    .iter()
                    .any(|a| input_rank(lowered, *a) >= Some(2)) =>
            {
                Shape::Array
            }
            Op::Dot => Shape::Unknown,
            Op::IfElse => match (args[1], args[2]) {
                (a, b) if a == b => a,
                _ => Shape::Unknown,
            },
            Op::Guard => args[1],
            op => match op.spec().class {
                Class::Reduction | Class::Loss => Shape::Float,
                Class::Array => Shape::Array,
                Class::Elementwise if args.contains(&Shape::Array) => Shape::Array,
                Class::Elementwise if args.iter().all(|a| *a == Shape::Float) => Shape::Float,
                _ => Shape::Unknown,
            },
        };
        out.push(shape);
    }
    out
}

/// A float or array argument's kind; a struct's fields and anything else are unknown.
fn input_shape(lowered: &Lowered, id: NodeId) -> Shape {
    match lowered.params.iter().find(|p| p.input == Some(id)) {
        Some(p) if p.kind == Kind::Float => Shape::Float,
        Some(p) if matches!(p.kind, Kind::Array { .. }) => Shape::Array,
        _ => Shape::Unknown,
    }
}

/// The number of axes of an array argument whose type says it.
fn input_rank(lowered: &Lowered, id: NodeId) -> Option<usize> {
    let p = lowered.params.iter().find(|p| p.input == Some(id))?;
    crate::types::array_rank(&p.ty)
}
