//! The function's signature: which features a generated `grad` can mirror, the float
//! type, each argument's kind and input node, and the arguments `wrt(...)` names.

use quote::{ToTokens, quote};
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use super::{Param, Usage, type_text};
use crate::attr::Args;
use crate::ctxt::Ctxt;
use crate::ir::graph::Graph;
use crate::types::{Float, Kind, array_elem_is, array_output, classify, tuple_output, ungroup};

/// Rules out signature features the generated `grad` could not mirror.
pub fn check(cx: &mut Ctxt, item: &ItemFn) {
    let sig = &item.sig;
    if let Some(t) = &sig.asyncness {
        cx.error(t, "async functions cannot be #[differentiable]; differentiate the synchronous computation and call it from async code");
    }
    if let Some(t) = &sig.constness {
        cx.error(t, "const functions cannot be #[differentiable]; the generated code calls runtime functions");
    }
    if let Some(t) = &sig.unsafety {
        cx.error(
            t,
            "unsafe functions cannot be #[differentiable]; a forward pass needs no unsafe code",
        );
    }
    // Type parameters (`fn f<T: Float>`) are fine: the float type may be one, and the
    // generated items carry the same generics. Const parameters have no float meaning.
    for param in &sig.generics.params {
        if let syn::GenericParam::Const(c) = param {
            cx.error(c, "const generic parameters are not supported in #[differentiable] functions; use a type parameter for the float type (`fn f<T: Float>(x: T) -> T`)");
        }
    }
    if let Some(v) = &sig.variadic {
        cx.error(v, "variadic functions cannot be #[differentiable]");
    }
    // The function's name is also its module's (`f::grad`): a module `cadena` would hide
    // the crate every body's imports name.
    if sig.ident == "cadena" {
        cx.error(&sig.ident, "a #[differentiable] function named `cadena` would hide the `cadena` crate behind its module (`cadena::grad`): give it another name");
    }
    // A struct the signature names shares the type namespace with that module, which
    // Rust keeps apart from the function's own name (`fn Lin(p: &Lin)` is valid Rust).
    if named_like_a_type(sig) {
        let name = &sig.ident;
        cx.error(name, format!("the function is named like a type of its signature, `{name}`: #[differentiable] adds a module `{name}` (for `{name}::grad`), which would clash with the type; give the function another name"));
    }
    // A type parameter no argument names could only be given by a turbofish, and the
    // generated items could not infer it.
    let inputs: Vec<String> = sig.inputs.iter().map(|a| quote!(#a).to_string()).collect();
    for t in sig.generics.type_params() {
        let name = t.ident.to_string();
        let used = inputs.iter().any(|text| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == name)
        });
        if !used {
            cx.error(&t.ident, format!("the type parameter `{name}` is not the type of any argument: remove it, or take the float type as one (`fn f<{name}: Float>(x: {name}) -> {name}`)"));
        }
    }
    // `i64<f32>`: rustc says so on the signature, and the generated code built on the
    // argument's type would add errors of its own.
    use syn::visit::Visit;
    struct Primitives<'c>(&'c mut Ctxt);
    impl Visit<'_> for Primitives<'_> {
        fn visit_type_path(&mut self, t: &syn::TypePath) {
            if let [only] = t.path.segments.iter().collect::<Vec<_>>()[..]
                && !only.arguments.is_none()
                && crate::types::is_primitive(&only.ident.to_string())
            {
                self.0.error(
                    t,
                    format!(
                        "`{}` is a primitive type, which takes no generic arguments",
                        only.ident
                    ),
                );
            }
            syn::visit::visit_type_path(self, t);
        }
    }
    for arg in &sig.inputs {
        Primitives(cx).visit_fn_arg(arg);
    }
    Primitives(cx).visit_return_type(&sig.output);
    // `p: &Self` written by the user (not the `self_: &Self` a method's receiver becomes):
    // the function is expanded outside any impl, where `Self` would name the generated
    // `Grad` (a recursive type) or nothing.
    struct SelfType<'c>(&'c mut Ctxt);
    impl Visit<'_> for SelfType<'_> {
        fn visit_type_path(&mut self, t: &syn::TypePath) {
            if let Some(first) = t.path.segments.first()
                && first.ident == "Self"
            {
                self.0.error(&first.ident, "`Self` in the arguments of a #[differentiable] function: inside an impl block, mark the block (`#[differentiable] impl P { .. }`, which reads `Self` as `P`); outside one, name the type (`p: &P`)");
            }
            syn::visit::visit_type_path(self, t);
        }
    }
    for arg in &sig.inputs {
        if let FnArg::Typed(pt) = arg
            && !matches!(&*pt.pat, syn::Pat::Ident(p) if p.ident == "self_")
        {
            SelfType(cx).visit_type(&pt.ty);
        }
    }
}

