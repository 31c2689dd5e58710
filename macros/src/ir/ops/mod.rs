//! The op table's vocabulary: what the macro knows about an operation, declared once per
//! op in [`table`](self::table) and read by every stage — lowering finds ops by the names
//! users write, the interpreter and constant folding evaluate them, the reverse sweep
//! instantiates their derivatives, the emitter writes their Rust, the s-expression reader
//! parses them, and error messages and docs list them.
//!
//! Each row is a [`Spec`] struct literal, so a row missing any piece does not compile.

mod catalogue;
mod table;

use proc_macro2::Span;

use super::build::Build;
use crate::ir::graph::NodeId;

pub use catalogue::{IDENTITY_METHODS, functions_list, methods_list, works_on_floats};
pub use table::{COMPARISONS, Op};

/// Where an op may appear and how its values are shaped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    /// An argument, a float literal or a named constant.
    Leaf,
    /// The same scalar function of every element: chains of these fuse into one pass.
    Elementwise,
    /// A loss: elementwise on floats, the mean over all elements on arrays.
    Loss,
    /// An array operation whose result is always a float (`sum`, `mean`, row losses).
    Reduction,
    /// An array operation whose result is an array (`dot`, `t`, `softmax`).
    Array,
    /// Created only by the reverse sweep; never written by users.
    Backward,
    /// A `for` loop: its body is a graph of its own (see [`crate::loops`]), its value the
    /// carried variable after the last iteration.
    Loop,
}

/// How the literal argument of a parameterised method is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Payload {
    /// No literal argument.
    None,
    /// An integer literal: `x.powi(2)`.
    Exponent,
    /// `Axis(k)` with a literal `k`: `x.sum_axis(Axis(1))`, or for a function its second
    /// argument: `logsumexp(&x, Axis(1))`.
    Axis,
}

/// How users write an op.
#[derive(Clone, Copy, Debug)]
pub struct Syntax {
    /// As a method on its first operand: `x.exp()`, `x.max(y)`, `x.powi(2)`.
    pub method: Option<&'static str>,
    /// As a `cadena::prelude` function: `sigmoid(x)`, `bce(a, y)`.
    pub function: Option<&'static str>,
    /// The literal a method takes besides its operands.
    pub payload: Payload,
    /// The operand holding a loss's target: data, never differentiated in tensor code.
    pub target: Option<usize>,
    /// The target may be class indices (`&[usize]`) instead of one-hot rows.
    pub class_labels: bool,
    /// Operands that are integers (a stride, a padding, an index, an `s![..]` slice): not
    /// part of the graph's arithmetic, kept as the tokens the user wrote (see
    /// [`Op::Named`]) and never differentiated.
    pub integers: &'static [usize],
    /// Every other operand (not an integer, not the target) is an array: a float there
    /// (`softmax(2.0, Axis(1))`) is an error on it, not rustc's about dimensions.
    pub arrays: bool,
}

impl Syntax {
    /// Not written by users (leaves, backward-only ops, fused forms).
    pub const INTERNAL: Syntax = Syntax::new(None, None);

    pub const fn method(name: &'static str) -> Syntax {
        Syntax::new(Some(name), None)
    }

    pub const fn function(name: &'static str) -> Syntax {
        Syntax::new(None, Some(name))
    }

    /// Both `x.name()` and `name(x)`.
    pub const fn both(name: &'static str) -> Syntax {
        Syntax::new(Some(name), Some(name))
    }

    pub const fn new(method: Option<&'static str>, function: Option<&'static str>) -> Syntax {
        Syntax {
            method,
            function,
            payload: Payload::None,
            target: None,
            class_labels: false,
            integers: &[],
            arrays: false,
        }
    }

    pub const fn of_arrays(self) -> Syntax {
        Syntax {
            arrays: true,
            ..self
        }
    }

    pub const fn with_integers(self, integers: &'static [usize]) -> Syntax {
        Syntax { integers, ..self }
    }

    pub const fn with_payload(self, payload: Payload) -> Syntax {
        Syntax { payload, ..self }
    }

    pub const fn with_target(self, operand: usize, class_labels: bool) -> Syntax {
        Syntax {
            target: Some(operand),
            class_labels,
            ..self
        }
    }
}

