//! `#[differentiable(wrt(self))]` on a method of a parameter struct: `m.loss(x, y)` runs
//! the forward pass and `m.loss_grad(x, y)` returns the value and a gradient of the
//! struct's own type. The method is expanded as the free function it stands for, with
//! `self` renamed `self_` and typed `&Self`; the items an impl block may hold (the two
//! methods) are taken from that expansion, since a module or a struct cannot live there.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{Expr, FnArg, ImplItem, Item, ItemFn};

/// The expansion of a method, or `None` if `item` takes no `self`; `expand_free` expands
/// the free function the method stands for.
pub fn expand(
    attr: TokenStream,
    item: &ItemFn,
    expand_free: fn(TokenStream, &ItemFn) -> TokenStream,
) -> Option<TokenStream> {
    let FnArg::Receiver(receiver) = item.sig.inputs.first()? else {
        return None;
    };
    let fallback = |err: &syn::Error| {
        let err = err.to_compile_error();
        quote!(#err #item)
    };
    if receiver.reference.is_none() || receiver.mutability.is_some() {
        return Some(fallback(&syn::Error::new_spanned(
            receiver,
            "a #[differentiable] method takes `&self`: differentiating does not change the model",
        )));
    }
    if let Some(call) = sibling_call(item) {
        return Some(fallback(&call));
    }
    let free = as_free_function(item);
    let attr = renamed_self(attr);
    let expanded = expand_free(attr, &free);
    let Ok(file) = syn::parse2::<syn::File>(expanded.clone()) else {
        return Some(expanded);
    };
    Some(methods(item, &file).unwrap_or_else(|| errors_in_impl(item, &file)))
}

/// The error for a call of another method (`self.logits(x)`): one method's attribute
/// sees no other method's body, the impl block's does.
fn sibling_call(item: &ItemFn) -> Option<syn::Error> {
    struct Find(Option<syn::Error>);
    impl<'a> syn::visit::Visit<'a> for Find {
        fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
            let on_self = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("self"));
            if on_self && self.0.is_none() {
                let message = format!(
                    "`self.{}(..)` calls another method: put `#[differentiable]` on the impl block too (`#[differentiable] impl Model {{ .. }}`), so that the macro reads the methods together, and mark `{}` with `#[differentiable(..)]` as well",
                    call.method, call.method
                );
                self.0 = Some(syn::Error::new_spanned(call, message));
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_block(&mut find, &item.block);
    find.0
}

/// `fn f(self_: &Self, ..)` with `self` renamed in the body.
fn as_free_function(item: &ItemFn) -> ItemFn {
    let mut free = item.clone();
    // Spanned on the user's `self`: outside an impl (`fn f(&self)` written as a free
    // function), rustc's "cannot find type `Self`" then points there, beside its own
    // "`self` parameter is only allowed in associated functions".
    let span = match item.sig.inputs.first() {
        Some(FnArg::Receiver(r)) => r.self_token.span,
        _ => Span::call_site(),
    };
    let ty: syn::Type = syn::parse_quote_spanned!(span=> &Self);
    // The name too, so that an error on the whole argument is on the user's `&self`.
    let ident = Ident::new("self_", span);
    free.sig.inputs[0] = syn::parse_quote!(#ident: #ty);
    let stmts = &item.block.stmts;
    let body = renamed_self(quote!(#(#stmts)*));
    free.block = Box::new(syn::parse_quote!({ #body }));
    free
}

fn self_ident() -> Ident {
    Ident::new("self_", Span::call_site())
}

/// `self` → `self_` in tokens (`self.w`, `wrt(self)`); `Self` and `self::` paths stay.
pub(crate) fn renamed_self(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    for (i, tt) in trees.iter().enumerate() {
        let path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
        out.extend(std::iter::once(match tt {
            TokenTree::Ident(ident) if ident == "self" && !path => {
                TokenTree::Ident(Ident::new("self_", ident.span()))
            }
            TokenTree::Group(g) => {
                let mut group = proc_macro2::Group::new(g.delimiter(), renamed_self(g.stream()));
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            other => other.clone(),
        }));
    }
    out
}

/// The forward method and `<name>_grad`, from the free function's expansion; `None` if
/// the expansion is not the usual pair (it reported errors).
fn methods(item: &ItemFn, file: &syn::File) -> Option<TokenStream> {
    let name = &item.sig.ident;
    let forward = file.items.iter().find_map(|i| match i {
        Item::Fn(f) if f.sig.ident == *name => Some(f),
        _ => None,
    })?;
    let module = file.items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == *name => Some(m),
        _ => None,
    })?;
    let grad = module.content.as_ref()?.1.iter().find_map(|i| match i {
        Item::Fn(f) if f.sig.ident == "grad" => Some(f),
        _ => None,
    })?;
    let grad_body = self_gradient(grad)?;
    let self_ = self_ident();
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    let forward_body = &forward.block.stmts;
    let grad_name = format_ident!("{}_grad", name);
    let doc = format!(
        "`{name}`'s value and its gradient with respect to `self`, a value of the same type, in one pass (generated by `#[differentiable]`)."
    );
    let (generics, where_clause) = (&sig.generics, &sig.generics.where_clause);
    let inputs = &sig.inputs;
    let float = match &sig.output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    };
    // On the user's `self`, as in `as_free_function`.
    let self_ty = match sig.inputs.first() {
        Some(FnArg::Receiver(r)) => quote::quote_spanned!(r.self_token.span=> Self),
        _ => quote!(Self),
    };
    Some(quote! {
        #(#attrs)*
        #vis #sig {
            let #self_ = self;
            #(#forward_body)*
        }

        #[doc = #doc]
        #[allow(unused_variables, clippy::all)]
        #vis fn #grad_name #generics (#inputs) -> (#float, #self_ty) #where_clause {
            let #self_ = self;
            #grad_body
        }
    })
}

/// `grad`'s statements with its final `(loss, Grad { self_: g })` returning `(loss, g)`;
/// `None` if the gradient has other fields (arguments besides `self` in `wrt`).
fn self_gradient(grad: &ItemFn) -> Option<TokenStream> {
    let mut stmts = grad.block.stmts.clone();
    let Some(syn::Stmt::Expr(Expr::Tuple(tail), None)) = stmts.pop() else {
        return None;
    };
    let [loss, Expr::Struct(s)] = &tail.elems.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let [field] = &s.fields.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let value = &field.expr;
    Some(quote!(#(#stmts)* (#loss, #value)))
}

/// What an impl block can hold of a failed expansion: its errors, and the method as
/// written so that the rest of the impl still compiles.
fn errors_in_impl(item: &ItemFn, file: &syn::File) -> TokenStream {
    let mut errors: Vec<TokenStream> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => {
                Some(quote!(#m))
            }
            _ => None,
        })
        .collect();
    if errors.is_empty() {
        let message = "#[differentiable] on a method alone differentiates a float-valued method with respect to `self`, a `#[derive(Parameters, Clone)]` struct: write `wrt(self)`; for a gradient with respect to other arguments too, or a method returning arrays, put `#[differentiable]` on the impl block as well (`#[differentiable] impl Model { .. }`)";
        errors.push(syn::Error::new_spanned(&item.sig, message).to_compile_error());
    }
    let method: ImplItem = ImplItem::Fn(syn::ImplItemFn {
        attrs: item.attrs.clone(),
        vis: item.vis.clone(),
        defaultness: None,
        sig: item.sig.clone(),
        block: syn::parse_quote!({
            ::core::unreachable!("#[differentiable] reported errors for this method")
        }),
    });
    quote!(#(#errors)* #[allow(unused_variables)] #method)
}