/// The float type the function returns, which every float in it must share.
pub fn return_float(cx: &mut Ctxt, item: &ItemFn) -> Option<Float> {
    match &item.sig.output {
        ReturnType::Default => {
            cx.error(
                &item.sig.ident,
                "a #[differentiable] function must return its result as f32 or f64; add `-> f64`",
            );
            None
        }
        ReturnType::Type(_, ty) => {
            if let Some(bad) = crate::types::non_numeric_element(ty) {
                cx.error(bad, "an array a #[differentiable] function returns holds `f32` or `f64`; this element type is neither");
                return None;
            }
            if let Some((elem, _)) = array_output(ty) {
                return Some(elem);
            }
            if let Some(parts) = tuple_output(ty) {
                let floats: Vec<Option<Float>> = parts.iter().map(part_float).collect();
                return match floats[0] {
                    Some(f) if floats.iter().all(|g| *g == Some(f)) => Some(f),
                    _ => {
                        cx.error(ty, format!(
                            "a #[differentiable] function returning a tuple returns floats or float arrays of one float type, not `{}`",
                            type_text(ty)
                        ));
                        None
                    }
                };
            }
            // `-> P` beside `p: &P`: a name the macro would take for a float alias is the
            // type of a struct it borrows (every float in the body would be a `P`).
            let borrowed = item.sig.inputs.iter().find_map(|a| match a {
                FnArg::Typed(pt) => match ungroup(&pt.ty) {
                    Type::Reference(r) if ungroup(&r.elem) == ungroup(ty) => Some(pt),
                    _ => None,
                },
                FnArg::Receiver(_) => None,
            });
            if let Some(pt) = borrowed.filter(|_| Float::of(ty).is_none()) {
                cx.error(ty, format!(
                    "#[differentiable] functions return a float, an array or a tuple of them, and `{}` is the type of the struct `{}` borrows; return the loss as a float",
                    type_text(ty),
                    quote::ToTokens::to_token_stream(&pt.pat)
                ));
                return None;
            }
            let f = Float::of(ty).or_else(|| Float::alias(ty));
            // `fn f(x: f64) -> P`: a name read as an alias of a float, where the arguments
            // are written in a float type and never in that name, is more likely a struct
            // or an enum than an alias; computing in it, the generated code failed on the
            // attribute (a fuzzer finding). One error, with advice that works either way.
            if f == Some(Float::Alias)
                && let Some(written) = concrete_argument_float(item)
                && !item.sig.inputs.iter().any(|a| match a {
                    FnArg::Typed(pt) => crate::types::mentions_one_of(
                        quote::ToTokens::to_token_stream(&pt.ty),
                        &|i| *i == type_text(ty),
                    ),
                    FnArg::Receiver(_) => false,
                })
            {
                cx.error(ty, format!(
                    "this function's arguments are `{written}`s, and it returns `{}`, which the macro would read as another name of a float: a #[differentiable] function computes in one float type; return `{written}` (if `{0}` is an alias of it, `{written}` is the same type)",
                    type_text(ty)
                ));
                return None;
            }
            if f.is_none() {
                cx.error(ty, format!(
                    "#[differentiable] functions return f32 or f64 (or a type alias of one), not `{}`; return the loss as a float",
                    type_text(ty)
                ));
            }
            f
        }
    }
}

