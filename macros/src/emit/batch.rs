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

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::expr::{float_type, local};
use crate::ir::function::{Lowered, Param};
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
    let Some(b) = Batch::new(lowered) else {
        return TokenStream::new();
    };
    let (fn_impl, grad_ty, fn_where) = generics;
    let Batch {
        float,
        slices,
        names,
        wrt,
        ..
    } = &b;
    let l = &b.locals;
    let (acc, total, split, i, lanes_n) = (&l.acc, &l.total, &l.split, &l.i, &l.lanes_n);
    let signature = b.signature();
    let first = &slices[0];
    let rest = &slices[1..];
    let len_doc = b.len_doc();
    let chunked = b.chunked(lane_stmts, loss, grad_values);
    let tail_adds: Vec<_> = wrt
        .iter()
        .zip(grad_values)
        .zip(&b.arrays)
        .map(|((w, value), &arr)| b.add(quote!(#acc.#w), value, arr))
        .collect();
    // The chunks run inside `pulp`'s `WithSimd::with_simd`, which pulp instantiates once
    // per instruction set and calls from a function compiled for it; `#[inline(always)]`
    // makes the loop part of that function, so LLVM vectorises it for AVX2 (or AVX-512)
    // when the CPU has it. (A closure could not be forced inline.)
    let kernel = local("Chunks");
    let (field_names, field_types) = b.kernel_fields();
    let mut generics: syn::Generics = syn::parse2(fn_impl.clone()).unwrap_or_default();
    // A struct may not declare a lifetime its fields do not use (`fn f<'a>(..)`).
    let fields_text = quote!(#(#field_types)*).to_string();
    generics.params = generics
        .params
        .into_iter()
        .filter(|p| match p {
            syn::GenericParam::Lifetime(l) => {
                mentions_lifetime(&fields_text, &l.lifetime.ident.to_string())
            }
            _ => true,
        })
        .collect();
    generics.params.insert(0, syn::parse_quote!('cadena));
    generics.where_clause = syn::parse2::<syn::WhereClause>(fn_where.clone()).ok();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
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

/// What the parts of `grad_sum` share: which arguments are per sample, their slices,
/// and the locals of the generated code.
struct Batch<'a> {
    lowered: &'a Lowered,
    params: &'a [Param],
    /// The float arguments outside `wrt`: one entry per sample.
    per_sample: Vec<usize>,
    /// Their slices' names (`x1s`), and their own.
    slices: Vec<Ident>,
    names: Vec<&'a Ident>,
    /// The differentiated arguments, and whether each is a float array.
    wrt: Vec<&'a Ident>,
    arrays: Vec<bool>,
    float: TokenStream,
    zero: TokenStream,
    locals: Locals,
}

/// The locals of the generated code.
struct Locals {
    acc: Ident,
    total: Ident,
    split: Ident,
    /// The chunk's start, the lane, and the sample after the last chunk.
    c: Ident,
    k: Ident,
    i: Ident,
    lanes_n: proc_macro2::Literal,
}

impl<'a> Batch<'a> {
    fn new(lowered: &'a Lowered) -> Option<Batch<'a>> {
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
            return None;
        }
        Some(Batch {
            lowered,
            params,
            slices: per_sample
                .iter()
                .map(|&i| plural(&params[i].ident))
                .collect(),
            names: per_sample.iter().map(|&i| &params[i].ident).collect(),
            per_sample,
            wrt: lowered.wrt.iter().map(|&i| &params[i].ident).collect(),
            arrays: lowered.wrt.iter().map(|&i| array(i)).collect(),
            float: float_type(lowered),
            zero: crate::emit::expr::literal(0.0, lowered),
            locals: Locals {
                acc: local("sums"),
                total: local("total"),
                split: local("split"),
                c: local("chunk"),
                k: local("lane"),
                i: local("sample"),
                lanes_n: proc_macro2::Literal::usize_unsuffixed(LANES),
            },
        })
    }

    /// The arguments of `grad_sum`: a slice for each per-sample one.
    fn signature(&self) -> Vec<TokenStream> {
        let float = &self.float;
        self.params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (ident, ty) = (&p.ident, &p.ty);
                if self.per_sample.contains(&i) {
                    let slice = plural(ident);
                    quote!(#slice: &[#float])
                } else {
                    quote!(#ident: #ty)
                }
            })
            .collect()
    }

    fn len_doc(&self) -> String {
        format!(
            "Sums the loss and the gradient over samples: `{}` hold one entry per sample (the other arguments are shared by all). The samples run in chunks over SIMD lanes; the result equals summing `grad` over them, to rounding.\n\n# Panics\n\nIf the slices differ in length.",
            self.slices
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("`, `")
        )
    }

    /// `value` added to `target`: a float array's gradient adds up element by element.
    fn add(&self, target: TokenStream, value: &TokenStream, arr: bool) -> TokenStream {
        let summed = quote!(::cadena::__private::lanes::Summed);
        match arr {
            false => quote!(#target += #value;),
            true => quote!(#summed::add(&mut #target, #value);),
        }
    }

    /// The whole chunks, one accumulator per lane, summed at the end: the kernel's body.
    fn chunked(
        &self,
        lane_stmts: &TokenStream,
        loss: &TokenStream,
        grad_values: &[TokenStream],
    ) -> TokenStream {
        let Batch {
            lowered,
            params,
            slices,
            names,
            wrt,
            arrays,
            float,
            zero,
            ..
        } = self;
        let Locals {
            split,
            c,
            k,
            lanes_n,
            ..
        } = &self.locals;
        let chunks: Vec<_> = slices
            .iter()
            .map(|s| format_ident!("{}_chunk", s, span = proc_macro2::Span::mixed_site()))
            .collect();
        let lane_sums: Vec<_> = wrt
            .iter()
            .map(|w| format_ident!("{}_lanes", w, span = proc_macro2::Span::mixed_site()))
            .collect();
        let total_lanes = local("total_lanes");
        let sum_lanes = |v: &Ident| quote!(#v.iter().fold(#zero, |a, b| a + *b));
        let total_sum = sum_lanes(&total_lanes);
        // A float array's gradient adds up element by element (`lanes::Summed`).
        let summed = quote!(::cadena::__private::lanes::Summed);
        let grad_sums: Vec<_> = lane_sums
            .iter()
            .zip(arrays)
            .map(|(v, &arr)| match arr {
                false => sum_lanes(v),
                true => {
                    quote!(#v.iter().fold(#summed::zero(), |mut a, b| { #summed::add(&mut a, *b); a }))
                }
            })
            .collect();
        let lane_inits = lowered.wrt.iter().zip(arrays).map(|(&i, &arr)| match arr {
            false => quote!([#zero; #lanes_n]),
            true => {
                let ty = crate::types::grad_type(&params[i].ty);
                quote!([<#ty as #summed>::zero(); #lanes_n])
            }
        });
        let lane_adds: Vec<_> = lane_sums
            .iter()
            .zip(grad_values)
            .zip(arrays)
            .map(|((v, value), &arr)| self.add(quote!(#v[#k]), value, arr))
            .collect();
        quote! {
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
        }
    }

    /// The kernel struct's fields: every argument, a per-sample one as its slice, a
    /// borrowed float array held for the kernel's lifetime.
    fn kernel_fields(&self) -> (Vec<Ident>, Vec<TokenStream>) {
        let float = &self.float;
        let field_types: Vec<TokenStream> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if self.per_sample.contains(&i) {
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
        let field_names: Vec<Ident> = self
            .params
            .iter()
            .enumerate()
            .map(
                |(i, p)| match self.per_sample.iter().position(|&j| j == i) {
                    Some(s) => self.slices[s].clone(),
                    None => p.ident.clone(),
                },
            )
            .collect();
        (field_names, field_types)
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

/// Whether rendered tokens `text` name lifetime `'name` (`& 'a [f64; 3]`).
fn mentions_lifetime(text: &str, name: &str) -> bool {
    let needle = format!("'{name}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}
