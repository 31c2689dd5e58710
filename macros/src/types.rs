//! What the macro can tell about an argument from its written type: a float, an ndarray
//! array (and its element type), a parameter struct, or something else (labels, sizes).
//! Ranks and shapes are left to Rust's type checker.

use syn::{GenericArgument, PathArguments, PathSegment, Type};

/// The float type of a function (its return type).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Float {
    F32,
    F64,
    /// A name for a float type the macro cannot see through (`type Real = f64;`): the
    /// emitted code converts its constants with `cadena::Float::of`, and rustc checks
    /// that the name is a float.
    Alias,
}

impl Float {
    /// `f32` or `f64`, also when a `macro_rules!` passed it as `$t:ty` (an invisible
    /// group around the type).
    pub fn of(ty: &Type) -> Option<Float> {
        let Type::Path(p) = ungroup(ty) else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        // `f64`, or spelled out from `std`/`core` (`std::primitive::f64`).
        let segments = segment_names(&p.path);
        let spelled_out = segments.len() == 3
            && (segments[0] == "std" || segments[0] == "core")
            && segments[1] == "primitive"
            && p.path.segments.iter().all(|s| s.arguments.is_none());
        let ident = match spelled_out {
            true => &p.path.segments[2].ident,
            false => p.path.get_ident()?,
        };
        if ident == "f32" {
            Some(Float::F32)
        } else if ident == "f64" {
            Some(Float::F64)
        } else {
            None
        }
    }

    /// The float a literal's suffix names (`1.5f32`), if any.
    pub fn of_suffix(suffix: &str) -> Option<Float> {
        match suffix {
            "f32" => Some(Float::F32),
            "f64" => Some(Float::F64),
            _ => None,
        }
    }

    /// `f32`, `f64`, or for an alias the word.
    pub fn name(self) -> &'static str {
        match self {
            Float::F32 => "f32",
            Float::F64 => "f64",
            Float::Alias => "its float alias",
        }
    }

    /// A plain name that may stand for a float type (`Real`, `crate::Real`): no generic
    /// arguments, and none of the names the macro knows to be something else.
    pub fn alias(ty: &Type) -> Option<Float> {
        let Type::Path(p) = ungroup(ty) else {
            return None;
        };
        let last = p.path.segments.last()?;
        let plain = p.qself.is_none()
            && p.path
                .segments
                .iter()
                .all(|s| matches!(s.arguments, PathArguments::None));
        let name = last.ident.to_string();
        let known = is_integer(&name)
            || is_array(&name)
            || matches!(
                name.as_str(),
                "bool" | "Vec" | "str" | "String" | "char" | "Self" | "Option" | "Box"
            );
        (plain && !known).then_some(Float::Alias)
    }
}

/// The names of a path's segments: `["std", "primitive", "f64"]`.
pub fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// `ty` without the invisible groups and parentheses macros wrap types in.
pub fn ungroup(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => ungroup(&g.elem),
        Type::Paren(p) => ungroup(&p.elem),
        other => other,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Float,
    /// An ndarray array, owned or borrowed, with its element type if it is a float.
    Array {
        borrowed: bool,
        elem: Option<Float>,
    },
    /// A borrowed struct: a `#[derive(Parameters)]` model whose fields the body reads.
    Struct,
    /// Anything else: integers, label slices. Usable as loss targets, never differentiated.
    Other,
}

impl Kind {
    /// Whether a gradient can be taken with respect to a value of this kind: floats,
    /// float arrays and parameter structs.
    pub fn is_differentiable(self) -> bool {
        matches!(
            self,
            Kind::Float | Kind::Array { elem: Some(_), .. } | Kind::Struct
        )
    }
}

/// `ty` without the references around it (`&&P` is `P`).
pub fn referent(ty: &Type) -> &Type {
    match ungroup(ty) {
        Type::Reference(r) => referent(&r.elem),
        other => other,
    }
}

