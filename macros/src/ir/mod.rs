//! The IR every stage reads and none owns: the graph arena ([`graph`]), the op table
//! ([`ops`]: each op's meaning, derivative templates and Rust), loop bodies ([`loops`]),
//! the rewrite and derivative patterns ([`pattern`]) with their s-expression text
//! ([`sexpr`]), the lowered function lowering hands on ([`function`]), and the small
//! vocabulary the stages share (which rewrites run, field paths, hygienic names). It
//! imports no stage: the optimiser builds nodes for it through [`Build`].

pub mod build;
pub mod derived;
pub mod emitted;
pub mod function;
pub mod graph;
#[cfg(test)]
pub mod interp;
pub mod loops;
pub mod names;
pub mod ops;
pub mod pattern;
pub mod print;
pub mod readable;
pub mod rewrites;
pub mod sexpr;
pub mod shapes;
pub mod step;

pub use build::Build;
pub use graph::{Graph, NodeId};
pub use ops::Op;
pub use rewrites::{Group, Rewrites};
pub use step::Step;