/// The float type (`f32` or `f64`) the arguments are written in, floats or arrays of
/// them, if any is.
fn concrete_argument_float(item: &ItemFn) -> Option<&'static str> {
    item.sig.inputs.iter().find_map(|a| match a {
        FnArg::Typed(pt) => crate::types::written_float(&pt.ty).map(|(_, f, _)| f.name()),
        FnArg::Receiver(_) => None,
    })
}

/// Each argument with its kind; floats and arrays become graph inputs here.
pub fn params(
    cx: &mut Ctxt,
    item: &ItemFn,
    float: Option<Float>,
    g: &mut Graph,
    usage: &mut Usage,
) -> Vec<Param> {
    let float_ty = (float == Some(Float::Alias))
        .then(|| float_type(item))
        .flatten();
    let float_ty = float_ty.as_ref();
    let mut params = Vec::new();
    let tensor = item.sig.inputs.iter().any(|a| match a {
        FnArg::Typed(pt) => crate::types::is_tensor_argument(&pt.ty),
        FnArg::Receiver(_) => false,
    });
    for arg in &item.sig.inputs {
        let pt = match arg {
            FnArg::Receiver(r) => {
                cx.error(r, "methods cannot be #[differentiable]; `self` is not supported: write a free function and pass the fields it needs as arguments");
                continue;
            }
            FnArg::Typed(pt) => pt,
        };
        let ident = match &*pt.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() => {
                p.ident.clone()
            }
            Pat::Ident(p) if p.mutability.is_some() => {
                cx.error(p, "mutable arguments are not supported in #[differentiable] functions; bind a new name with `let` instead");
                continue;
            }
            other => {
                cx.error(
                    other,
                    "#[differentiable] arguments must be plain names (`x: f64`), not patterns",
                );
                continue;
            }
        };
        let ty = (*pt.ty).clone();
        if let Type::Reference(r) = &ty
            && let Some(m) = &r.mutability
        {
            cx.error(m, "`&mut` arguments are not supported: #[differentiable] code does not mutate; take the value (`x: f64`)");
            continue;
        }
        let kind = with_alias(classify(&ty), &ty, float_ty);
        if let Kind::Array { elem: None, .. } = kind
            && let Some(bad) = crate::types::non_numeric_element(&ty)
        {
            cx.error(
                bad,
                "array arguments of a #[differentiable] function hold `f32` or `f64` (or integers, for indices); this element type is neither",
            );
            continue;
        }
        let elem = match kind {
            Kind::Float => Float::of(&ty).or(float),
            Kind::Array { elem, .. } => elem,
            Kind::Struct | Kind::Other => None,
        };
        // An alias may name either float type: rustc checks those.
        if let (Some(a), Some(f)) = (elem, float)
            && a != f
            && a != Float::Alias
            && f != Float::Alias
        {
            cx.error(&pt.ty, "this argument's float type differs from the return type; use one float type (f32 or f64) throughout a #[differentiable] function");
        }
        let input = match kind {
            Kind::Float => Some(quote!(#ident)),
            Kind::Array { borrowed: true, .. } => Some(quote!(#ident)),
            Kind::Array {
                borrowed: false, ..
            } => Some(quote!(&#ident)),
            Kind::Other if tensor => Some(quote!(#ident)),
            Kind::Other | Kind::Struct => None,
        }
        .map(|tokens| {
            usage.access.push(tokens);
            g.input(&ident.to_string(), ident.span())
        });
        params.push(Param {
            ident,
            ty,
            kind,
            input,
        });
    }
    params
}

/// The arguments to differentiate: those `wrt(...)` names, or every float, float array
/// and parameter struct.
pub fn wrt(cx: &mut Ctxt, item: &ItemFn, args: &Args, params: &[Param]) -> Vec<usize> {
    let differentiable = |p: &Param| p.kind.is_differentiable();
    let floats: Vec<usize> = (0..params.len())
        .filter(|&i| differentiable(&params[i]))
        .collect();
    let Some(names) = &args.wrt else {
        let all_accepted = params.len() == item.sig.inputs.len();
        if floats.is_empty() && !params.is_empty() && all_accepted {
            cx.error(
                &item.sig.inputs,
                "no f32/f64 arguments to differentiate with respect to",
            );
        }
        return floats;
    };
    let mut wrt = Vec::new();
    for name in names {
        match params.iter().position(|p| p.ident == *name) {
            None => {
                let known: Vec<String> = params.iter().map(|p| p.ident.to_string()).collect();
                cx.error(name, format!(
                    "`{name}` is not an argument of `{}`; wrt(...) names arguments to differentiate: {}",
                    item.sig.ident,
                    known.join(", ")
                ));
            }
            Some(i) if !differentiable(&params[i]) => {
                let ty = type_text(&params[i].ty);
                // A struct taken by value: parameter structs are borrowed.
                let by_value = matches!(&params[i].ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with(char::is_uppercase)));
                let advice = match by_value {
                    true => format!("; a parameter struct is borrowed: take `{name}: &{ty}`"),
                    false => String::new(),
                };
                cx.error(
                    name,
                    format!(
                        "`{name}: {ty}` is not differentiable; wrt(...) takes f32/f64 values, float arrays and parameter structs{advice}"
                    ),
                );
            }
            Some(i) if wrt.contains(&i) => {
                cx.error(name, format!("`{name}` appears twice in wrt(...)"))
            }
            Some(i) => wrt.push(i),
        }
    }
    wrt
}

/// The float type as written: the return type, or the element type of a returned
/// array, without the groups macros wrap it in.
pub fn float_type(item: &ItemFn) -> Option<Type> {
    match &item.sig.output {
        ReturnType::Type(_, ty) => {
            let first = tuple_output(ty).map(|parts| parts[0].clone());
            let ty = first.as_ref().unwrap_or(ty);
            match array_output(ty) {
                Some((_, elem)) => Some(elem),
                None => Some(ungroup(ty).clone()),
            }
        }
        ReturnType::Default => None,
    }
}

/// A part of a returned tuple: a float, or an array of floats.
fn part_float(ty: &Type) -> Option<Float> {
    match array_output(ty) {
        Some((f, _)) => Some(f),
        None => Float::of(ty).or_else(|| Float::alias(ty)),
    }
}

/// An argument whose type is the function's float alias (`x: Real`, `&Array2<Real>`) is
/// a float, or an array of floats, like one written `f64`.
fn with_alias(kind: Kind, ty: &Type, alias: Option<&Type>) -> Kind {
    let Some(alias) = alias else { return kind };
    match kind {
        Kind::Other | Kind::Struct if ungroup(ty) == alias => Kind::Float,
        Kind::Array {
            borrowed,
            elem: None,
        } if array_elem_is(ty, alias) => Kind::Array {
            borrowed,
            elem: Some(Float::Alias),
        },
        other => other,
    }
}

/// Whether a type in the signature has the function's name (`fn Lin(p: &Lin)`): the
/// module `Lin` the macro adds would clash with it.
pub(crate) fn named_like_a_type(sig: &syn::Signature) -> bool {
    sig.inputs.iter().any(|a| match a {
        FnArg::Typed(t) => crate::types::mentions(t.ty.to_token_stream(), &sig.ident),
        FnArg::Receiver(_) => false,
    }) || crate::types::mentions(sig.output.to_token_stream(), &sig.ident)
}
