//! The hand-over of function bodies between expansions, which is how a
//! `#[differentiable]` function sees the bodies of the ones it calls. Each function
//! exports a hidden `macro_rules!` beside itself ([`export`]);
//! a caller that meets a call it cannot lower asks for the body through it ([`defer`]),
//! and the callee's macro calls `differentiable_call!` with its body and the request
//! ([`Call`]), which expands the caller again knowing one more body.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::ir::function::bare_path;

/// A `#[differentiable]` function whose body an expansion has been handed: inlined into
/// its callers, or — when it carries a hand-written derivative — called as it is.
#[derive(Clone)]
pub struct Callee {
    pub item: ItemFn,
    pub custom: bool,
    /// For a function of another crate, handed over by its `#[macro_export]`ed macro:
    /// that crate, as `$crate`. The functions its body calls are asked of that crate.
    pub krate: Option<proc_macro2::TokenTree>,
    /// The name derivations show for the callee's result when it is not the function's
    /// (a method of a `#[differentiable]` impl block, expanded as a free function).
    pub shown: Option<String>,
}

/// Asks the callee at `path` for its body: its export macro (beside the function, named
/// `f_needs_differentiable_attribute`) calls `differentiable_call!` with its body and
/// this request. A function that is not `#[differentiable]` has no such macro, and
/// rustc says so at the call, by that name. A path from the crate root of another
/// crate, `::other::m::f` or `other::m::f` (`other` a dependency in `Cargo.toml`), asks
/// that crate's exported macro, `other::f_needs_differentiable_export!` (see [`export`]).
pub fn defer(attr: &TokenStream, item: &ItemFn, known: &[Callee], path: &syn::Path) -> TokenStream {
    let mut path = bare_path(path);
    let foreign = path.segments.first().is_some_and(|s| s.ident == "$crate");
    if foreign {
        // Already the export of another crate's function (see `in_crate`).
    } else if path.segments.len() > 1
        && (path.leading_colon.is_some()
            || crate::dependencies::is_dependency(&path.segments[0].ident.to_string()))
    {
        let name = &path.segments[path.segments.len() - 1].ident;
        let exported = exported_name(name);
        let krate = path.segments[0].clone();
        path.segments = [krate, syn::PathSegment::from(exported)]
            .into_iter()
            .collect();
    } else if let Some(last) = path.segments.last_mut() {
        last.ident = local_name(&last.ident);
    }
    let known = known.iter().map(|c| {
        let (f, marker) = (&c.item, c.custom.then(|| quote!(derivative)));
        let krate = c.krate.as_ref().map(|k| quote!(krate #k));
        quote!({ #krate #marker #f })
    });
    quote! {
        #path! { caller [#attr] { #item } known { #(#known)* } }
    }
}

/// `$crate::name_needs_differentiable_export`: the export of function `name` of the crate `krate`
/// stands for, called from inside the body of another of its functions.
pub fn in_crate(krate: &proc_macro2::TokenTree, name: &str) -> syn::Path {
    let proc_macro2::TokenTree::Ident(krate) = krate else {
        unreachable!("`krate` is parsed as an identifier")
    };
    let export = exported_name(&syn::Ident::new(name, proc_macro2::Span::call_site()));
    syn::Path {
        leading_colon: None,
        segments: [
            syn::PathSegment::from(krate.clone()),
            syn::PathSegment::from(export),
        ]
        .into_iter()
        .collect(),
    }
}

/// The name under which `#[differentiable(export)]` puts a function's macro at its
/// crate's root.
fn exported_name(name: &syn::Ident) -> syn::Ident {
    quote::format_ident!("{}_needs_differentiable_export", name)
}

/// The macro through which callers get this function's body: `macro_rules!` under a
/// hidden name, imported beside the function as `f_needs_differentiable_attribute`, so
/// a call `m::predict(..)` finds it as `m::predict_needs_differentiable_attribute!`
/// wherever the function is in scope. The name is the message: a call to a function
/// without the attribute fails as "cannot find macro
/// `predict_needs_differentiable_attribute`", which is what to do about it (the macro
/// cannot tell a plain function from one whose body has not reached it yet).
///
/// With `export`, a copy is also `#[macro_export]`ed: rustc places it at the crate root
/// and forbids this crate from naming it by path (the lint
/// `macro_expanded_macro_exports_accessed_by_absolute_paths`), so the in-crate import
/// stays, and other crates reach the copy as `::crate_name::f_needs_differentiable_export!`, which
/// is why they call the function by a path from its crate's root.
pub fn export(item: &ItemFn, custom: bool, exported: bool) -> TokenStream {
    let name = &item.sig.ident;
    // A function with a hand-written derivative is called, not inlined: say so.
    let marker = custom.then(|| quote!(derivative));
    // Not the exported name: in the root module the import below would otherwise
    // resolve to the exported copy, which this crate may not name by path.
    let hidden = quote::format_ident!("__cadena_local_{}", name);
    let alias = local_name(name);
    let mut bare = item.clone();
    bare.attrs.clear();
    let public = exported.then(|| {
        let public = exported_name(name);
        quote! {
            #[doc(hidden)]
            #[macro_export]
            macro_rules! #public {
                ($($caller:tt)*) => {
                    ::cadena::__private::differentiable_call! { callee { krate $crate #marker #bare } $($caller)* }
                };
            }
        }
    });
    quote! {
        #public
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #hidden {
            ($($caller:tt)*) => {
                ::cadena::__private::differentiable_call! { callee { #marker #bare } $($caller)* }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #hidden as #alias;
    }
}

/// The name of a function's export macro beside it (see [`export`]), spanned at `name`.
fn local_name(name: &syn::Ident) -> syn::Ident {
    quote::format_ident!(
        "{}_needs_differentiable_attribute",
        name,
        span = name.span()
    )
}

/// `callee { fn .. } caller [attr] { fn .. } known { { fn .. } ... }`.
pub struct Call {
    pub callee: Callee,
    pub attr: TokenStream,
    pub item: ItemFn,
    pub known: Vec<Callee>,
}

/// `[krate $crate] [derivative] fn ..`: a callee, marked with its crate when it is
/// another crate's, and when it has a hand-written derivative.
fn parse_callee(input: syn::parse::ParseStream) -> syn::Result<Callee> {
    let krate = if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "krate" {
        input.parse::<syn::Ident>()?;
        match input.parse::<proc_macro2::TokenTree>()? {
            tt @ proc_macro2::TokenTree::Ident(_) => Some(tt),
            other => return Err(syn::Error::new_spanned(other, "expected `$crate`")),
        }
    } else {
        None
    };
    let custom = input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "derivative";
    if custom {
        input.parse::<syn::Ident>()?;
    }
    Ok(Callee {
        item: input.parse()?,
        custom,
        krate,
        shown: None,
    })
}

impl syn::parse::Parse for Call {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let keyword = |input: syn::parse::ParseStream, word: &str| -> syn::Result<()> {
            let ident: syn::Ident = input.parse()?;
            if ident == word {
                Ok(())
            } else {
                Err(syn::Error::new_spanned(ident, format!("expected `{word}`")))
            }
        };
        keyword(input, "callee")?;
        let body;
        syn::braced!(body in input);
        let callee = parse_callee(&body)?;
        keyword(input, "caller")?;
        let attr;
        syn::bracketed!(attr in input);
        let attr: TokenStream = attr.parse()?;
        let body;
        syn::braced!(body in input);
        let item: ItemFn = body.parse()?;
        keyword(input, "known")?;
        let list;
        syn::braced!(list in input);
        let mut known = Vec::new();
        while !list.is_empty() {
            let one;
            syn::braced!(one in list);
            known.push(parse_callee(&one)?);
        }
        Ok(Call {
            callee,
            attr,
            item,
            known,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(source: &str) -> ItemFn {
        syn::parse_str(source).expect("a function")
    }

    fn path(source: &str) -> syn::Path {
        syn::parse_str(source).expect("a path")
    }

    /// What the callee's export macro does with a request (the expansion's first item,
    /// before the stubs): its body first, then the request as it came.
    fn answered(request: TokenStream, callee: TokenStream) -> TokenStream {
        let file: syn::File = syn::parse2(request).expect("items");
        let Some(syn::Item::Macro(request)) = file.items.into_iter().next() else {
            panic!("a macro call first");
        };
        let asked = request.mac.tokens;
        quote!(callee { #callee } #asked)
    }

    const CALLER: &str = "fn loss(x: f64, y: f64) -> f64 { (helper(x) - y).powi(2) }";
    const HELPER: &str = "fn helper(t: f64) -> f64 { t.tanh() }";

    #[test]
    fn a_request_goes_to_the_macro_beside_the_callee_and_parses_back_as_a_call() {
        let attr = quote!(wrt(x));
        let request = defer(&attr, &item(CALLER), &[], &path("helper"));
        let text = request.to_string();
        assert!(
            text.starts_with("helper_needs_differentiable_attribute !"),
            "{text}"
        );
        let call: Call = syn::parse2(answered(
            request,
            quote!(
                #[inline]
                fn helper(t: f64) -> f64 {
                    t
                }
            ),
        ))
        .expect("the answer parses");
        assert_eq!(call.attr.to_string(), "wrt (x)");
        assert_eq!(call.item.sig.ident, "loss");
        assert_eq!(call.callee.item.sig.ident, "helper");
        assert!(!call.callee.custom && call.callee.krate.is_none());
        assert!(call.known.is_empty());
    }

    #[test]
    fn a_path_from_another_crates_root_asks_that_crates_exported_macro() {
        let request = defer(&quote!(), &item(CALLER), &[], &path("::models::helper"));
        assert!(
            request
                .to_string()
                .starts_with(":: models :: helper_needs_differentiable_export !"),
            "{request}"
        );
    }

    #[test]
    fn the_bodies_known_so_far_travel_with_the_request_and_keep_their_marks() {
        let known = [Callee {
            item: item("fn swish(t: f64) -> f64 { t * sigmoid(t) }"),
            custom: true,
            krate: Some(proc_macro2::TokenTree::Ident(syn::Ident::new(
                "models",
                proc_macro2::Span::call_site(),
            ))),
            shown: None,
        }];
        let request = defer(&quote!(), &item(CALLER), &known, &path("helper"));
        let helper = item(HELPER);
        let call: Call =
            syn::parse2(answered(request, quote!(derivative #helper))).expect("parses");
        assert!(call.callee.custom);
        assert_eq!(call.known.len(), 1);
        let swish = &call.known[0];
        assert_eq!(swish.item.sig.ident, "swish");
        assert!(swish.custom);
        assert_eq!(
            swish.krate.as_ref().map(ToString::to_string).as_deref(),
            Some("models")
        );
    }

    #[test]
    fn a_malformed_answer_names_the_keyword_expected() {
        let err = syn::parse2::<Call>(quote!(calee { fn f() {} }))
            .err()
            .expect("an error");
        assert_eq!(err.to_string(), "expected `callee`");
    }

    #[test]
    fn the_export_macro_hands_over_the_body_without_its_attributes() {
        let f =
            item("#[differentiable(export)] #[inline] pub fn helper(t: f64) -> f64 { t.tanh() }");
        let text = export(&f, false, true).to_string();
        assert!(
            text.contains("# [macro_export] macro_rules ! helper_needs_differentiable_export"),
            "{text}"
        );
        assert!(
            text.contains("macro_rules ! __cadena_local_helper"),
            "{text}"
        );
        assert!(
            text.contains(
                "pub (crate) use __cadena_local_helper as helper_needs_differentiable_attribute"
            ),
            "{text}"
        );
        assert!(
            !text.contains("differentiable (export)") && !text.contains("inline"),
            "{text}"
        );
    }

    #[test]
    fn a_deferred_expansion_restarts_with_the_callees_body_and_inlines_it() {
        let request = crate::expand::expand_free(quote!(), &item(CALLER));
        let helper = item(HELPER);
        let expanded = crate::expand::call(answered(request, quote!(#helper))).to_string();
        assert!(expanded.contains("pub fn grad"), "{expanded}");
        assert!(
            expanded.contains("dL/dx = 2 * (helper - y) * (1 - helper^2)"),
            "{expanded}"
        );
    }
}
