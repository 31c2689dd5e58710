//! Loops through the whole expansion: where the tape is kept, what the backward run
//! writes, and how the derivation shows it.

use quote::ToTokens;
use syn::{Item, ItemFn};

/// The items a function's expansion holds that loops shape: the forward function, `grad`
/// and `DERIVATION`.
struct Expansion {
    forward: String,
    grad: String,
    derivation: String,
}

fn expand(attr: &str, source: &str) -> Expansion {
    let item: ItemFn = syn::parse_str(source).expect("a function");
    let tokens = crate::expand::expand_free(attr.parse().expect("tokens"), &item);
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses");
    let mut out = Expansion {
        forward: String::new(),
        grad: String::new(),
        derivation: String::new(),
    };
    for it in &file.items {
        match it {
            Item::Fn(f) => out.forward = f.to_token_stream().to_string(),
            Item::Mod(m) => {
                for inner in &m.content.as_ref().expect("an inline module").1 {
                    match inner {
                        Item::Fn(f) if f.sig.ident == "grad" => {
                            out.grad = f.to_token_stream().to_string();
                        }
                        Item::Const(c) if c.ident == "DERIVATION" => {
                            let syn::Expr::Lit(lit) = &*c.expr else {
                                panic!("DERIVATION is a literal")
                            };
                            let syn::Lit::Str(text) = &lit.lit else {
                                panic!("DERIVATION is a string")
                            };
                            out.derivation = text.value();
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

const RECURRENT: &str =
    "fn f(w: f64, x: f64) -> f64 { let mut h = x; for _ in 0..3 { h = (h * w).tanh(); } h }";

#[test]
fn a_loop_whose_gradient_is_wanted_keeps_a_tape_in_grad_only() {
    let e = expand("", RECURRENT);
    assert!(e.grad.contains("cadena_tape . push"), "{}", e.grad);
    assert!(e.grad.contains("cadena_tape . pop ()"), "{}", e.grad);
    assert!(!e.forward.contains("cadena_tape"), "{}", e.forward);
}

#[test]
fn a_loop_the_gradient_does_not_go_through_runs_without_a_tape() {
    let e = expand(
        "wrt(w)",
        "fn f(w: f64, x: f64) -> f64 { let mut h = x; for _ in 0..3 { h = h * x; } w * h }",
    );
    assert!(e.grad.contains("for cadena_i in"), "{}", e.grad);
    assert!(!e.grad.contains("cadena_tape"), "{}", e.grad);
}

#[test]
fn the_backward_run_sums_a_captured_values_adjoint_over_the_iterations() {
    let e = expand("", RECURRENT);
    assert!(
        e.grad
            .contains("cadena_d1 = :: cadena :: __private :: t :: accumulate (cadena_d1"),
        "{}",
        e.grad
    );
}

#[test]
fn a_stack_of_layers_gets_each_gradient_written_in_place_at_its_index() {
    let e = expand(
        "",
        "fn f(p: &Model, x: f64) -> f64 { let mut h = x; for l in &p.layers { h = (h * l.w).tanh(); } h }",
    );
    assert!(
        e.grad
            .contains("let mut grad_struct0 = :: cadena :: Parameters :: zeros_like (p)"),
        "{}",
        e.grad
    );
    assert!(
        e.grad
            .contains("put (& mut grad_struct0 . layers [cadena_i] . w"),
        "{}",
        e.grad
    );
}

#[test]
fn a_loops_derivation_runs_last_to_first_below_the_lines_that_use_it() {
    assert_eq!(
        expand("", RECURRENT).derivation,
        "dL/dw = Σi δw[i]\n\
         dL/dx = δh[start]\n\
         δh[end] = 1\n\
         for _ in 0..3, last to first:\n  \
           δh[i-1] = δh[i] * (1 - h[i]^2) * w\n  \
           δw[i] = δh[i] * (1 - h[i]^2) * h[i-1]"
    );
}
