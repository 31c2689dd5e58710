//! What the emitter needs to know about the source beyond the graph: how to pass each
//! input to generated code, which paths the body named, which arguments and `let`s it
//! read. None of this changes the mathematics; it keeps rustc's view of the emitted
//! function the same as of the function as written (imports used, unused-variable
//! warnings where the user would get them).

use proc_macro2::TokenStream;
use syn::Ident;

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
    pub unread_lets: Vec<Ident>,
}

impl Usage {
    /// Notes that the body reads argument `ident`.
    pub fn read_param(&mut self, ident: &Ident) {
        if !self.read_params.contains(ident) {
            self.read_params.push(ident.clone());
        }
    }

    /// Records `path` (without generic arguments) for the emitted `use` items, once.
    pub fn use_path(&mut self, path: &syn::Path) {
        let bare = super::bare_path(path);
        if !self.used_paths.contains(&bare) {
            self.used_paths.push(bare);
        }
    }
}