/// `Vec<..>` (a loop's per-step values, when annotated).
pub fn is_vec(ty: &Type) -> bool {
    matches!(ungroup(ty), Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Vec"))
}

/// `[f64; N]` or `&[f64; N]` (a fixed set of float parameters, read by index), which
/// scalar code reads element by element.
pub fn is_float_array(ty: &Type) -> bool {
    float_array(ty).is_some()
}

/// The array type of `[f64; N]` or `&[f64; N]` (its length is `.len`).
pub fn float_array(ty: &Type) -> Option<&syn::TypeArray> {
    let inner = match ungroup(ty) {
        Type::Reference(r) => ungroup(&r.elem),
        other => other,
    };
    match inner {
        Type::Array(a) if Float::of(&a.elem).is_some() => Some(a),
        _ => None,
    }
}

/// Whether an argument of this type makes a function tensor code: arrays and parameter
/// structs do; floats and float arrays do not.
pub fn is_tensor_argument(ty: &Type) -> bool {
    match classify(ty) {
        Kind::Array { .. } => true,
        Kind::Struct => !is_float_array(ty),
        Kind::Float | Kind::Other => false,
    }
}

pub fn classify(ty: &Type) -> Kind {
    if Float::of(ty).is_some() {
        return Kind::Float;
    }
    // `[f64; N]` or `&[f64; N]`: a fixed set of parameters read by a literal index
    // (`c[2]`), differentiated like a parameter struct's fields.
    let inner = match ungroup(ty) {
        Type::Reference(r) => ungroup(&r.elem),
        other => other,
    };
    if let Type::Array(a) = inner
        && Float::of(&a.elem).is_some()
    {
        return Kind::Struct;
    }
    let Some((last, borrowed)) = last_segment(ty) else {
        return Kind::Other;
    };
    let name = last.ident.to_string();
    if is_array(&name) {
        return Kind::Array {
            borrowed,
            elem: type_args(&last.arguments).find_map(Float::of),
        };
    }
    let primitive = is_integer(&name) || matches!(name.as_str(), "bool" | "Vec" | "str" | "String");
    if borrowed && !primitive {
        Kind::Struct
    } else {
        Kind::Other
    }
}

/// Whether `ty` is an ndarray array whose element type is written `elem`.
pub fn array_elem_is(ty: &Type, elem: &Type) -> bool {
    last_segment(ty).is_some_and(|(last, _)| {
        is_array(&last.ident.to_string()) && type_args(&last.arguments).any(|t| ungroup(t) == elem)
    })
}

/// Whether `ty` is an ndarray array (owned, view or reference) of an integer type, such
/// as `&Array1<usize>`.
pub fn is_integer_array(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|(last, _)| {
        is_array(&last.ident.to_string())
            && type_args(&last.arguments).any(|t| match t {
                Type::Path(p) => p
                    .path
                    .get_ident()
                    .is_some_and(|i| is_integer(&i.to_string())),
                _ => false,
            })
    })
}

/// The types by name that are never numbers, whatever is in scope.
pub(crate) const NOT_NUMBERS: &[&str] = &["bool", "char", "str", "String"];

/// The element type of an ndarray array when it is certainly not a number: written with
/// generic arguments (`Option<f64>`), as a reference, tuple, slice, array, `impl Trait`,
/// `dyn Trait`, function pointer or `!`, or `bool`,
/// `char`, `str` or `String`. A plain name (`T`, an alias) may be a float: rustc checks it.
pub fn non_numeric_element(ty: &Type) -> Option<&Type> {
    let elem = array_element(ty)?;
    let bad = match ungroup(elem) {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            !matches!(s.arguments, syn::PathArguments::None)
                || NOT_NUMBERS.contains(&s.ident.to_string().as_str())
        }),
        Type::Reference(_)
        | Type::Tuple(_)
        | Type::Slice(_)
        | Type::Array(_)
        | Type::Ptr(_)
        | Type::ImplTrait(_)
        | Type::TraitObject(_)
        | Type::BareFn(_)
        | Type::Never(_) => true,
        _ => false,
    };
    bad.then_some(elem)
}