/// The value of an op on `f64` operands; the second argument is the op's payload
/// (`powi`'s exponent), 0 for ops without one.
pub type Eval = fn(&[f64], i64) -> f64;

/// Everything a derivative rule may refer to: the node being differentiated, its
/// operands, its payload and its incoming adjoint.
pub struct Site<'a> {
    pub node: NodeId,
    pub args: &'a [NodeId],
    pub payload: Option<i64>,
    pub adjoint: NodeId,
    pub span: Span,
}

/// A hand-written vector-Jacobian product, for rules a template cannot say (`powi`
/// computes its new exponent).
pub type CustomVjp = fn(&mut dyn Build, &Site) -> NodeId;

/// An op's vector-Jacobian products, one per operand: the contribution of the node's
/// adjoint to each operand's adjoint.
#[derive(Clone, Copy, Debug)]
pub enum Vjp {
    /// Not differentiable here (leaves; backward-only ops are not differentiated again).
    None,
    /// S-expression templates over `?g` (the adjoint), `?out` (the node's value), `?a`
    /// `?b` `?c` (its operands) and `?k` (its payload); `(like ?a)` is something with the
    /// shape of `?a` that survives `?a` being consumed in place.
    Templates(&'static [&'static str]),
    /// Rust functions, one per operand.
    Custom(&'static [CustomVjp]),
    /// One Rust function for every operand `k` of an op that takes any number.
    Variadic(fn(&mut dyn Build, &Site, usize) -> NodeId),
}

