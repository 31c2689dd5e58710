//! `f::grad_sum` for scalar functions: the loss and gradient summed over a batch of
//! samples in one call. The differentiated arguments stay single values (floats, or
//! float arrays such as `deep`'s `hidden: &[f64; 6]`); every other float argument
//! becomes a slice with one entry per sample (`x1s`, `x2s`, `ys` for the neuron).
//!
//! The samples go in chunks of [`LANES`]: the per-sample body runs for each sample of a
//! chunk in an inner loop with one accumulator per lane, calling `cadena::ops::lanes`'
//! branch-free kernels instead of libm, so LLVM turns the inner loop into SIMD
//! instructions; `lanes::run` compiles it for the widest vector unit the CPU has,
//! chosen at run time. The lanes are summed at the end, and the samples after the last
//! whole chunk go through `grad`'s own statements. The sums agree with a loop of `grad`
//! to rounding (the kernels are within a few ulp of libm's, and the order of the
//! additions differs).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::expr::float_type;
use crate::ir::function::Lowered;
use crate::types::{Kind, is_float_array};

/// Samples per chunk: two AVX2 vectors of f64, one of AVX-512 (or of f32 on AVX2).
const LANES: usize = 8;

/// The `grad_sum` function, or nothing when the function has no per-sample data (no
/// float argument outside `wrt`) or is tensor code.
pub fn grad_sum(
    lowered: &Lowered,
    (grad_stmts, lane_stmts): (&TokenStream, &TokenStream),
    loss: &TokenStream,
    grad_values: &[TokenStream],
    generics: (&TokenStream, &TokenStream, &TokenStream),
) -> TokenStream {
    let params = &lowered.params;
    let per_sample: Vec<usize> = (0..params.len())
        .filter(|i| params[*i].kind == Kind::Float && !lowered.wrt.contains(i))
        .collect();
    // Every argument a float (shared or per sample), or a float array differentiated
    // (`hidden: &[f64; 6]`, shared by all samples; its gradient is summed element by
    // element): the chunks' kernel holds them by value or by reference.
    let array = |i: usize| lowered.wrt.contains(&i) && is_float_array(&params[i].ty);
    let supported = (0..params.len()).all(|i| params[i].kind == Kind::Float || array(i));
    if lowered.tensor || per_sample.is_empty() || !supported {
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
    let wrt: Vec<_> = lowered.wrt.iter().map(|&i| &params[i].ident).collect();
    let acc = crate::emit::expr::local("sums");
    let total = crate::emit::expr::local("total");
    let len_doc = format!(
        "Sums the loss and the gradient over samples: `{}` hold one entry per sample (the other arguments are shared by all). The samples run in chunks over SIMD lanes; the result equals summing `grad` over them, to rounding.\n\n# Panics\n\nIf the slices differ in length.",
        slices
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("`, `")
    );
    let zero = crate::emit::expr::literal(0.0, lowered);
    let local = crate::emit::expr::local;
    let (lanes_n, split, c, k, i) = (
        proc_macro2::Literal::usize_unsuffixed(LANES),
        local("split"),
        local("chunk"),
        local("lane"),
        local("sample"),
    );
    let chunks: Vec<_> = slices
        .iter()
        .map(|s| format_ident!("{}_chunk", s, span = proc_macro2::Span::mixed_site()))
        .collect();
    let lane_sums: Vec<_> = wrt
        .iter()
        .map(|w| format_ident!("{}_lanes", w, span = proc_macro2::Span::mixed_site()))
        .collect();
    let total_lanes = local("total_lanes");
    let sum_lanes = |v: &proc_macro2::Ident| quote!(#v.iter().fold(#zero, |a, b| a + *b));
    let total_sum = sum_lanes(&total_lanes);
    // A float array's gradient adds up element by element (`lanes::Summed`).
    let summed = quote!(::cadena::__private::lanes::Summed);
    let arrays: Vec<bool> = lowered.wrt.iter().map(|&i| array(i)).collect();
    let grad_sums: Vec<_> = lane_sums
        .iter()
        .zip(&arrays)
        .map(|(v, &arr)| match arr {
            false => sum_lanes(v),
            true => {
                quote!(#v.iter().fold(#summed::zero(), |mut a, b| { #summed::add(&mut a, *b); a }))
            }
        })
        .collect();
    let lane_inits = lowered.wrt.iter().zip(&arrays).map(|(&i, &arr)| match arr {
        false => quote!([#zero; #lanes_n]),
        true => {
            let ty = crate::types::grad_type(&params[i].ty);
            quote!([<#ty as #summed>::zero(); #lanes_n])
        }
    });
    let add = |target: TokenStream, value: &TokenStream, arr: bool| match arr {
        false => quote!(#target += #value;),
        true => quote!(#summed::add(&mut #target, #value);),
    };
    let lane_adds: Vec<_> = lane_sums
        .iter()
        .zip(grad_values)
        .zip(&arrays)
        .map(|((v, value), &arr)| add(quote!(#v[#k]), value, arr))
        .collect();
    let tail_adds: Vec<_> = wrt
        .iter()
        .zip(grad_values)
        .zip(&arrays)
        .map(|((w, value), &arr)| add(quote!(#acc.#w), value, arr))
        .collect();
    let chunked = quote! {
        let mut #total_lanes = [#zero; #lanes_n];
        #( let mut #lane_sums = #lane_inits; )*
        let mut #c = 0;
        while #c < #split {
            #(
                let #chunks: &[#float; #lanes_n] = #slices[#c..#c + #lanes_n]
                    .try_into()
                    .expect("a whole chunk");
            )*
            for #k in 0..#lanes_n {
                #( let #names = #chunks[#k]; )*
                #lane_stmts
                #total_lanes[#k] += #loss;
                #( #lane_adds )*
            }
            #c += #lanes_n;
        }
        (#total_sum, Grad { #( #wrt: #grad_sums, )* })
    };
    // The chunks run inside `pulp`'s `WithSimd::with_simd`, which pulp instantiates once
    // per instruction set and calls from a function compiled for it; `#[inline(always)]`
    // makes the loop part of that function, so LLVM vectorises it for AVX2 (or AVX-512)
    // when the CPU has it. (A closure could not be forced inline.)
    let kernel = local("Chunks");
    let mut generics: syn::Generics = syn::parse2(fn_impl.clone()).unwrap_or_default();
    generics.params.insert(0, syn::parse_quote!('cadena));
    generics.where_clause = syn::parse2::<syn::WhereClause>(fn_where.clone()).ok();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let field_types: Vec<TokenStream> = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if per_sample.contains(&i) {
                quote!(&'cadena [#float])
            } else {
                // A borrowed float array is held for the kernel's lifetime.
                let mut ty = p.ty.clone();
                if let syn::Type::Reference(r) = &mut ty
                    && r.lifetime.is_none()
                {
                    r.lifetime = Some(syn::parse_quote!('cadena));
                }
                quote!(#ty)
            }
        })
        .collect();
    let field_names: Vec<proc_macro2::Ident> = params
        .iter()
        .enumerate()
        .map(|(i, p)| match per_sample.iter().position(|&j| j == i) {
            Some(s) => slices[s].clone(),
            None => p.ident.clone(),
        })
        .collect();
    let pulp = quote!(::cadena::__private::pulp);
    quote! {
        #[doc = #len_doc]
        #[allow(unused_variables, unused_mut, clippy::all)]
        pub fn grad_sum #fn_impl (#(#signature),*) -> (#float, Grad #grad_ty) #fn_where {
            let n = #first.len();
            #(
                ::core::assert_eq!(#rest.len(), n, "grad_sum: every per-sample slice needs one entry per sample");
            )*
            let #split = n - n % #lanes_n;
            struct #kernel #impl_generics #where_clause {
                #( #field_names: #field_types, )*
                #split: usize,
            }
            impl #impl_generics #pulp::WithSimd for #kernel #ty_generics #where_clause {
                type Output = (#float, Grad #grad_ty);
                #[inline(always)]
                fn with_simd<S: #pulp::Simd>(self, _simd: S) -> Self::Output {
                    let #kernel { #( #field_names, )* #split } = self;
                    #chunked
                }
            }
            let (mut #total, mut #acc) = ::cadena::__private::lanes::run(#kernel { #( #field_names, )* #split });
            for #i in #split..n {
                #( let #names = #slices[#i]; )*
                #grad_stmts
                #total += #loss;
                #( #tail_adds )*
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
