//! A tensor body's values against the types written for them, where the graph alone
//! says what a value is ([`crate::ir::shapes`]): the final value against the return type,
//! and each `let`'s value against its annotation. The macro does not read annotations
//! (it lowers values, not types) and the emitted code binds none, so without this a float
//! returned as `Array2<f64>` was reported as mismatched types inside generated code, and
//! `let e: &f64 = exp(h)` or `let v: Array1<f64> = x.dot(w)` (two matrices) were
//! accepted though rustc refuses them written without the attribute. A reference to an
//! array where the value is an array is the tensor dialect (arrays are values); a
//! reference to a float is not.

use crate::ir::function::{Annotated, Lowered};
use crate::ir::shapes::{self, Shape};
use crate::ir::{Graph, NodeId, Op};
use crate::types::{self, Float, Kind};

/// An error on the final expression when its kind is known and is not the return type's,
/// and one on each `let` annotation its value's kind or number of axes contradicts. Gives
/// the `let`s (indices into `usage.annotated`) whose values the graph cannot tell a float
/// or an array of how many axes from (made from struct fields, whose types the macro
/// does not see), for rustc to check ([`crate::emit`]'s copy of the function).
pub fn check(item: &syn::ItemFn, lowered: &Lowered) -> syn::Result<Vec<usize>> {
    generic_annotations(item, lowered)?;
    generic_arguments(item, lowered)?;
    if !lowered.tensor {
        return Ok(Vec::new());
    }
    let params = &lowered.params;
    let g = &lowered.graph;
    let shapes = shapes::infer(
        g,
        |id, _| shapes::argument(params, id),
        |id| shapes::argument_rank(params, id),
    );
    let ranks = shapes::ranks(g, &shapes, |id, _| shapes::argument_rank(params, id));
    let mut errors: Option<syn::Error> = None;
    if let Err(e) = returned(item, lowered, &shapes, &ranks) {
        combine(&mut errors, e);
    }
    let mut undecided = Vec::new();
    for (k, a) in lowered.usage.annotated.iter().enumerate() {
        // A `Vec` a loop filled: rustc's to hold against what the loop pushed.
        if types::is_vec(&a.ty) {
            undecided.push(k);
            continue;
        }
        let (shape, rank) = (shapes[a.node.index()], ranks[a.node.index()]);
        if let Some(message) = annotation(g, a, lowered.float, shape, rank) {
            combine(&mut errors, syn::Error::new_spanned(&a.ty, message));
        } else if !decided(&a.ty, shape, rank) {
            undecided.push(k);
        }
    }
    errors.map_or(Ok(undecided), Err)
}

/// Whether the graph says enough of a value to hold it against its annotation: a float
/// or not, and an array's number of axes where the annotation gives one.
fn decided(ty: &syn::Type, shape: Shape, rank: Option<usize>) -> bool {
    match (written(ty), shape) {
        (Written::Other, _) => true,
        (_, Shape::Unknown) => false,
        (Written::Array { rank: Some(_), .. }, Shape::Array) => rank.is_some(),
        _ => true,
    }
}

