//! `#[differentiable(derivative(f_prime))]`: a function whose derivative the user writes,
//! in the style of JAX's `custom_vjp` or ChainRules' `rrule`. The macro does not read the
//! body (it may call a library, loop, or be numerically better written by hand); it
//! emits the function as written, `f::grad` and `f::derivative` from the rule, and the
//! export that lets callers use the rule wherever they call `f` (`f'(x)` in their
//! derivations). `cadena::gradcheck` is how to test the rule.
//!
//! The rule takes the function's arguments and returns its partial derivatives: one
//! float for a function of one argument, a tuple in argument order for several.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, ItemFn, Pat, ReturnType};

use crate::ctxt::Ctxt;
use crate::handover::export;
use crate::subscript::subscript;
use crate::types::{Float, ungroup};

pub fn expand(mut cx: Ctxt, item: &ItemFn, derivative: &syn::Path, exported: bool) -> TokenStream {
    let name = &item.sig.ident;
    // `async`, `const`, `unsafe` and the like are refused here as for derived functions.
    crate::lower::signature::check(&mut cx, item);
    let (ret, idents, types) = signature(&mut cx, item);
    if derivative.is_ident(name) {
        cx.error(derivative, format!(
            "`derivative(..)` names the rule: another function, returning the partial derivatives (`{name}_prime`), not `{name}` itself"
        ));
    }
    if idents.is_empty() && cx.count() == 0 {
        cx.error(
            &item.sig,
            "a function with a hand-written derivative needs at least one float argument",
        );
    }
    if let Err(e) = cx.check() {
        let err = e.to_compile_error();
        return quote!(#err #item);
    }
    let Some(float) = ret else {
        return quote!(#item);
    };
    let vis = &item.vis;
    let n = idents.len();
    let (rule_type, partials): (TokenStream, Vec<TokenStream>) = if n == 1 {
        (quote!(#float), vec![quote!(d)])
    } else {
        (
            quote!((#(#types),*)),
            (0..n)
                .map(|k| {
                    let k = syn::Index::from(k);
                    quote!(d.#k)
                })
                .collect(),
        )
    };
    let Texts {
        derivation,
        explain,
        dot,
        mod_doc,
    } = texts(name, &idents, derivative);
    let export = export(item, true, exported);
    // Spanned at the rule's name in the attribute: a rule of the wrong signature is an
    // error there.
    let rule_call =
        quote::quote_spanned!(syn::spanned::Spanned::span(derivative)=> #derivative(#(#idents),*));
    quote! {
        #item

        #[doc = #mod_doc]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;

            /// The gradient: one field per argument.
            #[derive(Debug, Clone, PartialEq)]
            pub struct Grad {
                #( #[doc = "A partial derivative."] pub #idents: #types, )*
            }

            /// The hand-written rule: the partial derivatives in argument order.
            #[inline]
            pub fn derivative(#(#idents: #types),*) -> #rule_type {
                #rule_call
            }

            /// The value and its gradient, from the hand-written rule.
            #[inline]
            #[allow(clippy::all)]
            pub fn grad(#(#idents: #types),*) -> (#float, Grad) {
                let d = derivative(#(#idents),*);
                (super::#name(#(#idents),*), Grad { #( #idents: #partials, )* })
            }

            /// The derivative's formula: the rule, by name.
            pub const DERIVATION: &str = #derivation;

            /// The rule used.
            pub const EXPLAIN: &str = #explain;

            /// The function as one opaque node.
            pub const GRAPH_DOT: &str = #dot;
        }

        #export
    }
}

/// The float type the function returns, and its arguments, each a float of that type;
/// anything else is reported.
fn signature(cx: &mut Ctxt, item: &ItemFn) -> (Option<syn::Type>, Vec<syn::Ident>, Vec<syn::Type>) {
    // `fn f<T: Float>(..) -> T`: the module's items would name `T` outside the function's
    // generics (a fuzzer finding: rustc's "cannot find type `T`" in the generated code).
    if let Some(param) = item.sig.generics.type_params().next() {
        cx.error(&param.ident, format!(
            "a function with a hand-written derivative computes in `f32`, `f64` or an alias of one, not in a type parameter (`{}`): write it, and its rule, for the float it is used with",
            param.ident
        ));
        return (None, Vec::new(), Vec::new());
    }
    let ret = match &item.sig.output {
        ReturnType::Type(_, ty) if Float::of(ty).or_else(|| Float::alias(ty)).is_some() => {
            Some(ungroup(ty).clone())
        }
        other => {
            let message = "a function with a hand-written derivative returns a float (f32, f64 or an alias of one)";
            match other {
                ReturnType::Type(..) => cx.error(other, message),
                // No tokens to point at: the signature's closing parenthesis.
                ReturnType::Default => cx.push(syn::Error::new(
                    item.sig.paren_token.span.close(),
                    format!("{message}: add `-> f64`"),
                )),
            }
            None
        }
    };
    let mut idents = Vec::new();
    let mut types = Vec::new();
    // `x: f32` in a function returning `f64`: the rule, called with the arguments, would
    // be handed the other float (a fuzzer finding: rustc's mismatch at the attribute).
    let other_float = |ty: &syn::Type, r: &syn::Type| matches!((Float::of(ty), Float::of(r)), (Some(a), Some(b)) if a != b);
    for arg in &item.sig.inputs {
        match arg {
            FnArg::Typed(pt) => match (&*pt.pat, &ret) {
                (Pat::Ident(p), Some(r))
                    if (ungroup(&pt.ty) == r || Float::of(&pt.ty).is_some())
                        && !other_float(&pt.ty, r) =>
                {
                    idents.push(p.ident.clone());
                    types.push((*pt.ty).clone());
                }
                // No float type to hold them to: the return type is reported.
                (_, None) => {}
                (_, Some(r)) => cx.error(pt, format!(
                    "a function with a hand-written derivative takes its arguments as plain floats of its return type (`x: {}`)",
                    crate::lower::type_text(r)
                )),
            },
            FnArg::Receiver(r) => cx.error(r, "methods cannot be #[differentiable]"),
        }
    }
    (ret, idents, types)
}

/// The module's texts: the derivation (by the rule's name), the explanation, the DOT
/// graph and the module's documentation.
struct Texts {
    derivation: String,
    explain: String,
    dot: String,
    mod_doc: String,
}

fn texts(name: &syn::Ident, idents: &[syn::Ident], derivative: &syn::Path) -> Texts {
    let n = idents.len();
    let args_text = idents
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let derivation = idents
        .iter()
        .enumerate()
        .map(|(k, p)| match n {
            1 => format!("dL/d{p} = {name}'({args_text})"),
            _ => format!("dL/d{p} = ∂{}{name}({args_text})", subscript(k + 1)),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let rule_text = quote!(#derivative).to_string().replace(' ', "");
    let explain = format!("{derivation}\n  (the hand-written derivative `{rule_text}`)");
    let dot = format!(
        "digraph {name} {{\n  rankdir=LR;\n{}  f [label=\"L = {name}\", shape=doublecircle];\n{}}}",
        idents
            .iter()
            .map(|p| format!(
                "  {p} [label=\"{p}\", shape=box, style=filled, fillcolor=\"#fde68a\"];\n"
            ))
            .collect::<String>(),
        idents
            .iter()
            .map(|p| format!("  {p} -> f;\n"))
            .collect::<String>()
    );
    let mod_doc = format!(
        "The derivative of [`{name}`](fn@{name}), written by hand (`{rule_text}`).\n\n```text\n{derivation}\n```"
    );
    Texts {
        derivation,
        explain,
        dot,
        mod_doc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(source: &str, rule: &str) -> String {
        let item: ItemFn = syn::parse_str(source).expect("a function");
        let rule: syn::Path = syn::parse_str(rule).expect("a path");
        expand(Ctxt::default(), &item, &rule, false).to_string()
    }

    /// The value of the string constant `name` in the module of an expansion.
    fn text(expanded: &str, name: &str) -> String {
        let file: syn::File = syn::parse_str(expanded).expect("the expansion parses");
        file.items
            .iter()
            .filter_map(|it| match it {
                syn::Item::Mod(m) => m.content.as_ref(),
                _ => None,
            })
            .flat_map(|(_, items)| items)
            .find_map(|it| match it {
                syn::Item::Const(c) if c.ident == name => match &*c.expr {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {name} in {expanded}"))
    }

    const SWISH: &str = "pub fn swish(x: f64) -> f64 { x * cadena::sigmoid(x) }";

    #[test]
    fn a_function_of_one_float_gets_its_gradient_from_the_rule() {
        let out = expanded(SWISH, "swish_prime");
        assert!(
            out.contains("pub fn derivative (x : f64) -> f64 { swish_prime (x) }"),
            "{out}"
        );
        assert!(
            out.contains("(super :: swish (x) , Grad { x : d , })"),
            "{out}"
        );
        assert_eq!(text(&out, "DERIVATION"), "dL/dx = swish'(x)");
        assert_eq!(
            text(&out, "EXPLAIN"),
            "dL/dx = swish'(x)\n  (the hand-written derivative `swish_prime`)"
        );
    }

    #[test]
    fn a_function_of_several_floats_takes_its_partials_from_the_rules_tuple() {
        let out = expanded(
            "fn hypot(a: f32, b: f32) -> f32 { (a * a + b * b).sqrt() }",
            "rules::hypot_partials",
        );
        assert!(
            out.contains("pub fn derivative (a : f32 , b : f32) -> (f32 , f32)"),
            "{out}"
        );
        assert!(out.contains("Grad { a : d . 0 , b : d . 1 , }"), "{out}");
        assert_eq!(
            text(&out, "DERIVATION"),
            "dL/da = ∂₁hypot(a, b)\ndL/db = ∂₂hypot(a, b)"
        );
    }

    #[test]
    fn callers_are_handed_the_function_marked_as_called_by_its_rule() {
        let out = expanded(SWISH, "swish_prime");
        assert!(
            out.contains("callee { derivative pub fn swish (x : f64) -> f64"),
            "{out}"
        );
    }

    #[test]
    fn arguments_that_are_not_floats_of_the_return_type_are_reported_beside_the_function() {
        let out = expanded(
            "fn scaled(x: f64, n: usize) -> f64 { x * n as f64 }",
            "scaled_prime",
        );
        assert!(
            out.contains("takes its arguments as plain floats of its return type"),
            "{out}"
        );
        assert!(
            out.contains("fn scaled (x : f64 , n : usize) -> f64"),
            "{out}"
        );
        assert!(!out.contains("mod scaled"), "{out}");
    }

    #[test]
    fn a_rule_for_a_function_not_returning_a_float_is_reported() {
        let out = expanded("fn pair(x: f64) -> (f64, f64) { (x, x) }", "pair_prime");
        assert!(
            out.contains("returns a float (f32, f64 or an alias of one)"),
            "{out}"
        );
    }
}
