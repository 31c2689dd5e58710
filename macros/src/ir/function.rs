//! The lowered function, as lowering hands it on: its arguments and what they are, the
//! graph exactly as written, the struct fields it reads, and what the emitter needs to
//! know about the source beyond the graph ([`Usage`]: how to pass each input, which paths
//! and names the body used). None of this changes the mathematics; the usage keeps
//! rustc's view of the emitted function the same as of the function as written.

use proc_macro2::TokenStream;
use syn::{Ident, Type};

use super::graph::{Graph, NodeId};
use super::step::Step;
pub use crate::types::Float;
use crate::types::Kind;

/// One argument of the user's function.
#[derive(Clone)]
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    pub kind: Kind,
    /// The input node: for floats, and in tensor code for every argument but structs
    /// (whose fields become inputs as the body reads them).
    pub input: Option<NodeId>,
}

/// A struct field the body reads (`p.enc.w1`): an input of its own.
#[derive(Clone)]
pub struct Field {
    pub param: usize,
    pub path: Vec<Step>,
    pub input: NodeId,
    /// A whole stack of layers or float array a loop iterates (`p.layers`, `cs`): its
    /// gradient is a value of the field's own type.
    pub collection: bool,
}

/// A checked, lowered function: the graph exactly as written (no rewrites yet).
#[derive(Clone)]
pub struct Lowered {
    pub float: Float,
    /// The float type as written (the return type, without macro groups).
    pub float_ty: Type,
    pub params: Vec<Param>,
    /// Indices into `params` of the arguments to differentiate, in `wrt` order.
    pub wrt: Vec<usize>,
    pub graph: Graph,
    /// The result; for a function returning a tuple, its first part.
    pub output: NodeId,
    /// A returned tuple's parts, in order (empty for a float or an array).
    pub parts: Vec<NodeId>,
    /// ndarray code (some argument is an array or a parameter struct).
    pub tensor: bool,
    pub fields: Vec<Field>,
    pub usage: Usage,
    /// The function returns an array or a tuple (a building block for other functions),
    /// not a loss: it gets a pullback instead of a gradient.
    pub array_output: bool,
}

#[derive(Default, Clone)]
pub struct Usage {
    /// How generated code passes each graph input to a helper (`x`, `&w`, `&p.w1`),
    /// indexed like the graph's inputs.
    pub access: Vec<TokenStream>,
    /// Inputs known to be floats besides the float arguments (a loop body's float
    /// captures), by input index.
    pub scalar_inputs: Vec<usize>,
    /// Where the gradient of a stack of layers a loop iterates is built, by the stack's
    /// input index (`grad_struct0.layers`): set by the emitter for the backward
    /// statements, whose loops write their elements' gradients there.
    pub sinks: Vec<(usize, proc_macro2::TokenStream)>,
    /// Loops, by node index in the graph being emitted, to run with a tape though no
    /// backward run there reads it: a loop body's forward iteration stores their tapes
    /// (`LoopDerivative::stored`).
    pub taped_loops: Vec<usize>,
    /// Loops, by node index, not run but read from what the forward iteration stored: the
    /// tape (a loop carrying several values), or the value and the tape.
    pub stored_loops: Vec<(usize, proc_macro2::TokenStream)>,
    /// The function and `Axis` paths the body calls, as written (arguments stripped). The
    /// emitted body calls runtime helpers instead, so it names these in `use` items to
    /// keep the user's imports of them used, and their absence an error, as for the body
    /// as written.
    pub used_paths: Vec<syn::Path>,
    /// Arguments the body reads (even only in code the result does not need).
    pub read_params: Vec<Ident>,
    /// `let` names the body never reads, with their spans: the emitted body binds them
    /// unused so that rustc warns about them, as it would about the body as written,
    /// instead of about the arguments only they read.
    /// With the tokens that compute each in ndarray code where they are the user's
    /// own (an opaque value), bound by the emitted body so rustc checks them.
    pub unread_lets: Vec<(Ident, Option<proc_macro2::TokenStream>)>,
    /// The function's own top-level `let`s written with a type, for the check of their
    /// values against it (`crate::declared`); not those of loops or inlined callees.
    pub annotated: Vec<Annotated>,
    /// Constants from scope the body reads (`SCALE`, `f64::MAX`), as written: checked to
    /// be of the function's float also where the result does not need them.
    pub constants: Vec<syn::ExprPath>,
}

/// `let name: ty = init;`, its value `node`.
#[derive(Clone)]
pub struct Annotated {
    pub node: NodeId,
    pub ty: Type,
    pub init: syn::Expr,
}

impl Usage {
    /// Notes that the body reads argument `ident`.
    pub fn read_param(&mut self, ident: &Ident) {
        if !self.read_params.contains(ident) {
            self.read_params.push(ident.clone());
        }
    }

    /// Records `path` (without generic arguments) for the emitted `use` items, once. A
    /// path through a primitive type (`f64::from`) names no module a `use` can import
    /// from, and needs no import either.
    pub fn use_path(&mut self, path: &syn::Path) {
        const PRIMITIVES: &[&str] = &[
            "f32", "f64", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32",
            "i64", "i128", "bool", "char", "str",
        ];
        if path.leading_colon.is_none()
            && path.segments.len() > 1
            && PRIMITIVES.iter().any(|p| path.segments[0].ident == p)
        {
            return;
        }
        let bare = bare_path(path);
        if !self.used_paths.contains(&bare) {
            self.used_paths.push(bare);
        }
    }
}

/// `path` without generic arguments (`predict::<f32>` → `predict`): how generated code
/// names a function, a macro or an import the user called.
pub fn bare_path(path: &syn::Path) -> syn::Path {
    let mut bare = path.clone();
    for segment in &mut bare.segments {
        segment.arguments = syn::PathArguments::None;
    }
    bare
}
