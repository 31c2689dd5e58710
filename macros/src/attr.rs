//! The arguments of `#[differentiable(...)]`: `wrt(a, b, ...)` names the arguments to
//! differentiate with respect to; `assume_finite` enables rewrites that are exact only
//! for finite values (`x * 0 == 0`).

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token, parenthesized};

#[derive(Default)]
pub struct Args {
    /// `None`: differentiate with respect to every float argument.
    pub wrt: Option<Vec<Ident>>,
    pub assume_finite: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "wrt" {
                if args.wrt.is_some() {
                    return Err(syn::Error::new_spanned(
                        key,
                        "`wrt` is given twice; list every argument in one wrt(...)",
                    ));
                }
                let content;
                parenthesized!(content in input);
                let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
                if names.is_empty() {
                    return Err(syn::Error::new_spanned(
                        key,
                        "wrt() is empty; name the arguments to differentiate, e.g. wrt(w, b), or leave wrt out to use every float argument",
                    ));
                }
                args.wrt = Some(names.into_iter().collect());
            } else if key == "assume_finite" {
                args.assume_finite = true;
            } else {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!(
                        "unknown argument `{key}`; #[differentiable] takes wrt(name, ...) and assume_finite"
                    ),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}