/// How an op is written in generated Rust on scalar operands (scalar functions, and the
/// bodies of fused tensor closures).
#[derive(Clone, Copy, Debug)]
pub enum Emit {
    /// Has no scalar form (leaves, array operations).
    None,
    /// `a + b`.
    Infix(&'static str),
    /// `-a`.
    Prefix(&'static str),
    /// `a.name(b, ..)`, the payload written after the receiver: `a.powi(2)`.
    Method(&'static str),
    /// `::cadena::__private::scalar::name(a, ..)`.
    Scalar(&'static str),
    /// A call of a user's function with a hand-written derivative (see `Graph::customs`).
    Custom,
}

/// One row of the op table.
#[derive(Debug)]
pub struct Spec {
    /// The op's name in s-expressions, derivations and the DOT graph.
    pub name: &'static str,
    /// How many operands it takes.
    pub arity: usize,
    pub class: Class,
    pub syntax: Syntax,
    /// What it means on floats: the interpreter and constant folding use this. `None` for
    /// leaves and array operations.
    pub eval: Option<Eval>,
    /// Its derivative in scalar code and, for elementwise ops, in tensor code (where a
    /// contribution to a broadcast operand is summed back to its shape).
    pub vjp: Vjp,
    /// Its derivative in tensor code, where that differs from `vjp`.
    pub tensor_vjp: Option<Vjp>,
    pub emit: Emit,
    /// The vectorisable approximation used inside fused tensor maps
    /// (`::cadena::__private::t::fast::name`).
    pub fast: Option<&'static str>,
    /// The runtime helper on arrays (`::cadena::__private::t::name`), payload as
    /// `Axis(k)` right after the first operand.
    pub tensor: Option<&'static str>,
    /// An `Emit::Method` op with a vectorisable kernel `::cadena::__private::lanes::name`
    /// for `grad_sum`'s chunks (`Emit::Scalar` ops always have one there).
    pub lanes: bool,
    /// The backward run of a loop recomputes this op from its operands rather than
    /// storing its value on the tape (cheap to redo, or an inner loop).
    pub recompute: bool,
}

impl Spec {
    /// Whether the op has a derivative rule, in scalar or in tensor code: reverse mode
    /// passes a silent 0 through one without.
    pub fn has_derivative(&self) -> bool {
        self.tensor_vjp.is_some() || !matches!(self.vjp, Vjp::None)
    }
}

/// A row for an op users never write and that is not differentiated again.
pub(super) const fn internal(name: &'static str, arity: usize, class: Class) -> Spec {
    Spec {
        name,
        arity,
        class,
        syntax: Syntax::INTERNAL,
        eval: None,
        vjp: Vjp::None,
        tensor_vjp: None,
        emit: Emit::None,
        fast: None,
        tensor: Some(name),
        lanes: false,
        recompute: false,
    }
}

/// A row for an elementwise function of one float: `x.name()` or `name(x)`.
pub(super) const fn unary(
    name: &'static str,
    syntax: Syntax,
    eval: fn(&[f64], i64) -> f64,
    derivative: &'static [&'static str],
    emit: Emit,
) -> Spec {
    Spec {
        name,
        arity: 1,
        class: Class::Elementwise,
        syntax,
        eval: Some(eval),
        vjp: Vjp::Templates(derivative),
        tensor_vjp: None,
        emit,
        fast: None,
        tensor: None,
        lanes: false,
        recompute: false,
    }
}

pub(super) const fn with_fast(spec: Spec, fast: &'static str) -> Spec {
    Spec {
        fast: Some(fast),
        ..spec
    }
}

/// A method row whose `lanes::name` kernel exists.
pub(super) const fn with_lanes(spec: Spec) -> Spec {
    Spec {
        lanes: true,
        ..spec
    }
}

impl Op {
    pub fn constant(v: f64) -> Op {
        // One zero: `-0.0` and `0.0` must intern as the same node for folding rules.
        let v = if v == 0.0 { 0.0 } else { v };
        Op::Const(v.to_bits())
    }

    pub fn const_value(&self) -> Option<f64> {
        match self {
            Op::Const(bits) => Some(f64::from_bits(*bits)),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    pub fn class(&self) -> Class {
        self.spec().class
    }

    pub fn is_leaf(&self) -> bool {
        self.class() == Class::Leaf
    }

    /// Applies the same scalar function to every element (or to a scalar): these ops fuse
    /// into one pass over memory.
    pub fn is_elementwise(&self) -> bool {
        self.class() == Class::Elementwise
    }

    /// Produces a value whose type is always a float, whatever its operands.
    pub fn is_reduction(&self) -> bool {
        matches!(self.class(), Class::Loss | Class::Reduction)
    }

    /// The op called `name`, with payload 1 if it takes one: for listings and tests.
    pub fn example(name: &str) -> Option<Op> {
        Op::from_parts(name, None).or_else(|| Op::from_parts(name, Some("1")))
    }

    /// Moves values between shapes without changing them (unbroadcasting, keep-dims):
    /// derivations print such a node as its first operand.
    pub fn is_shape_bookkeeping(&self) -> bool {
        matches!(
            self,
            Op::ShapeOf
                | Op::SumTo
                | Op::BroadcastTo
                | Op::BroadcastAxisTo(_)
                | Op::InsertAxis(_)
                | Op::RemoveAxis(_)
        )
    }

    /// Every op of the table, parameterised ones with payload 1, in table order.
    pub fn examples() -> impl Iterator<Item = Op> {
        Op::NAMES.iter().filter_map(|name| Op::example(name))
    }

    /// Its value on float operands, if it has one.
    pub fn eval(&self, args: &[f64]) -> Option<f64> {
        if let Op::Const(bits) = self {
            return Some(f64::from_bits(*bits));
        }
        let eval = self.spec().eval?;
        Some(eval(args, self.payload().unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_has_a_distinct_name_and_parses_back() {
        for (i, name) in Op::NAMES.iter().enumerate() {
            assert!(!Op::NAMES[..i].contains(name), "{name} is declared twice");
        }
        for op in [
            Op::Exp,
            Op::Powi(3),
            Op::SumAxis(1),
            Op::SoftmaxCrossEntropy,
        ] {
            let payload = op.payload().map(|p| p.to_string());
            assert_eq!(Op::from_parts(op.name(), payload.as_deref()), Some(op));
        }
    }

    #[test]
    fn templates_have_one_entry_per_operand() {
        for name in Op::NAMES {
            let Some(op) = Op::example(name) else {
                continue;
            };
            let spec = op.spec();
            for vjp in [Some(spec.vjp), spec.tensor_vjp].into_iter().flatten() {
                let n = match vjp {
                    // Any number of operands, one rule for all.
                    Vjp::None | Vjp::Variadic(_) => continue,
                    Vjp::Templates(t) => t.len(),
                    Vjp::Custom(f) => f.len(),
                };
                assert_eq!(n, spec.arity, "{name}: one derivative per operand");
            }
        }
    }
}
