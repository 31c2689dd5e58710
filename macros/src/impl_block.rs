//! `#[differentiable]` on an `impl` block: what a method's own attribute cannot do, since
//! an impl block can hold neither a module nor a struct, and one method's expansion never
//! sees its siblings. With the block in view, each method marked
//! `#[differentiable(..)]` is expanded as a free function beside the block
//! (`__cadena_<type>_<method>`, taking `self_: &Type`; derivations show the method's
//! name), knowing the bodies of the other
//! marked methods, so that `self.logits(x)` and `Self::norm(v)` are inlined and
//! simplified through as calls between functions are. The block keeps each method,
//! its body now a call of that function, and gains:
//!
//! - `m.loss_grad(x, y)`: the value and, with `wrt(self)` alone, a gradient of the type
//!   itself; otherwise the function's `Grad` (a `self_` field and one per other argument,
//!   also named `<Type><Method>Grad`);
//! - `m.logits_vjp(x)` for a method returning arrays;
//! - `Type::LOSS_DERIVATION`, the derivation the macro found.
//!
//! Associated functions (no `self`) work the same way.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Expr, FnArg, ImplItem, ImplItemFn, ItemFn, ItemImpl, Type};

use crate::handover::Callee;
use crate::method::renamed_self;
use crate::types::classify;

