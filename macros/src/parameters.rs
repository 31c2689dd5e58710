//! `#[derive(Parameters)]`: visits each field in declaration order under its field name,
//! delegating to the field type's own `Parameters` impl (arrays, floats, nested structs).
//! A field marked `#[parameters(skip)]` (a layer size, an activation choice) is no
//! parameter: it is never visited, and `zeros_like` clones it, so a gradient struct still
//! describes the same model.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Attribute, Data, DeriveInput, Error, Field, Fields, Meta, Token};

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields = named_fields(input)?;
    let (trained, skipped) = trained_and_skipped(input, fields)?;
    // The element type is read from a trained field; a struct with none would have no
    // element type and nothing for an optimiser to do.
    let Some(first) = trained.first() else {
        return Err(Error::new_spanned(
            &input.ident,
            "#[derive(Parameters)] needs at least one field to train; every field is #[parameters(skip)]",
        ));
    };
    let first_ty = &first.ty;

    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let idents: Vec<_> = trained.iter().map(|f| &f.ident).collect();
    let labels: Vec<String> = idents
        .iter()
        .map(|i| i.as_ref().map(ToString::to_string).unwrap_or_default())
        .collect();
    let kept: Vec<_> = skipped.iter().map(|f| &f.ident).collect();
    let p = quote!(::cadena::Parameters);

    Ok(quote! {
        impl #impl_generics #p for #name #ty_generics #where_clause {
            type Elem = <#first_ty as #p>::Elem;

            fn zeros_like(&self) -> Self {
                Self {
                    #( #idents: #p::zeros_like(&self.#idents), )*
                    #( #kept: ::core::clone::Clone::clone(&self.#kept), )*
                }
            }

            fn recycle(&mut self) {
                #( #p::recycle(&mut self.#idents); )*
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

/// The struct's named fields; anything else is reported.
fn named_fields(input: &DeriveInput) -> syn::Result<&Punctuated<Field, Token![,]>> {
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
    Ok(fields)
}

/// The fields to train and those marked `#[parameters(skip)]`, with every misplaced or
/// unknown `#[parameters(..)]` reported together.
fn trained_and_skipped<'a>(
    input: &DeriveInput,
    fields: &'a Punctuated<Field, Token![,]>,
) -> syn::Result<(Vec<&'a Field>, Vec<&'a Field>)> {
    let mut errors: Option<Error> = None;
    let mut report = |e: Error| match &mut errors {
        Some(first) => first.combine(e),
        None => errors = Some(e),
    };
    if let Some(attr) = parameters_attrs(&input.attrs).next() {
        report(Error::new_spanned(
            attr,
            "#[parameters(..)] goes on a field (`#[parameters(skip)] size: usize`), not on the struct",
        ));
    }
    let mut trained = Vec::new();
    let mut skipped = Vec::new();
    for field in fields {
        match is_skipped(field) {
            Ok(true) => skipped.push(field),
            Ok(false) => trained.push(field),
            Err(e) => report(e),
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    Ok((trained, skipped))
}

fn parameters_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("parameters"))
}

/// Whether `field` carries `#[parameters(skip)]`. Any other argument is an error rather
/// than ignored: a misspelt `skip` would otherwise put a size field into the optimiser.
fn is_skipped(field: &Field) -> syn::Result<bool> {
    let mut skip = false;
    for attr in parameters_attrs(&field.attrs) {
        let args = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
        if args.is_empty() {
            return Err(Error::new_spanned(
                attr,
                "#[parameters] needs an argument; the one supported is `skip`",
            ));
        }
        for arg in args {
            match &arg {
                Meta::Path(path) if path.is_ident("skip") => skip = true,
                _ => {
                    let path = arg.path();
                    let name = quote!(#path).to_string().replace(' ', "");
                    return Err(Error::new_spanned(
                        path,
                        format!(
                            "unknown argument `{name}`; #[parameters] takes `skip` (keeps a non-tensor field out of training and checkpoints)"
                        ),
                    ));
                }
            }
        }
    }
    Ok(skip)
}