/// The element type of an ndarray array type (`Real` in `&Array2<Real>`).
/// The `f32` or `f64` an argument's type is written with, as a float (`x: f64`, `&f64`)
/// or as an array's element (`&Array2<f64>`): the element's tokens, their float, and
/// whether they are an array's.
pub fn written_float(ty: &Type) -> Option<(&Type, Float, bool)> {
    let inner = match ungroup(ty) {
        Type::Reference(r) => &*r.elem,
        other => other,
    };
    if let Some(f) = Float::of(inner) {
        return Some((inner, f, false));
    }
    let elem = array_element(ty)?;
    Float::of(elem).map(|f| (elem, f, true))
}

pub fn array_element(ty: &Type) -> Option<&Type> {
    let (last, _) = last_segment(ty)?;
    if !is_array(&last.ident.to_string()) {
        return None;
    }
    type_args(&last.arguments).next()
}

/// The last segment of a named type (`Array2<f32>` in `&ndarray::Array2<f32>`), and
/// whether the type is a reference.
fn last_segment(ty: &Type) -> Option<(&PathSegment, bool)> {
    let (inner, borrowed) = match ungroup(ty) {
        Type::Reference(r) => (ungroup(&r.elem), true),
        other => (other, false),
    };
    let Type::Path(p) = inner else {
        return None;
    };
    p.path.segments.last().map(|last| (last, borrowed))
}

pub fn is_array(name: &str) -> bool {
    name.starts_with("Array") || name == "CowArray"
}

/// The number of axes an ndarray type names (`Array2`, `ArrayView3`, `&ArrayViewMut1`);
/// `None` for a dynamic rank (`ArrayD`) or anything else.
pub fn array_rank(ty: &Type) -> Option<usize> {
    let (last, _) = last_segment(ty)?;
    let name = last.ident.to_string();
    let digits = ["Array", "ArrayView", "ArrayViewMut", "ArcArray", "CowArray"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix).filter(|d| d.len() == 1))?;
    digits.parse().ok()
}

/// Whether `ty` holds integers by index: `&[usize]`, `[usize; 4]`, `Vec<usize>` (a
/// gather's ids), borrowed or not.
pub fn is_integer_slice(ty: &Type) -> bool {
    let inner = match ungroup(ty) {
        Type::Reference(r) => ungroup(&r.elem),
        other => other,
    };
    match inner {
        Type::Slice(s) => is_integer_type(&s.elem),
        Type::Array(a) => is_integer_type(&a.elem),
        Type::Path(p) => p.path.segments.last().is_some_and(|last| {
            last.ident == "Vec" && type_args(&last.arguments).any(is_integer_type)
        }),
        _ => false,
    }
}

/// Whether `ty` is a plain integer type (`usize`, `i32`, ...).
pub fn is_integer_type(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Path(p) => p
            .path
            .get_ident()
            .is_some_and(|i| is_integer(&i.to_string())),
        _ => false,
    }
}

/// Whether a type is one no value of a body has: `impl Trait` (which rustc refuses on a
/// `let` anyway), `dyn Trait`, a function pointer, a raw pointer, `!`, behind references
/// too.
pub fn holds_no_value(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::ImplTrait(_)
        | Type::TraitObject(_)
        | Type::BareFn(_)
        | Type::Ptr(_)
        | Type::Never(_) => true,
        Type::Reference(r) => holds_no_value(&r.elem),
        Type::Paren(p) => holds_no_value(&p.elem),
        _ => false,
    }
}

/// A type no value of which is a number or holds numbers: one that
/// [holds no value](holds_no_value), or `()`, `bool`, `char`, `str`, `String` (behind `&`
/// too).
pub fn never_a_number(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Reference(r) => never_a_number(&r.elem),
        Type::Paren(p) => never_a_number(&p.elem),
        Type::Tuple(t) => t.elems.is_empty(),
        // `String<f64>` too (rustc's error on its arguments, and still no number).
        Type::Path(p) => {
            p.qself.is_none()
                && p.path.segments.len() == 1
                && NOT_NUMBERS.contains(&p.path.segments[0].ident.to_string().as_str())
        }
        other => holds_no_value(other),
    }
}

