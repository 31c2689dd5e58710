//! `#[differentiable]`, start to finish: parse the arguments, lower the function to a
//! graph, rebuild it with the rewrite rules, run the reverse sweep, emit. On any error the
//! user's function is emitted beside the errors — its signature as written, its body
//! replaced by `unreachable!()` — so call sites still resolve and the body's own type
//! errors (`x * 2`) do not repeat what the macro already said.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::attr::Args;
use crate::emit::{Derived, emit};
use crate::graph::{Graph, NodeId, Op, Rules};
use crate::lower::{Lowered, lower};
use crate::reverse::{depends_on, gradients};

pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new_spanned(
                &item,
                "#[differentiable] applies to functions (`fn name(x: f64, ...) -> f64 { ... }`)",
            );
            let err = err.to_compile_error();
            return quote!(#err #item);
        }
    };
    match expand(attr, &item) {
        Ok(tokens) => tokens,
        Err(e) => {
            let err = e.to_compile_error();
            let fallback = fallback(&item);
            quote!(#err #fallback)
        }
    }
}

fn fallback(item: &ItemFn) -> TokenStream {
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    quote! {
        #(#attrs)*
        #[allow(unused_variables, unused_mut, unreachable_code)]
        #vis #sig {
            ::core::unreachable!("#[differentiable] reported errors for this function")
        }
    }
}

fn expand(attr: TokenStream, item: &ItemFn) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(attr)?;
    let lowered = lower(item, &args)?;
    let rules = Rules {
        assume_finite: args.assume_finite,
        ..Rules::ALL
    };
    let (mut graph, map) = Graph::rebuild(&lowered.graph, rules);
    let output = map[lowered.output.index()];
    let wrt_raw = wrt_inputs(&lowered);
    let wrt: Vec<_> = wrt_raw.iter().map(|w| map[w.index()]).collect();
    let grads = gradients(&mut graph, output, &wrt);
    check_targets(&graph, output, &wrt)?;
    Ok(emit(&Derived {
        item,
        lowered: &lowered,
        graph: &graph,
        output,
        wrt,
        grads,
        wrt_raw,
    }))
}

/// The inputs to differentiate: each `wrt` argument, or for a struct argument each of
/// its fields the body reads.
fn wrt_inputs(lowered: &Lowered) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &i in &lowered.wrt {
        match lowered.params[i].input {
            Some(input) => out.push(input),
            None => out.extend(
                lowered
                    .fields
                    .iter()
                    .filter(|f| f.param == i)
                    .map(|f| f.input),
            ),
        }
    }
    out
}

/// Loss targets are data: a gradient with respect to them is not supported, and would
/// otherwise be silently wrong.
fn check_targets(g: &Graph, output: NodeId, wrt: &[NodeId]) -> syn::Result<()> {
    let depends = depends_on(g, wrt);
    let live = g.live(&[output]);
    for id in g.ids().filter(|id| live[id.index()]) {
        let target = matches!(
            g.op(id),
            Op::Bce | Op::BceLogits | Op::SoftmaxCe | Op::CrossEntropy
        );
        if g.tensor && target && depends[g.args(id)[1].index()] {
            return Err(syn::Error::new(
                g.node(id).span,
                "this loss's target depends on an argument being differentiated; targets are data: list only the model's parameters in wrt(...)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expands(attr: &str, item: &str) -> String {
        differentiable(attr.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn a_shallow_network_expands() {
        let out = expands(
            "wrt(w11, w12, b1, w2, b2)",
            "pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
                let z1 = w11 * x1 + w12 * x2 + b1;
                let a1 = tanh(z1);
                let z2 = w2 * a1 + b2;
                let a2 = sigmoid(z2);
                bce(a2, y)
            }",
        );
        assert!(out.contains("DERIVATION"), "{out}");
    }
}
