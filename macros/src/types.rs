//! What the macro can tell about an argument from its written type: a float, an ndarray
//! array (and its element type), a parameter struct, or something else (labels, sizes).
//! Ranks and shapes are left to Rust's type checker.

use syn::{GenericArgument, PathArguments, Type};

/// The float type of a function (its return type).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Float {
    F32,
    F64,
}

impl Float {
    pub fn of(ty: &Type) -> Option<Float> {
        let Type::Path(p) = ty else { return None };
        if p.qself.is_some() {
            return None;
        }
        let ident = p.path.get_ident()?;
        if ident == "f32" {
            Some(Float::F32)
        } else if ident == "f64" {
            Some(Float::F64)
        } else {
            None
        }
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

pub fn classify(ty: &Type) -> Kind {
    if Float::of(ty).is_some() {
        return Kind::Float;
    }
    let (inner, borrowed) = match ty {
        Type::Reference(r) => (&*r.elem, true),
        other => (other, false),
    };
    let Type::Path(p) = inner else {
        return Kind::Other;
    };
    let Some(last) = p.path.segments.last() else {
        return Kind::Other;
    };
    let name = last.ident.to_string();
    if name.starts_with("Array") || name == "CowArray" {
        return Kind::Array {
            borrowed,
            elem: elem_type(&last.arguments),
        };
    }
    let primitive = matches!(
        name.as_str(),
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
            | "bool"
            | "Vec"
            | "str"
            | "String"
    );
    if borrowed && !primitive {
        Kind::Struct
    } else {
        Kind::Other
    }
}

/// Whether `ty` is an ndarray array (owned, view or reference) of an integer type, such
/// as `&Array1<usize>`.
pub fn is_integer_array(ty: &Type) -> bool {
    let inner = match ty {
        Type::Reference(r) => &*r.elem,
        other => other,
    };
    let Type::Path(p) = inner else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return false;
    };
    last.ident.to_string().starts_with("Array")
        && a.args.iter().any(|g| match g {
            GenericArgument::Type(Type::Path(t)) => t.path.get_ident().is_some_and(|i| {
                matches!(
                    i.to_string().as_str(),
                    "usize" | "u8" | "u16" | "u32" | "u64" | "isize" | "i32" | "i64"
                )
            }),
            _ => false,
        })
}

/// The float among a type's generic arguments (`f32` in `Array2<f32>`).
fn elem_type(args: &PathArguments) -> Option<Float> {
    let PathArguments::AngleBracketed(a) = args else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        GenericArgument::Type(t) => Float::of(t),
        _ => None,
    })
}

/// The type a gradient of this argument has: the argument's own type, without the borrow.
pub fn grad_type(ty: &Type) -> Type {
    match ty {
        Type::Reference(r) => (*r.elem).clone(),
        other => other.clone(),
    }
}
