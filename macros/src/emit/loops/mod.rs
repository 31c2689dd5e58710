//! A loop in generated code. The body's derivative is derived once, like a function's:
//! its graph is simplified and swept backwards from the carried value's cotangent
//! (`δh[i]`) to every input the caller needs. The result is split in two:
//!
//! - the **forward** part (what does not depend on the cotangent) runs in the forward
//!   loop, which pushes onto a tape, per iteration, only what the backward part reads:
//!   the carried value before the iteration when it is needed, and the other forward
//!   values the backward reads (`residuals`). Cheap elementwise values (`1 - h²`, a
//!   transpose view) are recomputed instead of stored; the carried value after an
//!   iteration is the next one's before, so it is never stored twice;
//! - the **backward** part runs in a loop over the tape in reverse, threading the
//!   cotangent of the carried value, summing the captures' adjoints and writing each
//!   element's gradient at its index.
//!
//! The forward function and every caller that needs no gradient run the loop without a
//! tape.

mod access;
mod backward;
mod derive;
mod forward;
mod stacks;
mod text;

pub use access::{tape_local, wanted};
pub use backward::{Run, backward};
pub use forward::forward;
pub use stacks::{in_sink, sinks_of, stack_mask, unit_stack};
pub use text::derivation;
