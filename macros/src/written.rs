//! A scalar function as the user wrote it, handed to rustc to check. The macro reads
//! only what the graph uses, so without this, code the graph leaves out (an unused
//! binding naming nothing, a literal out of range, `&&&x`) would never meet rustc, and a
//! body that is not Rust would be accepted. The copy sits in an anonymous `const` where
//! it is type-checked and borrow-checked but never called, so never compiled to machine
//! code.
//!
//! Tensor bodies are not copied: there the body's language is deliberately not plain
//! ndarray (arrays are values, read again after `h + h` or `sigmoid(z)` has "moved"
//! them; a view times a float; `mean_axis` without `Option`; `softmax(&x, Axis(k))`), so
//! rustc would reject what the macro documents. Their names are checked still
//! ([`names`]): each name the body reads that no pattern of it binds is imported, unused,
//! where the function is, so a name that exists nowhere is rustc's own error, and each
//! `match`'s patterns are typed by rustc against one another; and so are
//! their `let`s' type annotations ([`annotations`]), which the macro does not read: each
//! must be a float, an array, or a tuple of them (`cadena::checks::let_type`), so
//! `let v: P = ..` or `let v: char = ..` is an error on the annotation.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, ItemFn};

/// The anonymous `const` holding the checked copy of a free function; nothing for a
/// method (`self_: &Self`), since `Self` means nothing outside its impl, nor for a
/// generic one.
pub fn check(item: &ItemFn) -> TokenStream {
    let has_self = is_method(item);
    // A generic body's float literals are `T`s to the macro (`x * 2.0` with `x: T`),
    // not to rustc.
    if has_self || item.sig.generics.type_params().next().is_some() {
        return TokenStream::new();
    }
    let (sig, block) = (&item.sig, &item.block);
    // `cfg` keeps the check where the function is; the user's lint levels apply to what
    // they wrote. But `unused_variables`: the emitted function warns about an argument or
    // `let` never read already, and a second warning of the copy's would repeat it.
    let cfgs = cfgs(item);
    let lints = lints(&item.attrs);
    quote! {
        #(#cfgs)*
        const _: () = {
            #(#lints)*
            #[allow(dead_code, unused_variables, clippy::all)]
            #sig #block
        };
    }
}