/// Rust's primitive scalar types and `str`, by name.
pub fn is_primitive(name: &str) -> bool {
    is_integer(name) || matches!(name, "f32" | "f64" | "bool" | "char" | "str")
}

pub fn is_integer(name: &str) -> bool {
    matches!(
        name,
        "usize"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
    )
}

/// A type's generic type arguments (`f32` in `Array2<f32>`).
fn type_args(args: &PathArguments) -> impl Iterator<Item = &Type> {
    let args = match args {
        PathArguments::AngleBracketed(a) => Some(a.args.iter()),
        _ => None,
    };
    args.into_iter().flatten().filter_map(|g| match g {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// The type a gradient of this argument has: the argument's own type, without the borrow.
///
/// A view or copy-on-write array has an owned array of the same element type and
/// dimension as its gradient (`ArrayView2<'a, f32>` → `Array2<f32>`): a gradient is new
/// data, and a struct field cannot borrow from an argument.
pub fn grad_type(ty: &Type) -> Type {
    let owned = match ungroup(ty) {
        Type::Reference(r) => ungroup(&r.elem).clone(),
        other => other.clone(),
    };
    let Type::Path(mut p) = owned else {
        return owned;
    };
    if let Some(last) = p.path.segments.last_mut() {
        let name = last.ident.to_string();
        let array = match name.as_str() {
            "CowArray" => Some("Array".to_string()),
            _ => name
                .strip_prefix("ArrayViewMut")
                .or_else(|| name.strip_prefix("ArrayView"))
                .map(|dim| format!("Array{dim}")),
        };
        if let Some(array) = array {
            last.ident = syn::Ident::new(&array, last.ident.span());
            if let PathArguments::AngleBracketed(args) = &mut last.arguments {
                args.args = args
                    .args
                    .iter()
                    .filter(|a| !matches!(a, GenericArgument::Lifetime(_)))
                    .cloned()
                    .collect();
            }
            // The owned type by its full path: the user imported the view, not it.
            let last = last.clone();
            let full: syn::TypePath = syn::parse_quote!(::cadena::ndarray::#last);
            return Type::Path(full);
        }
    }
    Type::Path(p)
}

/// For a function returning a tuple, `(A, B, ..)` of two or more parts: their types.
pub fn tuple_output(ty: &Type) -> Option<Vec<Type>> {
    match ungroup(ty) {
        Type::Tuple(t) if t.elems.len() >= 2 => Some(t.elems.iter().cloned().collect()),
        Type::Paren(p) => tuple_output(&p.elem),
        _ => None,
    }
}

/// For a function returning an ndarray array (a building block such as a network's
/// logits), its element's float kind and type.
pub fn array_output(ty: &Type) -> Option<(Float, Type)> {
    let Kind::Array { elem, .. } = classify(ty) else {
        return None;
    };
    let Type::Path(p) = ungroup(ty) else {
        return None;
    };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let elem_ty = args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(ungroup(t).clone()),
        _ => None,
    })?;
    let float = elem.or_else(|| Float::alias(&elem_ty))?;
    Some((float, elem_ty))
}

/// Whether `tokens` contain `ident` anywhere, path segments and nested groups included.
pub fn mentions(tokens: proc_macro2::TokenStream, ident: &syn::Ident) -> bool {
    mentions_one_of(tokens, &|i| i == ident)
}

/// Whether `tokens` contain an identifier `is` accepts, anywhere, as [`mentions`].
pub fn mentions_one_of(tokens: proc_macro2::TokenStream, is: &dyn Fn(&syn::Ident) -> bool) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => is(&i),
        proc_macro2::TokenTree::Group(g) => mentions_one_of(g.stream(), is),
        _ => false,
    })
}
