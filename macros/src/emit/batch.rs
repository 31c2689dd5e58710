//! `f::grad_sum` for scalar functions: the loss and gradient summed over a batch of
//! samples in one call. The differentiated arguments stay single values; every other
//! float argument becomes a slice with one entry per sample (`x1s`, `x2s`, `ys` for the
//! neuron). The per-sample body is the one `grad` runs, in a loop the compiler sees whole.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::expr::float_type;
use crate::lower::Lowered;
use crate::types::Kind;

/// The `grad_sum` function, or nothing when the function has no per-sample data (no
/// float argument outside `wrt`) or is tensor code.
pub fn grad_sum(
    lowered: &Lowered,
    grad_stmts: &TokenStream,
    loss: &TokenStream,
    grad_values: &[TokenStream],
    generics: (&TokenStream, &TokenStream, &TokenStream),
) -> TokenStream {
    let params = &lowered.params;
    let per_sample: Vec<usize> = (0..params.len())
        .filter(|i| params[*i].kind == Kind::Float && !lowered.wrt.contains(i))
        .collect();
    let all_floats = lowered.wrt.iter().all(|&i| params[i].kind == Kind::Float);
    if lowered.tensor || per_sample.is_empty() || !all_floats {
        return TokenStream::new();
    }
    let float = float_type(lowered);
    let (fn_impl, grad_ty, fn_where) = generics;
    let signature = params.iter().enumerate().map(|(i, p)| {
        let (ident, ty) = (&p.ident, &p.ty);
        if per_sample.contains(&i) {
            let slice = plural(ident);
            quote!(#slice: &[#float])
        } else {
            quote!(#ident: #ty)
        }
    });
    let slices: Vec<_> = per_sample
        .iter()
        .map(|&i| plural(&params[i].ident))
        .collect();
    let names: Vec<_> = per_sample.iter().map(|&i| &params[i].ident).collect();
    let first = &slices[0];
    let rest = &slices[1..];
    // Nested zips give `((a, b), c)`: the pattern follows the same shape.
    let mut iter = quote!(#first.iter());
    let first_name = names[0];
    let mut pattern = quote!(&#first_name);
    for (s, n) in rest.iter().zip(&names[1..]) {
        iter = quote!(#iter.zip(#s.iter()));
        pattern = quote!((#pattern, &#n));
    }
    let wrt: Vec<_> = lowered.wrt.iter().map(|&i| &params[i].ident).collect();
    let acc = crate::emit::expr::local("sums");
    let total = crate::emit::expr::local("total");
    let len_doc = format!(
        "Sums the loss and the gradient over samples: `{}` hold one entry per sample (the other arguments are shared by all).\n\n# Panics\n\nIf the slices differ in length.",
        slices
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("`, `")
    );
    let zero = crate::emit::expr::literal(0.0, lowered);
    quote! {
        #[doc = #len_doc]
        #[allow(unused_variables, unused_mut, clippy::all)]
        pub fn grad_sum #fn_impl (#(#signature),*) -> (#float, Grad #grad_ty) #fn_where {
            let n = #first.len();
            #(
                ::core::assert_eq!(#rest.len(), n, "grad_sum: every per-sample slice needs one entry per sample");
            )*
            let mut #total = #zero;
            let mut #acc = Grad { #( #wrt: #zero, )* };
            for #pattern in #iter {
                #grad_stmts
                #total += #loss;
                #( #acc.#wrt += #grad_values; )*
            }
            (#total, #acc)
        }
    }
}

/// The name of a per-sample slice: `x1s` for `x1`; `as_batch` where the plural is a
/// keyword (`a` → `as`).
fn plural(ident: &proc_macro2::Ident) -> proc_macro2::Ident {
    let name = format!("{ident}s");
    match syn::parse_str::<proc_macro2::Ident>(&name) {
        Ok(_) => format_ident!("{}", name, span = ident.span()),
        Err(_) => format_ident!("{}_batch", ident, span = ident.span()),
    }
}