/// `use name as _;` for every name a tensor body reads as a value (a constant, not a
/// function it calls) that none of its patterns or arguments binds: resolved where the function is, an
/// undefined name (in code the graph leaves out too) is rustc's "unresolved import".
fn names(item: &ItemFn) -> TokenStream {
    use syn::visit::Visit;
    #[derive(Default)]
    struct Names<'a> {
        bound: std::collections::HashSet<String>,
        read: Vec<syn::Ident>,
        /// The names `let`s and `for`s bind: a constant or unit struct of the same name
        /// in scope makes the user's pattern refutable or of another type in Rust, where
        /// the macro reads a new binding.
        introduced: Vec<syn::Ident>,
        /// The types of `as` casts (`n as f64`), which the macro keeps as written where
        /// the graph reads them and drops where it does not.
        casts: Vec<&'a syn::Type>,
        /// Functions called by a path of modules.
        functions: Vec<&'a syn::Path>,
        /// Each `match`'s patterns, where rustc can check them alone ([`checkable`]).
        matches: Vec<Vec<&'a syn::Pat>>,
        /// A struct argument's field indexed by a literal (`p.out[1]`): the argument's
        /// name and the expression.
        indexed: Vec<(&'a syn::Ident, &'a syn::ExprIndex)>,
        /// Visiting the patterns of such a `match`: their paths are checked there.
        in_checked_match: bool,
        is_method: bool,
    }
    impl<'a> Visit<'a> for Names<'a> {
        // A function called is the macro's to find (or to ask for its body), and naming
        // it in an import here would make it ambiguous beside the items expansions add.
        fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
            match &*c.func {
                // A function by a module path (`models::logits`, another crate's
                // `::lib::mlp::logits`): the macro asks the crate's root for its body, so
                // the modules between are checked here.
                syn::Expr::Path(p)
                    if p.qself.is_none()
                        && p.path.segments.len() >= 2
                        && p.path.segments.iter().all(|s| s.arguments.is_empty())
                        && (p.path.segments.iter()).all(|s| {
                            let name = s.ident.to_string();
                            !name.starts_with(char::is_uppercase)
                                && !crate::types::is_primitive(&name)
                        }) =>
                {
                    self.functions.push(&p.path)
                }
                syn::Expr::Path(_) => {}
                other => self.visit_expr(other),
            }
            for arg in &c.args {
                self.visit_expr(arg);
            }
        }
        // `s![K.., ..]`: the names a slice's bounds read are read too (a fuzzer finding:
        // an undefined `K` in a slice the result does not need was accepted).
        fn visit_macro(&mut self, m: &'a syn::Macro) {
            if m.path.is_ident("s") {
                self.slice_names(m.tokens.clone());
            }
        }
        fn visit_local(&mut self, l: &'a syn::Local) {
            self.introduce(&l.pat);
            syn::visit::visit_local(self, l);
        }
        // `Norm::Squash => ..` in a `match`: the enum (or module) the pattern names
        // must exist, in arms the result does not need too.
        fn visit_pat(&mut self, p: &'a syn::Pat) {
            let path = match p {
                syn::Pat::Path(p) if p.qself.is_none() => Some(&p.path),
                syn::Pat::TupleStruct(p) if p.qself.is_none() => Some(&p.path),
                syn::Pat::Struct(p) if p.qself.is_none() => Some(&p.path),
                _ => None,
            };
            if let Some(path) = path
                && !self.in_checked_match
                && path.leading_colon.is_none()
                && path.segments.len() >= 2
                && let first = &path.segments[0].ident
                && !["crate", "self", "super", "Self"]
                    .iter()
                    .any(|k| first == k)
                && !self.read.contains(first)
            {
                self.read.push(first.clone());
            }
            syn::visit::visit_pat(self, p);
        }
        fn visit_expr_match(&mut self, m: &'a syn::ExprMatch) {
            let pats: Vec<&syn::Pat> = m.arms.iter().map(|a| &a.pat).collect();
            if self.is_method || !checkable(&pats) {
                return syn::visit::visit_expr_match(self, m);
            }
            self.matches.push(pats);
            self.visit_expr(&m.expr);
            for arm in &m.arms {
                self.in_checked_match = true;
                self.visit_pat(&arm.pat);
                self.in_checked_match = false;
                if let Some((_, guard)) = &arm.guard {
                    self.visit_expr(guard);
                }
                self.visit_expr(&arm.body);
            }
        }
        fn visit_expr_index(&mut self, e: &'a syn::ExprIndex) {
            let mut base = &*e.expr;
            while let syn::Expr::Field(f) = base {
                base = &f.base;
            }
            if matches!(&*e.expr, syn::Expr::Field(_))
                && matches!(&*e.index, syn::Expr::Lit(l) if matches!(l.lit, syn::Lit::Int(_)))
                && let syn::Expr::Path(p) = base
                && let Some(ident) = p.path.get_ident()
                // Once per place (`p.layers[0]` read twice is one check).
                && !(self.indexed.iter()).any(|(_, seen)| quote!(#seen).to_string() == quote!(#e).to_string())
            {
                self.indexed.push((ident, e));
            }
            syn::visit::visit_expr_index(self, e);
        }
        fn visit_expr_cast(&mut self, c: &'a syn::ExprCast) {
            self.casts.push(&c.ty);
            syn::visit::visit_expr_cast(self, c);
        }
        fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
            self.introduce(&f.pat);
            syn::visit::visit_expr_for_loop(self, f);
        }
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            self.bound.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && let Some(ident) = p.path.get_ident()
                && ident != "self"
                && !self.read.contains(ident)
            {
                self.read.push(ident.clone());
            }
            syn::visit::visit_expr_path(self, p);
        }
    }
    impl Names<'_> {
        fn introduce(&mut self, pat: &syn::Pat) {
            match pat {
                syn::Pat::Ident(p) => self.introduced.push(p.ident.clone()),
                syn::Pat::Type(t) => self.introduce(&t.pat),
                syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| self.introduce(p)),
                syn::Pat::Reference(r) => self.introduce(&r.pat),
                syn::Pat::Paren(p) => self.introduce(&p.pat),
                _ => {}
            }
        }
        /// The names a slice's tokens read, as the loop bounds' are found
        /// (`integers::idents`: not fields, methods, macros or path segments); keywords
        /// (`as`) are not names.
        fn slice_names(&mut self, tokens: TokenStream) {
            for ident in crate::lower::integers::idents(tokens) {
                if !self.read.contains(&ident) && syn::parse2::<syn::Ident>(quote!(#ident)).is_ok()
                {
                    self.read.push(ident);
                }
            }
        }
    }
    let mut names = Names {
        is_method: is_method(item),
        ..Names::default()
    };
    for arg in &item.sig.inputs {
        if let FnArg::Typed(pt) = arg {
            names.visit_pat(&pt.pat);
        }
    }
    names.visit_block(&item.block);
    let uses = names
        .read
        .iter()
        .filter(|i| !names.bound.contains(&i.to_string()))
        .map(|i| quote::quote_spanned!(i.span()=> #[allow(unused_imports)] use #i as _;));
    // `let K = ();` is Rust's own error where `K` is a constant or a unit struct (and
    // nothing where it is not), on the user's `K`.
    let lets = names
        .introduced
        .iter()
        .map(|i| quote::quote_spanned!(i.span()=> let #i = ();));
    // A cast's type must exist (`1.0 as Qq` in a `let` the result does not need), but
    // a generic function's `T` or `Self` means nothing out here.
    let casts = (names.casts.iter())
        .filter(|ty| !names_a_generic(item, ty))
        .map(|ty| exists(ty));
    let functions = (names.functions.iter()).map(|p| {
        quote::quote_spanned!(syn::spanned::Spanned::span(p)=> #[allow(unused_imports)] use #p as _;)
    });
    // A `match`'s patterns against a value of the type they name (`Norm::Tanh` where
    // `Norm` has no such variant, in an arm the result does not need): a closure rustc
    // types from the patterns alone.
    let matches = names.matches.iter().map(|pats| {
        quote! {
            #[allow(unreachable_patterns)]
            let _ = |value| match value { #(#pats => (),)* _ => () };
        }
    });
    // `p.out[16]` of `out: [Layer; 1]`, in a `let` the result does not need: rustc's
    // "this operation will panic at runtime", on the user's index, in a closure never
    // called that reads the field as the function would (a lint of builds, as for the
    // body without the attribute). Not in a generic function or a method, whose types
    // mean nothing here.
    let plain = !is_method(item) && item.sig.generics.params.is_empty();
    let typed = |ident: &syn::Ident| {
        item.sig.inputs.iter().find_map(|a| match a {
            FnArg::Typed(pt) if matches!(&*pt.pat, syn::Pat::Ident(p) if p.ident == *ident) => {
                Some(&pt.ty)
            }
            _ => None,
        })
    };
    let indexed = (names.indexed.iter().filter(|_| plain)).filter_map(|(ident, e)| {
        let ty = typed(ident)?;
        // Bound, so the element is evaluated (`let _ = place;` reads nothing).
        Some(quote!(let _ = |#ident: #ty| { let _element = &#e; };))
    });
    quote! {
        #(#uses)*
        #(#lets)*
        #(#casts)*
        #(#functions)*
        #(#matches)*
        #(#indexed)*
    }
}

/// Whether a `match`'s patterns can be checked by rustc without the value matched:
/// not with a reference pattern (`&Mode::A` beside `Mode::B` is Rust's default binding
/// mode on a reference, which a value of unknown type does not have), nor naming `Self`
/// (nothing outside a method's impl).
fn checkable(pats: &[&syn::Pat]) -> bool {
    !pats.iter().any(|p| {
        let text = quote!(#p).to_string();
        text.contains('&')
            || (text.split(|c: char| !c.is_alphanumeric() && c != '_')).any(|w| w == "Self")
    }) && pats.iter().any(|p| names_a_type(p))
}

/// Whether pattern `p` says something of the type it matches (a variant, a struct, a
/// literal): patterns of wildcards and bindings alone (`_ => y`) leave the closure's
/// argument a type rustc cannot infer (a fuzzer finding), and have nothing to check.
fn names_a_type(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Path(_)
        | syn::Pat::TupleStruct(_)
        | syn::Pat::Struct(_)
        | syn::Pat::Lit(_)
        | syn::Pat::Range(_) => true,
        syn::Pat::Or(o) => o.cases.iter().any(names_a_type),
        syn::Pat::Paren(inner) => names_a_type(&inner.pat),
        syn::Pat::Ident(i) => i.subpat.as_ref().is_some_and(|(_, sub)| names_a_type(sub)),
        syn::Pat::Tuple(t) => t.elems.iter().any(names_a_type),
        _ => false,
    }
}

/// `let _: F = C;` for each constant `C` from scope a tensor body reads, spanned on it,
/// in a function computing in `F` (not a generic one or a method): in code the result
/// does not need, `f64::MAX` in an `f32` function would meet no rustc otherwise.
fn constants(item: &ItemFn, float: &syn::Type, constants: &[syn::ExprPath]) -> TokenStream {
    if is_method(item) || !item.sig.generics.params.is_empty() {
        return TokenStream::new();
    }
    constants
        .iter()
        .map(|c| quote::quote_spanned!(syn::spanned::Spanned::span(c)=> let _: #float = #c;))
        .collect()
}

/// `cadena::checks::let_type::<T, F>` for the type `T` of every annotated `let` of a
/// tensor body computing in `float` (`F`), spanned on it. In a generic function only that
/// a type naming none of its parameters exists; nothing for a method (its types may name
/// `Self`, which means nothing outside it), nor for an annotation that leaves a part to
/// inference (`Vec<_>`).
fn annotations(item: &ItemFn, float: &syn::Type) -> TokenStream {
    if is_method(item) {
        return TokenStream::new();
    }
    let generic = !item.sig.generics.params.is_empty();
    let values = annotated_types(item, true);
    let checks = values.iter().map(|ty| match generic {
        false => quote::quote_spanned!(syn::spanned::Spanned::span(ty)=> let _ = ::cadena::checks::let_type::<#ty, #float>;),
        // In a generic function, a type naming none of its parameters must still
        // exist (`let h: &P = ..` with no `P`).
        true if !names_a_generic(item, ty) => exists(ty),
        true => TokenStream::new(),
    });
    // A `Vec` of per-step values, annotated (`let outs: Vec<Array1<f64>> = Vec::new()`):
    // its type must exist too (a fuzzer finding: `undefined_Vec<..>` was accepted).
    let sequences = annotated_types(item, false)
        .into_iter()
        .filter(|ty| !values.iter().any(|v| std::ptr::eq(*v, *ty)))
        .filter(|ty| !names_a_generic(item, ty))
        .map(exists);
    checks.chain(sequences).collect()
}

/// Checks of a tensor body as written, in one anonymous `const` where the function is
/// (type-checked, never compiled to code): its names ([`names`]), its `let` annotations
/// ([`annotations`]) and the constants it reads (`constants`, as lowering found them:
/// [`Usage::constants`](crate::ir::function::Usage::constants)).
pub fn tensor(item: &ItemFn, float: &syn::Type, read: &[syn::ExprPath]) -> TokenStream {
    let names = names(item);
    let annotations = annotations(item, float);
    let constants = constants(item, float, read);
    let cfgs = cfgs(item);
    quote! {
        #(#cfgs)*
        #[allow(unused_variables, non_snake_case, clippy::all)]
        const _: () = {
            #names
            #annotations
            #constants
        };
    }
}

/// `let _: PhantomData<T>;` spanned on `T`: rustc's error where `T` exists nowhere.
fn exists(ty: &syn::Type) -> TokenStream {
    quote::quote_spanned!(syn::spanned::Spanned::span(ty)=>
        let _: ::core::marker::PhantomData<#ty> = ::core::marker::PhantomData;)
}

/// The types of the body's annotated `let`s, but those that leave a part to inference.
/// With `values_only`, not those of a `Vec` of per-step values (an empty `Vec`), the one
/// `Vec` a body holds.
pub fn annotated_types(item: &ItemFn, values_only: bool) -> Vec<&syn::Type> {
    use syn::visit::Visit;
    struct Annotations<'a>(Vec<&'a syn::Type>, bool);
    impl<'a> Visit<'a> for Annotations<'a> {
        fn visit_local(&mut self, l: &'a syn::Local) {
            // As lowering tells them (`Vec::new()`, `Vec::with_capacity(n)`, `vec![]`).
            let sequence = (l.init.as_ref()).is_some_and(|i| crate::lower::is_empty_vec(&i.expr));
            if let syn::Pat::Type(t) = &l.pat
                && !(self.1 && sequence)
            {
                self.0.push(&t.ty);
            }
            syn::visit::visit_local(self, l);
        }
    }
    struct Infers(bool);
    impl Visit<'_> for Infers {
        fn visit_type(&mut self, t: &syn::Type) {
            self.0 |= matches!(
                t,
                syn::Type::Infer(_) | syn::Type::ImplTrait(_) | syn::Type::Macro(_)
            );
            syn::visit::visit_type(self, t);
        }
    }
    let mut found = Annotations(Vec::new(), values_only);
    found.visit_block(&item.block);
    found.0.retain(|ty| {
        let mut infers = Infers(false);
        infers.visit_type(ty);
        !infers.0
    });
    found.0
}

/// Whether `ty` names one of the function's generic parameters (a type or a lifetime)
/// or `Self`, which mean nothing outside it.
fn names_a_generic(item: &ItemFn, ty: &syn::Type) -> bool {
    let tokens = quote!(#ty);
    let params = item.sig.generics.params.iter().map(|p| match p {
        syn::GenericParam::Type(t) => t.ident.clone(),
        syn::GenericParam::Lifetime(l) => l.lifetime.ident.clone(),
        syn::GenericParam::Const(c) => c.ident.clone(),
    });
    let self_ = syn::Ident::new("Self", proc_macro2::Span::call_site());
    params
        .chain([self_])
        .any(|p| crate::types::mentions(tokens.clone(), &p))
}

/// The function's lint levels, for a copy the macro emits: `forbid` as `deny`, so that
/// the copy's own `allow`s (it is never called) after them are not refused.
pub fn lints(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| is_lint_level(a))
        .map(|a| {
            let mut a = a.clone();
            if let syn::Meta::List(list) = &mut a.meta
                && list.path.is_ident("forbid")
            {
                list.path = syn::Ident::new("deny", list.path.segments[0].ident.span()).into();
            }
            a
        })
        .collect()
}

/// `#[allow(..)]`, `#[warn(..)]`, `#[deny(..)]`, `#[forbid(..)]`, `#[expect(..)]`.
pub fn is_lint_level(attr: &syn::Attribute) -> bool {
    ["allow", "warn", "deny", "forbid", "expect"]
        .iter()
        .any(|n| attr.path().is_ident(n))
}

/// A method (`&self`, or `self_: &Self` as an impl block hands it over).
pub(crate) fn is_method(item: &ItemFn) -> bool {
    item.sig.inputs.iter().any(|a| match a {
        FnArg::Receiver(_) => true,
        FnArg::Typed(pt) => matches!(&*pt.pat, syn::Pat::Ident(p) if p.ident == "self_"),
    })
}

/// The function's `cfg` attributes: a check stands where the function does.
pub(crate) fn cfgs(item: &ItemFn) -> impl Iterator<Item = &syn::Attribute> {
    (item.attrs.iter()).filter(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
}
