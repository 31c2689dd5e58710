//! What the functions of the module beside a `#[differentiable]` function share: the
//! arguments, the generics (a generic function's items are generic too), and `Grad`, the
//! struct of the differentiated arguments' gradients.

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};

use super::Derived;
use super::generics;
use crate::types::{Kind, grad_type};

pub struct Signature<'a> {
    /// `name: Type`, for every argument.
    pub params: Vec<TokenStream>,
    /// The differentiated arguments, `Grad`'s fields.
    pub wrt_idents: Vec<&'a Ident>,
    pub fn_impl: TokenStream,
    pub fn_where: TokenStream,
    /// `Grad`'s generic arguments, over what its fields use.
    pub grad_ty: TokenStream,
    pub grad_struct: Ident,
    /// The declaration of `Grad`.
    pub grad_struct_item: TokenStream,
}

impl<'a> Signature<'a> {
    pub fn new(d: &Derived<'a>) -> Signature<'a> {
        let item = d.item;
        let lowered = d.lowered;
        let fn_name = &item.sig.ident;
        let params: Vec<TokenStream> = lowered
            .params
            .iter()
            .map(|p| {
                let (ident, ty) = (&p.ident, &p.ty);
                quote!(#ident: #ty)
            })
            .collect();
        let wrt_idents: Vec<_> = lowered
            .wrt
            .iter()
            .map(|&i| &lowered.params[i].ident)
            .collect();
        let wrt_types: Vec<_> = lowered
            .wrt
            .iter()
            .map(|&i| grad_type(&lowered.params[i].ty))
            .collect();
        let field_docs = wrt_idents.iter().map(|i| format!("`dL/d{i}`"));

        // A generic function's items are generic too; `Grad` over what its fields use.
        let (fn_impl, _, fn_where) = item.sig.generics.split_for_impl();
        let grad_generics = generics::for_fields(&item.sig.generics, &wrt_types);
        let (_, grad_ty, grad_where) = grad_generics.split_for_impl();
        let grad_generics_decl = {
            let mut g = grad_generics.clone();
            g.where_clause = None;
            g
        };
        let grad_generics = &grad_generics_decl;

        let struct_doc =
            format!("The gradient of `{fn_name}`: one field per differentiated argument.");
        let grad_struct = format_ident!("Grad");
        // A model struct need not be Debug or PartialEq; floats and arrays always are.
        let has_struct = lowered.wrt.iter().any(|&i| {
            let p = &lowered.params[i];
            p.kind == Kind::Struct && !crate::types::is_float_array(&p.ty)
        });
        let derives = if has_struct {
            quote!(#[derive(Clone)])
        } else {
            quote!(#[derive(Debug, Clone, PartialEq)])
        };

        // Each field spanned at its argument's type: a model struct that is not `Clone`
        // is reported there by the derive, not at the attribute.
        let fields = wrt_idents.iter().zip(&wrt_types).map(|(ident, ty)| {
            let span = syn::spanned::Spanned::span(ty);
            quote::quote_spanned!(span=> pub #ident: #ty)
        });
        let grad_struct_item = quote! {
            #[doc = #struct_doc]
            #derives
            // Its fields carry the user's spans: a gradient nobody reads is no mistake.
            #[allow(dead_code)]
            pub struct #grad_struct #grad_generics #grad_where {
                #(
                    #[doc = #field_docs]
                    #fields,
                )*
            }
        };
        Signature {
            params,
            wrt_idents,
            fn_impl: fn_impl.to_token_stream(),
            fn_where: fn_where.to_token_stream(),
            grad_ty: grad_ty.to_token_stream(),
            grad_struct,
            grad_struct_item,
        }
    }
}