/// The expansion of `#[differentiable] impl Type { .. }`; `expand_known` expands a free
/// function knowing its callees' bodies.
pub fn expand(
    attr: TokenStream,
    mut block: ItemImpl,
    expand_known: fn(TokenStream, &ItemFn, &[Callee]) -> TokenStream,
) -> TokenStream {
    let mut errors = TokenStream::new();
    if !attr.is_empty() {
        let err = syn::Error::new_spanned(
            &attr,
            "#[differentiable] on an impl block takes no arguments: write `wrt(..)` in each method's own #[differentiable(..)]",
        );
        errors.extend(err.to_compile_error());
    }
    if let Some((_, path, _)) = &block.trait_ {
        let err = syn::Error::new_spanned(
            path,
            "#[differentiable] applies to an inherent impl block (`impl Model { .. }`), not to a trait's",
        );
        let err = err.to_compile_error();
        return quote!(#err #block);
    }
    let self_ty = (*block.self_ty).clone();
    let type_name = snake(&type_ident(&self_ty));
    let marked: Vec<Marked> = block
        .items
        .iter()
        .filter_map(|item| match item {
            ImplItem::Fn(f) => Marked::new(f, &type_name),
            _ => None,
        })
        .collect();
    let names: Vec<(Ident, Ident, bool)> = marked
        .iter()
        .map(|m| (m.method.sig.ident.clone(), m.free_name.clone(), m.has_self))
        .collect();
    let frees: Vec<ItemFn> = marked
        .iter()
        .map(|m| m.free_function(&block, &self_ty, &names))
        .collect();
    let mut outside = TokenStream::new();
    for (k, m) in marked.iter().enumerate() {
        let known: Vec<Callee> = (frees.iter().enumerate())
            .filter(|&(j, _)| j != k)
            .map(|(j, f)| Callee {
                item: f.clone(),
                custom: false,
                krate: None,
                shown: Some(marked[j].method.sig.ident.to_string()),
            })
            .collect();
        outside.extend(expand_known(
            renamed_self(m.attr.clone()),
            &frees[k],
            &known,
        ));
        if let Some(alias) = m.grad_alias(&self_ty) {
            outside.extend(alias);
        }
    }
    let mut items = Vec::new();
    for item in std::mem::take(&mut block.items) {
        let ImplItem::Fn(f) = &item else {
            items.push(item);
            continue;
        };
        match marked.iter().find(|m| m.method.sig.ident == f.sig.ident) {
            Some(m) => match m.delegates() {
                Ok(delegates) => items.extend(delegates),
                Err(e) => {
                    errors.extend(e.to_compile_error());
                    items.push(ImplItem::Fn(m.method.clone()));
                }
            },
            None => items.push(item),
        }
    }
    block.items = items;
    quote!(#errors #block #outside)
}

/// A method marked `#[differentiable(..)]`, its attribute taken off.
struct Marked {
    method: ImplItemFn,
    attr: TokenStream,
    free_name: Ident,
    has_self: bool,
}

fn is_ours(a: &syn::Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "differentiable")
}

impl Marked {
    fn new(f: &ImplItemFn, type_name: &str) -> Option<Marked> {
        let attr = f.attrs.iter().find(|a| is_ours(a))?;
        let attr = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        let mut method = f.clone();
        method.attrs.retain(|a| !is_ours(a));
        let free_name = format_ident!("__cadena_{}_{}", type_name, f.sig.ident);
        let has_self = matches!(f.sig.inputs.first(), Some(FnArg::Receiver(_)));
        Some(Marked {
            method,
            attr,
            free_name,
            has_self,
        })
    }

    /// The method as a free function: `self` → `self_: &Type`, `Self` → `Type`, the
    /// impl's generics added to the method's, calls of marked siblings → their free
    /// functions.
    fn free_function(
        &self,
        block: &ItemImpl,
        self_ty: &Type,
        names: &[(Ident, Ident, bool)],
    ) -> ItemFn {
        let mut sig = self.method.sig.clone();
        sig.ident = self.free_name.clone();
        let mut generics = block.generics.clone();
        generics.params.extend(sig.generics.params.iter().cloned());
        if let Some(w) = &sig.generics.where_clause {
            let clause = generics.make_where_clause();
            clause.predicates.extend(w.predicates.iter().cloned());
        }
        sig.generics = generics;
        if self.has_self {
            let ident = Ident::new("self_", Span::call_site());
            sig.inputs[0] = syn::parse_quote!(#ident: &Self);
        }
        let mut body = self.method.block.clone();
        Siblings { names }.visit_block_mut(&mut body);
        let sig_tokens = with_self_type(sig.to_token_stream(), self_ty);
        let body = with_self_type(renamed_self(body.to_token_stream()), self_ty);
        let attrs = self
            .method
            .attrs
            .iter()
            .filter(|a| !a.path().is_ident("doc"));
        let vis = &self.method.vis;
        syn::parse_quote! {
            #(#attrs)*
            #[doc(hidden)]
            #vis #sig_tokens #body
        }
    }

    /// Whether the gradient is of `self` alone: `wrt(self)`, or no `wrt` and no other
    /// argument that could be differentiated.
    fn self_alone(&self) -> bool {
        if !self.has_self {
            return false;
        }
        let tokens: Vec<TokenTree> = self.attr.clone().into_iter().collect();
        for (i, tt) in tokens.iter().enumerate() {
            if let (TokenTree::Ident(w), Some(TokenTree::Group(g))) = (tt, tokens.get(i + 1))
                && w == "wrt"
            {
                let inner: Vec<String> = g.stream().into_iter().map(|t| t.to_string()).collect();
                return inner == ["self"];
            }
        }
        self.method.sig.inputs.iter().skip(1).all(|a| match a {
            FnArg::Typed(pt) => !classify(&pt.ty).is_differentiable(),
            FnArg::Receiver(_) => true,
        })
    }

    fn returns_float(&self) -> bool {
        match &self.method.sig.output {
            // A generic `T` is a float here too.
            syn::ReturnType::Type(_, ty) => {
                !matches!(classify(ty), crate::types::Kind::Array { .. })
                    && !matches!(&**ty, Type::Tuple(_))
            }
            syn::ReturnType::Default => false,
        }
    }

    /// `pub type TypeMethodGrad = __cadena_type_method::Grad;` when the gradient is not
    /// of the type itself.
    fn grad_alias(&self, self_ty: &Type) -> Option<TokenStream> {
        if self.self_alone() {
            return None;
        }
        let ty = type_ident(self_ty);
        let alias = format_ident!("{}{}Grad", ty, camel(&self.method.sig.ident.to_string()));
        let (free, vis) = (&self.free_name, &self.method.vis);
        let doc = format!(
            "The gradient `{}::{}_grad` returns (generated by `#[differentiable]`).",
            ty, self.method.sig.ident
        );
        Some(quote! {
            #[doc = #doc]
            #vis type #alias = #free::Grad;
        })
    }

    /// The method calling its free function, `<name>_grad` or `<name>_vjp`, and
    /// `<NAME>_DERIVATION`.
    fn delegates(&self) -> syn::Result<Vec<ImplItem>> {
        let m = &self.method;
        if let Some(FnArg::Receiver(r)) = m.sig.inputs.first()
            && (r.reference.is_none() || r.mutability.is_some())
        {
            return Err(syn::Error::new_spanned(
                r,
                "a #[differentiable] method takes `&self`: differentiating does not change the model",
            ));
        }
        let (name, free, vis) = (&m.sig.ident, &self.free_name, &m.vis);
        let mut args = Vec::new();
        for input in &m.sig.inputs {
            match input {
                FnArg::Receiver(_) => args.push(quote!(self)),
                FnArg::Typed(pt) => match &*pt.pat {
                    syn::Pat::Ident(p) => {
                        let ident = &p.ident;
                        args.push(quote!(#ident));
                    }
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "a #[differentiable] method names its arguments (`x: f64`), no patterns",
                        ));
                    }
                },
            }
        }
        let sig = &m.sig;
        let attrs = &m.attrs;
        let mut grad_sig = sig.clone();
        let ret = match &sig.output {
            syn::ReturnType::Type(_, ty) => quote!(#ty),
            syn::ReturnType::Default => quote!(()),
        };
        let forward: ImplItem = syn::parse_quote! {
            #(#attrs)*
            #[inline]
            #vis #sig {
                #free(#(#args),*)
            }
        };
        let mut out = vec![forward];
        let self_alone = self.self_alone();
        // The free function's pullback is `Fn` when every argument can be read again
        // (`&self`, references, views, floats): the method's says so too.
        let reusable = m.sig.inputs.iter().all(|input| match input {
            FnArg::Receiver(_) => true,
            FnArg::Typed(pt) => crate::emit::jacobian::reusable(&pt.ty, classify(&pt.ty)),
        });
        let pullback = match reusable {
            true => quote!(Fn),
            false => quote!(FnOnce),
        };
        if self.returns_float() {
            grad_sig.ident = format_ident!("{}_grad", name);
            let doc = format!(
                "`{name}`'s value and its gradient{} in one pass (generated by `#[differentiable]`).",
                if self_alone {
                    " with respect to `self`, a value of the same type,"
                } else {
                    ""
                }
            );
            let grad: ImplItem = if self_alone {
                grad_sig.output = syn::parse_quote!(-> (#ret, Self));
                syn::parse_quote! {
                    #[doc = #doc]
                    #[inline]
                    #vis #grad_sig {
                        let (value, g) = #free::grad(#(#args),*);
                        (value, g.self_)
                    }
                }
            } else {
                grad_sig.output = syn::parse_quote!(-> (#ret, #free::Grad));
                syn::parse_quote! {
                    #[doc = #doc]
                    #[inline]
                    #vis #grad_sig {
                        #free::grad(#(#args),*)
                    }
                }
            };
            out.push(grad);
        } else if self_alone {
            grad_sig.ident = format_ident!("{}_vjp", name);
            let doc = format!(
                "`{name}`'s value and its pullback: a cotangent of the value to the gradient with respect to `self` (generated by `#[differentiable]`)."
            );
            grad_sig.output = syn::parse_quote!(-> (#ret, impl #pullback(#ret) -> Self));
            out.push(syn::parse_quote! {
                #[doc = #doc]
                #[inline]
                #vis #grad_sig {
                    let (value, pullback) = #free::vjp(#(#args),*);
                    (value, move |cotangent| pullback(cotangent).self_)
                }
            });
        } else {
            grad_sig.ident = format_ident!("{}_vjp", name);
            let doc = format!(
                "`{name}`'s value and its pullback: a cotangent of the value to the gradient (generated by `#[differentiable]`)."
            );
            grad_sig.output = syn::parse_quote!(-> (#ret, impl #pullback(#ret) -> #free::Grad));
            out.push(syn::parse_quote! {
                #[doc = #doc]
                #[inline]
                #vis #grad_sig {
                    #free::vjp(#(#args),*)
                }
            });
        }
        if self.returns_float() {
            let derivation = format_ident!("{}_DERIVATION", name.to_string().to_uppercase());
            let doc = format!("The derivation `#[differentiable]` found for `{name}`.");
            out.push(syn::parse_quote! {
                #[doc = #doc]
                #vis const #derivation: &'static str = #free::DERIVATION;
            });
        }
        Ok(out)
    }
}

/// `self.m(args)` → `__cadena_type_m(self, args)` and `Self::m(args)` →
/// `__cadena_type_m(args)` for the marked methods `m`.
struct Siblings<'a> {
    names: &'a [(Ident, Ident, bool)],
}

impl VisitMut for Siblings<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::MethodCall(call) => {
                let on_self = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("self"));
                let Some((_, free, _)) = (self.names.iter())
                    .find(|(name, _, has_self)| *has_self && on_self && call.method == *name)
                else {
                    return;
                };
                let free = Ident::new(&free.to_string(), call.method.span());
                let receiver = &call.receiver;
                let args = call.args.iter();
                *e = syn::parse_quote!(#free(#receiver, #(#args),*));
            }
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else { return };
                let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
                let [first, second] = segments[..] else {
                    return;
                };
                if first.ident != "Self" {
                    return;
                }
                let Some((_, free, _)) =
                    self.names.iter().find(|(name, _, _)| second.ident == *name)
                else {
                    return;
                };
                let free = Ident::new(&free.to_string(), second.ident.span());
                *call.func = syn::parse_quote!(#free);
            }
            _ => {}
        }
    }
}

/// `Self` → the impl's type, for a function outside the impl.
fn with_self_type(tokens: TokenStream, self_ty: &Type) -> TokenStream {
    let mut out = TokenStream::new();
    for tt in tokens {
        match tt {
            TokenTree::Ident(ident) if ident == "Self" => {
                let ty = self_ty.to_token_stream();
                out.extend(ty.into_iter().map(|mut t| {
                    t.set_span(ident.span());
                    t
                }));
            }
            TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), with_self_type(g.stream(), self_ty));
                group.set_span(g.span());
                out.extend(std::iter::once(TokenTree::Group(group)));
            }
            other => out.extend(std::iter::once(other)),
        }
    }
    out
}

/// The impl's type by name (`Model` of `Model<T>`).
fn type_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or("impl".to_string(), |s| s.ident.to_string()),
        _ => "impl".to_string(),
    }
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
