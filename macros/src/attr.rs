//! The arguments of `#[differentiable(...)]`: `wrt(a, b, ...)` names the arguments to
//! differentiate with respect to; `assume_finite` enables rewrites that are exact only
//! for finite values (`x * 0 == 0`); `derivative(f_prime)` gives a hand-written
//! derivative for a function whose body the macro should not read; `export` makes a
//! `pub` function callable from `#[differentiable]` functions of other crates; `hvp`
//! derives `f::hvp` for a tensor function too. Mistakes are collected, not fatal: each malformed
//! argument is reported and skipped, and the function is still checked.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Token, parenthesized};

use crate::ctxt::Ctxt;

#[derive(Default)]
pub struct Args {
    /// `None`: differentiate with respect to every float argument.
    pub wrt: Option<Vec<Ident>>,
    pub assume_finite: bool,
    /// `derivative(path)`: a hand-written derivative; the body is not read.
    pub derivative: Option<syn::Path>,
    /// `export`: callable from other crates' `#[differentiable]` functions.
    pub export: Option<Ident>,
    /// `hvp`: also derive `f::hvp` for a tensor function (scalar functions always have
    /// it). Asked for, because it is as much code again as the gradient to compile.
    pub hvp: bool,
}

/// Parses the attribute's arguments, reporting every mistake into `cx`.
pub fn parse(cx: &mut Ctxt, attr: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            if let Err(e) = argument(input, &mut args) {
                cx.push(e);
                skip_to_comma(input)?;
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(())
    };
    if let Err(e) = parser.parse2(attr) {
        cx.push(e);
    }
    args
}

fn argument(input: ParseStream, args: &mut Args) -> syn::Result<()> {
    let key: Ident = input.parse()?;
    if key == "wrt" {
        let content;
        parenthesized!(content in input);
        let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
        if args.wrt.is_some() {
            return Err(syn::Error::new_spanned(
                key,
                "`wrt` is given twice; list every argument in one wrt(...)",
            ));
        }
        if names.is_empty() {
            return Err(syn::Error::new_spanned(
                key,
                "wrt() is empty; name the arguments to differentiate, e.g. wrt(w, b), or leave wrt out to use every float argument",
            ));
        }
        args.wrt = Some(names.into_iter().collect());
    } else if key == "assume_finite" {
        args.assume_finite = true;
    } else if key == "export" {
        args.export = Some(key);
    } else if key == "hvp" {
        args.hvp = true;
    } else if key == "derivative" {
        let content;
        parenthesized!(content in input);
        args.derivative = Some(content.parse()?);
    } else {
        return Err(syn::Error::new_spanned(
            &key,
            format!(
                "unknown argument `{key}`; #[differentiable] takes wrt(name, ...), assume_finite, hvp, derivative(path) and export"
            ),
        ));
    }
    Ok(())
}

/// Skips what is left of a malformed argument, up to the next top-level comma.
fn skip_to_comma(input: ParseStream) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    })
}