/// In a function generic over its float (`T`), every value is a `T` (or an array of
/// them): a `let` annotated `f64`, `(f64, f64)` or `Array2<f32>` holds one of another
/// type, which rustc refuses written without the attribute, and a generic body is not
/// handed to rustc as written (its literals are `T`s only to the macro).
fn generic_annotations(item: &syn::ItemFn, lowered: &Lowered) -> syn::Result<()> {
    let float = &lowered.float_ty;
    let generic = item.sig.generics.type_params().any(|p| {
        let ident = &p.ident;
        *float == syn::parse_quote!(#ident)
    });
    if !generic {
        return Ok(());
    }
    let values = crate::written::annotated_types(item, true);
    let mut errors: Option<syn::Error> = None;
    for ty in crate::written::annotated_types(item, false) {
        let concrete = types::mentions_one_of(quote::quote!(#ty), &|i| i == "f32" || i == "f64");
        // A value's annotation, not a `Vec` of per-step values', names what it holds:
        // `let a: bool = sigmoid(z)` was accepted, as no copy of a generic body meets
        // rustc (a fuzzer finding).
        let value = values.iter().any(|v| std::ptr::eq(*v, ty));
        if concrete || value && !holds_floats(ty, float) {
            let e = syn::Error::new_spanned(
                ty,
                format!(
                    "this function computes in `{}`, so its values are `{0}`s: annotate `{0}` (or an array of `{0}`), or leave the type out",
                    crate::lower::type_text(float)
                ),
            );
            combine(&mut errors, e);
        }
    }
    errors.map_or(Ok(()), Err)
}

/// Whether annotation `ty` can hold a generic function's values, which are floats of its
/// type parameter `float` (`T`), arrays of them, or integers (sizes, indices): `T`, `&T`,
/// `(T, T)`, `Array2<T>`, `usize`, or a type naming `T` (an alias, `Matrix<T>`: rustc's
/// to check). Not `bool`, nor a struct.
fn holds_floats(ty: &syn::Type, float: &syn::Type) -> bool {
    let names_float =
        types::mentions_one_of(quote::quote!(#ty), &|i| *float == syn::parse_quote!(#i));
    if names_float {
        return true;
    }
    match types::ungroup(ty) {
        syn::Type::Reference(r) => holds_floats(&r.elem, float),
        syn::Type::Paren(p) => holds_floats(&p.elem, float),
        syn::Type::Tuple(t) => {
            !t.elems.is_empty() && t.elems.iter().all(|e| holds_floats(e, float))
        }
        syn::Type::Array(a) => holds_floats(&a.elem, float),
        ty if ty == float => true,
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|last| {
            let name = last.ident.to_string();
            types::is_integer(&name) || types::is_array(&name)
        }),
        _ => false,
    }
}

/// In a function generic over its float (`T`), an argument the body reads that is an
/// `f64` or `f32`, or an array of them (`w1: f64`, `b: &Array1<f64>` beside `w: T`): its
/// values meet the `T`s, which rustc refuses written without the attribute, and with it
/// reported the mismatch on the attribute (a fuzzer finding). Unread, it is valid Rust.
fn generic_arguments(item: &syn::ItemFn, lowered: &Lowered) -> syn::Result<()> {
    let float = &lowered.float_ty;
    let Some(param) = item.sig.generics.type_params().find(|p| {
        let ident = &p.ident;
        *float == syn::parse_quote!(#ident)
    }) else {
        return Ok(());
    };
    let mut errors: Option<syn::Error> = None;
    for p in &lowered.params {
        if !lowered.usage.read_params.contains(&p.ident) {
            continue;
        }
        if !matches!(p.kind, Kind::Float | Kind::Array { elem: Some(_), .. }) {
            continue;
        }
        let Some((ty, concrete, in_array)) = types::written_float(&p.ty) else {
            continue;
        };
        let (t, name) = (&param.ident, concrete.name());
        let (what, fix) = match in_array {
            false => (format!("`{name}`"), format!("`{t}`")),
            true => (
                format!("an array of `{name}`"),
                format!("an array of `{t}`"),
            ),
        };
        let e = syn::Error::new_spanned(
            ty,
            format!(
                "`{}` is {what}, but this function computes in its type parameter `{t}`: make it {fix}, or make the function compute in `{name}`",
                p.ident
            ),
        );
        combine(&mut errors, e);
    }
    errors.map_or(Ok(()), Err)
}

fn returned(
    item: &syn::ItemFn,
    lowered: &Lowered,
    shapes: &[Shape],
    ranks: &[Option<usize>],
) -> syn::Result<()> {
    let syn::ReturnType::Type(_, ret) = &item.sig.output else {
        return Ok(());
    };
    let last = match item.block.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    };
    let at = |part: Option<usize>| match (last, part) {
        (Some(syn::Expr::Tuple(t)), Some(k)) => {
            let e = &t.elems[k];
            quote::quote!(#e)
        }
        (Some(e), _) => quote::quote!(#e),
        (None, _) => quote::quote!(#ret),
    };
    // What each value returned must be: the return type, or each part of a tuple.
    let wanted: Vec<(NodeId, Shape, syn::Type, Option<usize>)> = if lowered.parts.is_empty() {
        let shape = match lowered.array_output {
            true => Shape::Array,
            false => Shape::Float,
        };
        vec![(lowered.output, shape, (**ret).clone(), None)]
    } else {
        let Some(types) = types::tuple_output(ret) else {
            return Ok(());
        };
        let same = matches!(last, Some(syn::Expr::Tuple(t)) if t.elems.len() == types.len());
        (lowered.parts.iter().zip(types).enumerate())
            .filter_map(|(k, (&node, ty))| {
                let shape = match (types::array_output(&ty), Float::of(&ty)) {
                    (Some(_), _) => Shape::Array,
                    (None, Some(_)) => Shape::Float,
                    _ => return None,
                };
                Some((node, shape, ty, same.then_some(k)))
            })
            .collect()
    };
    // With no array or struct argument every value is a float, through loops and
    // branches too (a body builds no array of its own).
    let floats_only = !(lowered.params.iter()).any(|p| types::is_tensor_argument(&p.ty));
    let mut errors: Option<syn::Error> = None;
    for (node, wanted, ty, part) in wanted {
        let found = match shapes[node.index()] {
            Shape::Unknown if floats_only => Shape::Float,
            shape => shape,
        };
        // An array of another number of axes (`tanh(w.dot(x)) + w` returned as
        // `Array1`: broadcasting made it a matrix).
        if found == Shape::Array
            && wanted == Shape::Array
            && let Some(rank) = ranks[node.index()]
            && let Some(declared) = types::array_rank(&ty)
            && rank != declared
        {
            let ty = crate::lower::type_text(&ty);
            let value = match part {
                None => "its final value",
                Some(_) => "its value",
            };
            let e = syn::Error::new_spanned(
                at(part),
                format!(
                    "`{ty}` is an array of {}, but {value} has {}: {}, or return an array of {}",
                    axes(declared),
                    axes(rank),
                    match rank > declared {
                        true => "reduce the axes it has too many (`sum_axis`, `mean_axis`)",
                        false => "add the axes it lacks (`insert_axis`)",
                    },
                    axes(rank)
                ),
            );
            combine(&mut errors, e);
            continue;
        }
        if found == Shape::Unknown || found == wanted {
            continue;
        }
        let Some(what) = wanted.described() else {
            continue;
        };
        let ty = crate::lower::type_text(&ty);
        let (subject, value) = match part {
            None if lowered.parts.is_empty() => {
                (format!("this function returns `{ty}`"), "its final value")
            }
            _ => (format!("this part of the result is `{ty}`"), "its value"),
        };
        let message = match found {
            Shape::Float if floats_only => format!(
                "{subject}, {what}, but the function's arguments are floats and so is {value}: return `{}`",
                lowered.float.name()
            ),
            Shape::Float => format!(
                "{subject}, {what}, but {value} is a float (a reduction such as `mean` or `sum`, or a loss): return `f64`/`f32`, or the array before it is reduced"
            ),
            _ => format!(
                "{subject}, {what}, but {value} is an array: reduce it (`mean(..)`, `sum(..)`, a loss), or return the array's type"
            ),
        };
        let e = syn::Error::new_spanned(at(part), message);
        combine(&mut errors, e);
    }
    errors.map_or(Ok(()), Err)
}

/// What an annotation says a value is.
enum Written {
    Float {
        reference: bool,
    },
    Array {
        rank: Option<usize>,
        view: bool,
    },
    Tuple,
    /// An alias, a struct, anything the macro cannot see through: rustc's to check.
    Other,
}

fn written(ty: &syn::Type) -> Written {
    match types::ungroup(ty) {
        syn::Type::Reference(r) => match written(&r.elem) {
            Written::Float { .. } => Written::Float { reference: true },
            // `&Array2<f64>` for an array value is the dialect; a view behind `&` too.
            Written::Array { rank, .. } => Written::Array { rank, view: false },
            other => other,
        },
        syn::Type::Paren(p) => written(&p.elem),
        syn::Type::Tuple(t) if !t.elems.is_empty() => Written::Tuple,
        ty if Float::of(ty).is_some() => Written::Float { reference: false },
        ty => match types::classify(ty) {
            Kind::Array {
                borrowed: false, ..
            } => Written::Array {
                rank: types::array_rank(ty),
                view: is_view(ty),
            },
            _ => Written::Other,
        },
    }
}

/// `ArrayView2<f64>` and the like (not behind `&`).
fn is_view(ty: &syn::Type) -> bool {
    match types::ungroup(ty) {
        syn::Type::Path(p) => {
            (p.path.segments.last()).is_some_and(|s| s.ident.to_string().starts_with("ArrayView"))
        }
        _ => false,
    }
}

/// The message for an annotation its value contradicts, if it does.
pub(crate) fn annotation(
    g: &Graph,
    a: &Annotated,
    float: Float,
    shape: Shape,
    rank: Option<usize>,
) -> Option<String> {
    let ty = crate::lower::type_text(&a.ty);
    let value = quoted(&a.init);
    let computed = !matches!(g.op(a.node), Op::Input(_) | Op::Named(_) | Op::Pending);
    // `x.index_axis(Axis(1), t)` in a loop, which selects per step: the graph does not
    // know it an array yet, the method says so.
    let shape = match shape {
        Shape::Unknown if makes_a_view(&a.init) => Shape::Array,
        shape => shape,
    };
    // `let n: i64 = softmax(v)`: what the graph computes is a float or an array, never
    // an integer, a `bool` or a string (whatever the macro knows of its shape).
    if computed && let Some(name) = no_number(&a.ty) {
        return Some(format!(
            "this `let` is annotated `{ty}`, but {value} is computed in floats: `{name}` is no float and no array (annotate it `{}` or with an array's type, or leave the annotation out)",
            float.name()
        ));
    }
    // `let z: &&Array2<f64> = &b`: a reference is as good as the array, a reference to
    // one is not.
    if let syn::Type::Reference(r) = types::ungroup(&a.ty)
        && let syn::Type::Reference(inner) = types::ungroup(&r.elem)
    {
        return Some(format!(
            "this `let` is annotated `{ty}`, a reference to a reference: annotate it `&{}` (or leave the annotation out)",
            crate::lower::type_text(&inner.elem)
        ));
    }
    match (written(&a.ty), shape) {
        (Written::Float { .. }, Shape::Array) => Some(format!(
            "this `let` is annotated `{ty}`, a float, but {value} is an array: annotate it with the array's type (or leave the annotation out), or reduce the array (`sum(..)`, `mean(..)`, a loss)"
        )),
        (Written::Array { .. }, Shape::Float) => Some(format!(
            "this `let` is annotated `{ty}`, an array, but {value} is a float (a reduction such as `sum` or `mean`, or a loss): annotate it `{}` (or leave the annotation out)",
            float.name()
        )),
        (Written::Tuple, Shape::Float) => Some(format!(
            "this `let` is annotated `{ty}`, a tuple, but {value} is a float: annotate it `{}` (or leave the annotation out)",
            float.name()
        )),
        (Written::Tuple, Shape::Array) => Some(format!(
            "this `let` is annotated `{ty}`, a tuple, but {value} is an array: annotate it with the array's type (or leave the annotation out)"
        )),
        // `let r: f64 = &x.sum()`: a reference is no float value (rustc's plain reading,
        // which the macro, reading `&` of a float as the float, would not give).
        (Written::Float { reference: false }, Shape::Float | Shape::Unknown)
            if matches!(crate::lower::strip(&a.init), syn::Expr::Reference(_)) =>
        {
            Some(format!(
                "this `let` is annotated `{ty}`, a float value, but {value} is a reference to one: drop the `&` (or annotate it `&{ty}`)"
            ))
        }
        // `let v: &f64 = a * b`: a float computed here is a value; only `&..` borrows it.
        (Written::Float { reference: true }, Shape::Float) if computed && is_value(&a.init) => {
            Some(format!(
                "this `let` is annotated `{ty}`, a reference, but {value} is a float value: annotate it `{}` (or leave the annotation out)",
                float.name()
            ))
        }
        (Written::Array { rank: Some(r), .. }, Shape::Array) if rank.is_some_and(|k| k != r) => {
            Some(format!(
                "this `let` is annotated `{ty}`, an array of {}, but {value} has {}: annotate it with that number of axes (or leave the annotation out)",
                axes(r),
                axes(rank.unwrap_or_default())
            ))
        }
        // `let v: ArrayView2<f64> = x.dot(w)`: a view borrows an array; a computed one is owned.
        (Written::Array { view: true, .. }, Shape::Array)
            if computed && !borrows(g, a.node) && !views(&a.init) =>
        {
            Some(format!(
                "this `let` is annotated `{ty}`, a view, but {value} is a new array, not a view of one: annotate it `{}` (or leave the annotation out)",
                ty.replacen("ArrayView", "Array", 1)
            ))
        }
        // `let v: Array1<f64> = x.row(0)`: ndarray's row is a view, not an owned array
        // (also where the graph does not know the value an array yet: `x.index_axis(..,
        // t)` in a loop, which selects per step).
        (Written::Array { view: false, .. }, Shape::Array | Shape::Unknown)
            if !matches!(types::ungroup(&a.ty), syn::Type::Reference(_))
                && makes_a_view(&a.init) =>
        {
            Some(format!(
                "this `let` is annotated `{ty}`, an owned array, but {value} is a view of one: annotate it `{}`, or make it owned (`.to_owned()`)",
                ty.replacen("Array", "ArrayView", 1)
            ))
        }
        _ => None,
    }
}

/// The name of the integer, `bool`, `char` or string type `ty` is (behind references
/// too; `std::primitive::i64` as well).
fn no_number(ty: &syn::Type) -> Option<String> {
    match types::ungroup(ty) {
        syn::Type::Reference(r) => no_number(&r.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let primitive = types::is_integer(&name) || types::NOT_NUMBERS.contains(&name.as_str());
            (primitive && last.arguments.is_empty()).then_some(name)
        }
        _ => None,
    }
}

/// Whether `e` is written as a method that gives a view whatever its receiver
/// (`x.row(0)`, `x.t()`).
fn makes_a_view(e: &syn::Expr) -> bool {
    matches!(crate::lower::strip(e), syn::Expr::MethodCall(m) if ALWAYS_VIEWS.contains(&m.method.to_string().as_str()))
}

/// ndarray's methods whose result is a view whatever their receiver is.
const ALWAYS_VIEWS: &[&str] = &[
    "view",
    "t",
    "slice",
    "slice_axis",
    "row",
    "column",
    "index_axis",
    "broadcast",
];

/// Whether `id` is a view of another array in plain ndarray (`.t()`, a slice, a row).
fn borrows(g: &Graph, id: NodeId) -> bool {
    matches!(
        g.op(id),
        Op::Transpose | Op::Slice | Op::IndexAxis(_) | Op::IfElse | Op::Guard
    )
}

/// Whether `e` is written as a view of what it reads (`a.view()`, `a.t()`), which the
/// graph does not keep apart from `a` itself.
fn views(e: &syn::Expr) -> bool {
    // Views of a view: their receiver's kind of array, with the axes moved.
    const RESHAPED: &[&str] = &[
        "reversed_axes",
        "insert_axis",
        "into_dyn",
        "permuted_axes",
        "into_shape_with_order",
    ];
    match crate::lower::strip(e) {
        syn::Expr::MethodCall(m) => {
            let name = m.method.to_string();
            ALWAYS_VIEWS.contains(&name.as_str()) || RESHAPED.contains(&name.as_str())
        }
        syn::Expr::Reference(_) | syn::Expr::Path(_) | syn::Expr::Field(_) => true,
        _ => false,
    }
}

/// "1 axis", "3 axes".
pub(crate) fn axes(n: usize) -> String {
    match n {
        1 => "1 axis".into(),
        n => format!("{n} axes"),
    }
}

/// An expression whose result is a new value, never a reference: arithmetic, a
/// literal, a call of an op (`if`/`match` may choose between references).
fn is_value(e: &syn::Expr) -> bool {
    match crate::lower::strip(e) {
        syn::Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)),
        syn::Expr::Binary(_)
        | syn::Expr::Lit(_)
        | syn::Expr::Call(_)
        | syn::Expr::MethodCall(_) => true,
        _ => false,
    }
}

/// The value as the user wrote it, when short enough to quote.
fn quoted(e: &syn::Expr) -> String {
    let text = crate::lower::tidy(e);
    match text.chars().count() {
        0..=48 => format!("`{text}`"),
        _ => "its value".into(),
    }
}

/// `e` added to the errors found so far, all reported together.
fn combine(errors: &mut Option<syn::Error>, e: syn::Error) {
    match errors {
        Some(all) => all.combine(e),
        None => *errors = Some(e),
    }
}
