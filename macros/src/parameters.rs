//! `#[derive(Parameters)]`: visits each field in declaration order under its field name,
//! delegating to the field type's own `Parameters` impl (arrays, floats, nested structs).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Error, Fields};

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) if !named.named.is_empty() => &named.named,
            Fields::Named(_) => {
                return Err(Error::new_spanned(
                    &input.ident,
                    "#[derive(Parameters)] needs at least one field to train",
                ));
            }
            _ => {
                return Err(Error::new_spanned(
                    &input.ident,
                    "#[derive(Parameters)] supports structs with named fields; name each tensor so checkpoints can refer to it",
                ));
            }
        },
        _ => {
            return Err(Error::new_spanned(
                &input.ident,
                "#[derive(Parameters)] supports structs with named fields, not enums or unions",
            ));
        }
    };
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let idents: Vec<_> = fields
        .iter()
        .map(|f| f.ident.as_ref().expect("named"))
        .collect();
    let labels: Vec<String> = idents.iter().map(|i| i.to_string()).collect();
    let first_ty = &fields[0].ty;
    let p = quote!(::cadena::Parameters);

    Ok(quote! {
        impl #impl_generics #p for #name #ty_generics #where_clause {
            type Elem = <#first_ty as #p>::Elem;

            fn zeros_like(&self) -> Self {
                Self { #( #idents: #p::zeros_like(&self.#idents), )* }
            }

            fn visit_named(
                &self,
                prefix: &str,
                f: &mut dyn FnMut(&str, ::cadena::ndarray::ArrayViewD<'_, Self::Elem>),
            ) {
                #( #p::visit_named(&self.#idents, &::cadena::__private::join_path(prefix, #labels), f); )*
            }

            fn visit_named_mut(
                &mut self,
                prefix: &str,
                f: &mut dyn FnMut(&str, ::cadena::ndarray::ArrayViewMutD<'_, Self::Elem>),
            ) {
                #( #p::visit_named_mut(&mut self.#idents, &::cadena::__private::join_path(prefix, #labels), f); )*
            }

            fn visit_with_grad_named(
                &mut self,
                grad: &Self,
                prefix: &str,
                f: &mut ::cadena::WithGrad<'_, Self::Elem>,
            ) {
                #( #p::visit_with_grad_named(&mut self.#idents, &grad.#idents, &::cadena::__private::join_path(prefix, #labels), f); )*
            }
        }
    })
}
