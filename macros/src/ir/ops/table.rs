//! The op table: every operation the macro knows, declared once — its name, arity and
//! class, how users write it, what it means on floats, its derivative, and the Rust it
//! becomes. Adding an op is adding a row here and, if it calls a new runtime function,
//! that function (`cadena::ops::scalar` for elementwise kernels).
//!
//! Derivatives are s-expression templates (see [`Vjp::Templates`]): `(* ?g ?out)` reads
//! "the adjoint times the node's own value". Rules reuse forward values wherever the
//! derivative is a function of the output (`exp' = e`, `sigmoid' = a (1 - a)`,
//! `tanh' = 1 - a^2`, `sqrt' = 1 / 2s`), so the backward pass recomputes nothing.

use super::{
    Class, Emit, Payload, Site, Spec, Syntax, Vjp, internal, unary, with_fast, with_lanes,
};
use crate::ir::build::Build;
use crate::ir::graph::NodeId;

/// Generates the `Op` enum (one variant per row, `Name(payload: Type)` for parameterised
/// ops) and its lookups from the rows below.
macro_rules! op_table {
    ($(
        $(#[$doc:meta])*
        $variant:ident $(($payload:ident: $ty:ty))? => $spec:expr;
    )*) => {
        /// What a node computes. Leaves carry an index into the graph's side tables.
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        pub enum Op {
            $( $(#[$doc])* $variant $(($ty))?, )*
        }

        /// The variants without their payloads, in table order: an index into `SPECS`.
        #[derive(Clone, Copy)]
        enum Code {
            $( $variant, )*
        }

        static SPECS: &[Spec] = &[$( $spec, )*];
        const CODES: &[Code] = &[$( Code::$variant, )*];

        impl Op {
            /// Every op's name, in table order.
            pub const NAMES: &'static [&'static str] = &[$( $spec.name, )*];

            /// This op's row of the table.
            pub fn spec(&self) -> &'static Spec {
                let code = match self {
                    $( Op::$variant { .. } => Code::$variant, )*
                };
                &SPECS[code as usize]
            }

            /// The integer a parameterised op carries (`powi`'s exponent, an axis).
            pub fn payload(&self) -> Option<i64> {
                match self {
                    $( Op::$variant $(($payload))? => op_table!(@payload $($payload)?), )*
                }
            }

            /// The op called `name`, with its payload written as text: the inverse of
            /// [`name`](Op::name) and [`payload`](Op::payload).
            pub fn from_parts(name: &str, payload: Option<&str>) -> Option<Op> {
                let at = SPECS.iter().position(|s| s.name == name)?;
                match CODES[at] {
                    $( Code::$variant => op_table!(@make $variant payload $($ty)?), )*
                }
            }
        }
    };
    (@payload $p:ident) => { Some(*$p as i64) };
    (@payload) => { None };
    (@make $v:ident $p:ident $t:ty) => { Some(Op::$v($p?.parse::<$t>().ok()?)) };
    (@make $v:ident $p:ident) => { $p.is_none().then_some(Op::$v) };
}

op_table! {
    // Leaves.
    /// A function argument (index into [`Graph::inputs`](crate::ir::graph::Graph::inputs)).
    Input(index: u32) => Spec { tensor: None, ..internal("input", 0, Class::Leaf) };
    /// A float literal, stored as `f64` bits so the op can be hashed.
    Const(bits: u64) => Spec { tensor: None, ..internal("const", 0, Class::Leaf) };
    /// A constant from scope (`PI`, `SCALE`): opaque, never differentiated.
    Named(index: u32) => Spec { tensor: None, ..internal("named", 0, Class::Leaf) };
    /// The result of a call whose callee's body the expansion does not know yet. Lowering
    /// goes on only to find the other calls, and the expansion starts again with the
    /// body (lowering's `Lowering::Needs`): nothing differentiates or emits it.
    Pending => Spec { tensor: None, ..internal("pending", 0, Class::Leaf) };

    // Arithmetic.
    Add => Spec {
        name: "+", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| x[0] + x[1]),
        vjp: Vjp::Templates(&["?g", "?g"]), tensor_vjp: None,
        emit: Emit::Infix("+"), fast: None, tensor: None, lanes: false, recompute: true,
    };
    Sub => Spec {
        name: "-", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| x[0] - x[1]),
        vjp: Vjp::Templates(&["?g", "(neg ?g)"]), tensor_vjp: None,
        emit: Emit::Infix("-"), fast: None, tensor: None, lanes: false, recompute: true,
    };
    Mul => Spec {
        name: "*", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| x[0] * x[1]),
        vjp: Vjp::Templates(&["(* ?g ?b)", "(* ?g ?a)"]), tensor_vjp: None,
        emit: Emit::Infix("*"), fast: None, tensor: None, lanes: false, recompute: true,
    };
    // d(a/b)/db = -(a/b)/b: reuses the quotient.
    Div => Spec {
        name: "/", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| x[0] / x[1]),
        vjp: Vjp::Templates(&["(/ ?g ?b)", "(neg (/ (* ?g ?out) ?b))"]), tensor_vjp: None,
        emit: Emit::Infix("/"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    Neg => Spec {
        name: "neg", arity: 1, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| -x[0]),
        vjp: Vjp::Templates(&["(neg ?g)"]), tensor_vjp: None,
        emit: Emit::Prefix("-"), fast: None, tensor: None, lanes: false, recompute: true,
    };

    // Elementwise functions.
    Exp => with_lanes(with_fast(unary("exp", Syntax::both("exp"), |x, _| x[0].exp(),
        &["(* ?g ?out)"], Emit::Method("exp")), "exp"));
    Ln => with_lanes(unary("ln", Syntax::both("ln"), |x, _| x[0].ln(),
        &["(* ?g (/ 1 ?a))"], Emit::Method("ln")));
    // The constants are ln 10 and ln 2.
    Log10 => unary("log10", Syntax::method("log10"), |x, _| x[0].log10(),
        &["(* ?g (/ 1 (* 2.302585092994046 ?a)))"], Emit::Method("log10"));
    Log2 => unary("log2", Syntax::method("log2"), |x, _| x[0].log2(),
        &["(* ?g (/ 1 (* 0.6931471805599453 ?a)))"], Emit::Method("log2"));
    Sqrt => unary("sqrt", Syntax::both("sqrt"), |x, _| x[0].sqrt(),
        &["(* ?g (/ 1 (* 2 ?out)))"], Emit::Method("sqrt"));
    Sin => unary("sin", Syntax::method("sin"), |x, _| x[0].sin(),
        &["(* ?g (cos ?a))"], Emit::Method("sin"));
    Cos => unary("cos", Syntax::method("cos"), |x, _| x[0].cos(),
        &["(* ?g (neg (sin ?a)))"], Emit::Method("cos"));
    // tan' = 1 + tan^2
    Tan => unary("tan", Syntax::method("tan"), |x, _| x[0].tan(),
        &["(* ?g (+ 1 (powi ?out 2)))"], Emit::Method("tan"));
    // tanh' = 1 - tanh^2 (emitted as (1 - a)(1 + a))
    Tanh => with_lanes(with_fast(unary("tanh", Syntax::both("tanh"), |x, _| x[0].tanh(),
        &["(* ?g (- 1 (powi ?out 2)))"], Emit::Method("tanh")), "tanh"));
    Abs => unary("abs", Syntax::method("abs"), |x, _| x[0].abs(),
        &["(* ?g (sign ?a))"], Emit::Method("abs"));
    Ln1p => with_lanes(unary("ln_1p", Syntax::method("ln_1p"), |x, _| x[0].ln_1p(),
        &["(* ?g (/ 1 (+ 1 ?a)))"], Emit::Method("ln_1p")));
    // exp_m1' = e^x = exp_m1(x) + 1
    ExpM1 => with_lanes(unary("exp_m1", Syntax::method("exp_m1"), |x, _| x[0].exp_m1(),
        &["(* ?g (+ ?out 1))"], Emit::Method("exp_m1")));
    // recip' = -1/x^2 = -(recip^2)
    Recip => unary("recip", Syntax::method("recip"), |x, _| x[0].recip(),
        &["(* ?g (neg (powi ?out 2)))"], Emit::Method("recip"));
    // sigmoid' = a (1 - a)
    Sigmoid => with_fast(unary("sigmoid", Syntax::function("sigmoid"), |x, _| sigmoid(x[0]),
        &["(* ?g (* ?out (- 1 ?out)))"], Emit::Scalar("sigmoid")), "sigmoid");
    Relu => unary("relu", Syntax::function("relu"), |x, _| x[0].max(0.0),
        &["(* ?g (step ?a))"], Emit::Scalar("relu"));
    Softplus => unary("softplus", Syntax::function("softplus"), |x, _| softplus(x[0]),
        &["(* ?g (sigmoid ?a))"], Emit::Scalar("softplus"));
    // softsign' = 1 / (1 + |x|)^2 = (1 - |softsign|)^2
    Softsign => unary("softsign", Syntax::function("softsign"), |x, _| x[0] / (1.0 + x[0].abs()),
        &["(* ?g (powi (- 1 (abs ?out)) 2))"], Emit::Scalar("softsign"));
    /// `1` where the argument is `> 0`, else `0`: the derivative of `relu`.
    Step => unary("step", Syntax::INTERNAL, |x, _| if x[0] > 0.0 { 1.0 } else { 0.0 },
        &["(* ?g 0)"], Emit::Scalar("step"));
    /// `-1`, `0` or `1`: the derivative of `abs`.
    Sign => unary("sign", Syntax::INTERNAL, |x, _| sign(x[0]),
        &["(* ?g 0)"], Emit::Scalar("sign"));
    /// `x.powi(n)` with a literal exponent.
    Powi(n: i32) => Spec {
        name: "powi", arity: 1, class: Class::Elementwise,
        syntax: Syntax::method("powi").with_payload(Payload::Exponent),
        eval: Some(|x, n| x[0].powi(n as i32)),
        vjp: Vjp::Custom(&[powi_vjp]), tensor_vjp: None,
        emit: Emit::Method("powi"), fast: None, tensor: None, lanes: false, recompute: true,
    };
    // d(x^p)/dx = p x^(p-1); d(x^p)/dp = x^p ln x, reusing the power.
    Powf => Spec {
        name: "powf", arity: 2, class: Class::Elementwise, syntax: Syntax::method("powf"),
        eval: Some(|x, _| x[0].powf(x[1])),
        vjp: Vjp::Templates(&["(* ?g (* ?b (powf ?a (- ?b 1))))", "(* ?g (* ?out (ln ?a)))"]),
        tensor_vjp: None, emit: Emit::Method("powf"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    // Ties go to the first operand, as `f64::max` returns it.
    Max => Spec {
        name: "max", arity: 2, class: Class::Elementwise, syntax: Syntax::method("max"),
        eval: Some(|x, _| x[0].max(x[1])),
        vjp: Vjp::Templates(&["(* ?g (ge ?a ?b))", "(* ?g (- 1 (ge ?a ?b)))"]),
        tensor_vjp: None, emit: Emit::Method("max"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    Min => Spec {
        name: "min", arity: 2, class: Class::Elementwise, syntax: Syntax::method("min"),
        eval: Some(|x, _| x[0].min(x[1])),
        vjp: Vjp::Templates(&["(* ?g (le ?a ?b))", "(* ?g (- 1 (le ?a ?b)))"]),
        tensor_vjp: None, emit: Emit::Method("min"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// A call of a function with a hand-written derivative (index into
    /// [`Graph::customs`](crate::ir::graph::Graph::customs)); any number of operands.
    Custom(index: u32) => Spec {
        name: "custom", arity: 0, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::Variadic(custom_vjp), tensor_vjp: None,
        emit: Emit::Custom, fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// Partial derivative `k` of a custom function `i`, from its hand-written rule; the
    /// payload is `16 i + k`.
    CustomPartial(code: u32) => Spec {
        name: "custom_partial", arity: 0, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::None, tensor_vjp: None,
        emit: Emit::Custom, fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// A `for` loop (index into [`Graph::loops`](crate::ir::graph::Graph::loops)): operands
    /// the carried value's start, the loop-invariant values the body reads, then the
    /// collections it iterates.
    Loop(index: u32) => Spec {
        name: "loop", arity: 0, class: Class::Loop, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::Variadic(loop_vjp), tensor_vjp: None,
        emit: Emit::None, fast: None, tensor: None, lanes: false, recompute: true,
    };
    /// Carried value `j` after a loop that carries several (the `Loop` node is then their
    /// tuple). Its adjoint is read by the loop's own derivative (`reverse::sweep`).
    LoopOut(carried: u32) => Spec { tensor: None, ..internal("loop_out", 1, Class::Backward) };
    /// The loop run backwards: operands the loop, its adjoints (one per carried value),
    /// and the loop's own operands (kept alive for the backward iterations: the first
    /// reads the starts); its value holds the adjoint of every loop operand.
    LoopBack(index: u32) => Spec { tensor: None, ..internal("loop_back", 0, Class::Backward) };
    /// Operand `k`'s adjoint, out of a `LoopBack`.
    LoopPart(operand: u32) => Spec { tensor: None, ..internal("loop_part", 1, Class::Backward) };
    /// `1` where `max(a, b)` is `a` (`a >= b`, or `b` is NaN), else `0`: routes `max`.
    GreaterEq => Spec {
        name: "ge", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| if x[0] >= x[1] || (x[1].is_nan() && !x[0].is_nan()) { 1.0 } else { 0.0 }),
        vjp: Vjp::Templates(&["(* ?g 0)", "(* ?g 0)"]), tensor_vjp: None,
        emit: Emit::Scalar("ge"), fast: None, tensor: None, lanes: false, recompute: true,
    };
    /// `1` where `min(a, b)` is `a` (`a <= b`, or `b` is NaN), else `0`: routes `min`.
    LessEq => Spec {
        name: "le", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| if x[0] <= x[1] || (x[1].is_nan() && !x[0].is_nan()) { 1.0 } else { 0.0 }),
        vjp: Vjp::Templates(&["(* ?g 0)", "(* ?g 0)"]), tensor_vjp: None,
        emit: Emit::Scalar("le"), fast: None, tensor: None, lanes: false, recompute: true,
    };

    // Losses: elementwise on floats, means over all elements on arrays.
    /// `bce(a, y)` on a probability. d/da = (a - y) / (a (1 - a)); d/dy = ln(1 - a) - ln a.
    Bce => Spec {
        name: "bce", arity: 2, class: Class::Loss,
        syntax: Syntax::function("bce").with_target(1, false),
        eval: Some(|x, _| -(x[1] * x[0].ln() + (1.0 - x[1]) * (-x[0]).ln_1p())),
        vjp: Vjp::Templates(&[
            "(* ?g (/ (- ?a ?b) (* ?a (- 1 ?a))))",
            "(* ?g (- (ln_1p (neg ?a)) (ln ?a)))",
        ]),
        tensor_vjp: Some(Vjp::Templates(&["(sum_to (bce_vjp_a ?a ?b ?g) (like ?a))", "0"])),
        emit: Emit::Scalar("bce"), fast: None, tensor: Some("bce"), lanes: false, recompute: false,
    };
    /// `bce(sigmoid(z), y)` computed from the logit `z`: d/dz = sigmoid(z) - y, the
    /// `a - y` of the course.
    BceLogits => Spec {
        name: "bce_logits", arity: 2, class: Class::Loss,
        syntax: Syntax::INTERNAL.with_target(1, false),
        eval: Some(|x, _| softplus(x[0]) - x[1] * x[0]),
        vjp: Vjp::Templates(&["(* ?g (bce_logits_grad ?a ?b))", "(* ?g (neg ?a))"]),
        tensor_vjp: Some(Vjp::Templates(&["(sum_to (bce_logits_vjp ?a ?b ?g) (like ?a))", "0"])),
        emit: Emit::Scalar("bce_logits"), fast: None, tensor: Some("bce_logits"), lanes: false, recompute: false,
    };
    /// `sigmoid(z) - y`, the `a - y` of the course, computed as
    /// `(1 - y) sigmoid(z) - y sigmoid(-z)`: exact where the label is 0 or 1 however large
    /// `|z|` is. Derivations print it `a - y`.
    BceLogitsGrad => Spec {
        name: "bce_logits_grad", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| (1.0 - x[1]) * sigmoid(x[0]) - x[1] * sigmoid(-x[0])),
        vjp: Vjp::Templates(&[
            "(* ?g (* (sigmoid ?a) (- 1 (sigmoid ?a))))",
            "(neg ?g)",
        ]),
        tensor_vjp: None, emit: Emit::Scalar("bce_logits_grad"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// `(a - y)^2`: d/da = 2 (a - y).
    Mse => Spec {
        name: "mse", arity: 2, class: Class::Loss, syntax: Syntax::function("mse"),
        eval: Some(|x, _| (x[0] - x[1]) * (x[0] - x[1])),
        vjp: Vjp::Templates(&["(* ?g (* 2 (- ?a ?b)))", "(* ?g (* -2 (- ?a ?b)))"]),
        tensor_vjp: Some(Vjp::Templates(&[
            "(sum_to (mse_vjp ?a ?b ?g) (like ?a))",
            "(sum_to (neg (mse_vjp ?a ?b ?g)) (like ?b))",
        ])),
        emit: Emit::Scalar("mse"), fast: None, tensor: Some("mse"), lanes: false, recompute: false,
    };

    // Array operations.
    /// Matrix product `a.dot(&b)`.
    Dot => Spec {
        name: "dot", arity: 2, class: Class::Array, syntax: Syntax::both("dot").of_arrays(), eval: None,
        vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(dot_vjp_lhs ?g ?b)", "(dot_vjp_rhs ?a ?g)"])),
        emit: Emit::None, fast: None, tensor: Some("dot"), lanes: false, recompute: false,
    };
    /// `x.t()`.
    Transpose => Spec {
        name: "transpose", arity: 1, class: Class::Array, syntax: Syntax::method("t"),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(transpose ?g)"])),
        emit: Emit::None, fast: None, tensor: Some("t"), lanes: false, recompute: true,
    };
    /// Sum of all elements.
    Sum => Spec {
        name: "sum", arity: 1, class: Class::Reduction, syntax: Syntax::both("sum"),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(broadcast_to ?g (like ?a))"])),
        emit: Emit::None, fast: None, tensor: Some("sum"), lanes: false, recompute: false,
    };
    /// Mean of all elements.
    Mean => Spec {
        name: "mean", arity: 1, class: Class::Reduction, syntax: Syntax::function("mean"),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(mean_vjp ?g (like ?a))"])),
        emit: Emit::None, fast: None, tensor: Some("mean"), lanes: false, recompute: false,
    };
    /// Sum along an axis.
    SumAxis(axis: usize) => Spec {
        name: "sum_axis", arity: 1, class: Class::Array,
        syntax: Syntax::method("sum_axis").with_payload(Payload::Axis).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(broadcast_axis_to ?g (like ?a) ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("sum_axis"), lanes: false, recompute: false,
    };
    /// Mean along an axis.
    MeanAxis(axis: usize) => Spec {
        name: "mean_axis", arity: 1, class: Class::Array,
        syntax: Syntax::method("mean_axis").with_payload(Payload::Axis).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(mean_axis_vjp ?g (like ?a) ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("mean_axis"), lanes: false, recompute: false,
    };
    /// `x.insert_axis(Axis(k))`: a length-1 axis, so that per-row statistics broadcast
    /// against the rows (`x - x.mean_axis(Axis(1)).insert_axis(Axis(1))`).
    InsertAxis(axis: usize) => Spec {
        name: "insert_axis", arity: 1, class: Class::Array,
        syntax: Syntax::method("insert_axis").with_payload(Payload::Axis),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(remove_axis ?g ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("insert_axis"), lanes: false, recompute: false,
    };
    /// Softmax along the last axis.
    Softmax => Spec {
        name: "softmax", arity: 1, class: Class::Array, syntax: Syntax::function("softmax").of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(softmax_vjp ?out ?g)"])),
        emit: Emit::None, fast: None, tensor: Some("softmax"), lanes: false, recompute: false,
    };
    /// Log-softmax along the last axis.
    LogSoftmax => Spec {
        name: "log_softmax", arity: 1, class: Class::Array,
        syntax: Syntax::function("log_softmax").of_arrays(), eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(log_softmax_vjp ?out ?g)"])),
        emit: Emit::None, fast: None, tensor: Some("log_softmax"), lanes: false, recompute: false,
    };
    /// `softmax_cross_entropy(z, y)`, from logits, mean over rows.
    SoftmaxCrossEntropy => Spec {
        name: "softmax_cross_entropy", arity: 2, class: Class::Reduction,
        syntax: Syntax::function("softmax_cross_entropy").with_target(1, true).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(softmax_cross_entropy_vjp ?a ?b ?g)", "0"])),
        emit: Emit::None, fast: None, tensor: Some("softmax_cross_entropy"), lanes: false, recompute: false,
    };
    /// `cross_entropy(p, y)` on probabilities, mean over rows.
    CrossEntropy => Spec {
        name: "cross_entropy", arity: 2, class: Class::Reduction,
        syntax: Syntax::function("cross_entropy").with_target(1, true).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(cross_entropy_vjp_p ?a ?b ?g)", "0"])),
        emit: Emit::None, fast: None, tensor: Some("cross_entropy"), lanes: false, recompute: false,
    };

    /// `if c { a } else { b }` on values: `c` is a condition (1 or 0, from a comparison or
    /// from integers), both arms are computed, and the adjoint flows into the taken arm
    /// only (the other gets an exact 0, not a product with 0).
    IfElse => Spec {
        name: "if_else", arity: 3, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| if x[0] != 0.0 { x[1] } else { x[2] }),
        vjp: Vjp::Templates(&["0", "(if_else ?a ?g 0)", "(if_else ?a 0 ?g)"]), tensor_vjp: None,
        emit: Emit::Scalar("if_else"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// `guard(g, c)`: `c` unless the adjoint `g` is exactly 0, then 0. The reverse sweep
    /// wraps contributions inside `if` arms with it, so the arm not taken adds 0 even
    /// where its local derivatives are not finite.
    Guard => Spec {
        name: "guard", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| if x[0] == 0.0 { 0.0 } else { x[1] }),
        vjp: Vjp::Templates(&["0", "(guard ?a ?g)"]), tensor_vjp: None,
        emit: Emit::Scalar("guard"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// A comparison `a > b` (the payload says which, see `Comparison`): 1 or 0.
    Compare(code: u8) => Spec {
        name: "compare", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, code| if compare(x[0], code, x[1]) { 1.0 } else { 0.0 }),
        vjp: Vjp::Templates(&["0", "0"]), tensor_vjp: None,
        emit: Emit::Scalar("compare"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// `maximum(&a, &b)`: the larger of each pair, NaN if either is (numpy's name and
    /// rule). Ties split the gradient evenly.
    Maximum => Spec {
        name: "maximum", arity: 2, class: Class::Elementwise, syntax: Syntax::function("maximum"),
        eval: Some(|x, _| if x[0].is_nan() || x[1].is_nan() { f64::NAN } else { x[0].max(x[1]) }),
        vjp: Vjp::Templates(&["(* ?g (above ?a ?b))", "(* ?g (above ?b ?a))"]),
        tensor_vjp: None, emit: Emit::Scalar("maximum"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// `minimum(&a, &b)`: the smaller of each pair, NaN if either is.
    Minimum => Spec {
        name: "minimum", arity: 2, class: Class::Elementwise, syntax: Syntax::function("minimum"),
        eval: Some(|x, _| if x[0].is_nan() || x[1].is_nan() { f64::NAN } else { x[0].min(x[1]) }),
        vjp: Vjp::Templates(&["(* ?g (above ?b ?a))", "(* ?g (above ?a ?b))"]),
        tensor_vjp: None, emit: Emit::Scalar("minimum"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// `1` where the first operand is the larger, `0.5` on a tie, `0` below: the share of
    /// `maximum`'s gradient that goes to it.
    Above => Spec {
        name: "above", arity: 2, class: Class::Elementwise, syntax: Syntax::INTERNAL,
        eval: Some(|x, _| above(x[0], x[1])),
        vjp: Vjp::Templates(&["(* ?g 0)", "(* ?g 0)"]), tensor_vjp: None,
        emit: Emit::Scalar("above"), fast: None, tensor: None, lanes: false, recompute: false,
    };
    /// The largest element along an axis: `max_axis(&x, Axis(k))`.
    MaxAxis(axis: usize) => Spec {
        name: "max_axis", arity: 1, class: Class::Array,
        syntax: Syntax::function("max_axis").with_payload(Payload::Axis).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(extremum_axis_vjp ?g ?a ?out ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("max_axis"), lanes: false, recompute: false,
    };
    /// The smallest element along an axis.
    MinAxis(axis: usize) => Spec {
        name: "min_axis", arity: 1, class: Class::Array,
        syntax: Syntax::function("min_axis").with_payload(Payload::Axis).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(extremum_axis_vjp ?g ?a ?out ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("min_axis"), lanes: false, recompute: false,
    };
    /// `ln Σ e^x` along an axis, max-subtracted: its gradient is the softmax along it.
    LogSumExp(axis: usize) => Spec {
        name: "logsumexp", arity: 1, class: Class::Array,
        syntax: Syntax::function("logsumexp").with_payload(Payload::Axis).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(logsumexp_vjp ?g ?a ?out ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("logsumexp"), lanes: false, recompute: false,
    };
    /// `x.slice(s![..])`: a copy of the region; its gradient is scattered back into
    /// zeros of `x`'s shape.
    Slice => Spec {
        name: "slice", arity: 2, class: Class::Array,
        syntax: Syntax::method("slice").with_integers(&[1]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(slice_vjp ?g (like ?a) ?b)", "0"])),
        emit: Emit::None, fast: None, tensor: Some("slice"), lanes: false, recompute: false,
    };
    /// `x.index_axis(Axis(k), i)` (and `x.row(i)`, `x.column(j)`): the subview at `i`.
    IndexAxis(axis: usize) => Spec {
        name: "index_axis", arity: 2, class: Class::Array,
        syntax: Syntax::method("index_axis").with_payload(Payload::Axis).with_integers(&[1]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(index_axis_vjp ?g (like ?a) ?b ?k)", "0"])),
        emit: Emit::None, fast: None, tensor: Some("index_axis"), lanes: false, recompute: false,
    };
    /// `x.select(Axis(k), ids)`: an embedding lookup; repeated ids add their gradients.
    Select(axis: usize) => Spec {
        name: "select", arity: 2, class: Class::Array,
        syntax: Syntax::method("select").with_payload(Payload::Axis).with_integers(&[1]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(select_vjp ?g (like ?a) ?b ?k)", "0"])),
        emit: Emit::None, fast: None, tensor: Some("select"), lanes: false, recompute: false,
    };
    /// `concatenate![Axis(k), a, b, ..]` (or the function form): any number of operands.
    Concatenate(axis: usize) => Spec {
        name: "concatenate", arity: 0, class: Class::Array, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::None, tensor_vjp: Some(Vjp::Variadic(concatenate_vjp)),
        emit: Emit::None, fast: None, tensor: Some("concatenate"), lanes: false, recompute: false,
    };
    /// `stack![Axis(k), a, b, ..]` (or the function form): any number of operands.
    Stack(axis: usize) => Spec {
        name: "stack", arity: 0, class: Class::Array, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::None, tensor_vjp: Some(Vjp::Variadic(stack_vjp)),
        emit: Emit::None, fast: None, tensor: Some("stack"), lanes: false, recompute: false,
    };
    /// `stack(Axis(k), &outs)` of the `Vec` a loop pushed one value per step onto.
    StackSeq(axis: usize) => Spec {
        name: "stack_seq", arity: 1, class: Class::Array, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(unstack_seq ?g ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("stack_seq"), lanes: false, recompute: false,
    };
    /// `concatenate(Axis(k), &outs)` of the `Vec` a loop pushed one value per step onto.
    ConcatenateSeq(axis: usize) => Spec {
        name: "concatenate_seq", arity: 1, class: Class::Array, syntax: Syntax::INTERNAL,
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(unconcatenate_seq ?g ?a ?k)"])),
        emit: Emit::None, fast: None, tensor: Some("concatenate_seq"), lanes: false,
        recompute: false,
    };
    /// `conv1d(&x, &w, &b, stride, padding)`, PyTorch's layout: x (batch, c_in, length),
    /// w (c_out, c_in, k), b (c_out).
    Conv1d => Spec {
        name: "conv1d", arity: 5, class: Class::Array,
        syntax: Syntax::function("conv1d").with_integers(&[3, 4]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv1d_vjp_x ?g ?b (like ?a) ?d ?e)",
            "(conv1d_vjp_w ?g ?a (like ?b) ?d ?e)",
            "(conv1d_vjp_b ?g (like ?c))",
            "0",
            "0",
        ])),
        emit: Emit::None, fast: None, tensor: Some("conv1d"), lanes: false, recompute: false,
    };
    /// `conv2d(&x, &w, &b, (sh, sw), (ph, pw))`: x (batch, c_in, h, w), w (c_out, c_in,
    /// kh, kw).
    Conv2d => Spec {
        name: "conv2d", arity: 5, class: Class::Array,
        syntax: Syntax::function("conv2d").with_integers(&[3, 4]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv2d_vjp_x ?g ?b (like ?a) ?d ?e)",
            "(conv2d_vjp_w ?g ?a (like ?b) ?d ?e)",
            "(conv2d_vjp_b ?g (like ?c))",
            "0",
            "0",
        ])),
        emit: Emit::None, fast: None, tensor: Some("conv2d"), lanes: false, recompute: false,
    };
    /// `max_pool1d(&x, kernel, stride)` on (batch, channels, length).
    MaxPool1d => Spec {
        name: "max_pool1d", arity: 3, class: Class::Array,
        syntax: Syntax::function("max_pool1d").with_integers(&[1, 2]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(max_pool1d_vjp ?g ?a ?b ?c)", "0", "0"])),
        emit: Emit::None, fast: None, tensor: Some("max_pool1d"), lanes: false, recompute: false,
    };
    /// `avg_pool1d(&x, kernel, stride)`.
    AvgPool1d => Spec {
        name: "avg_pool1d", arity: 3, class: Class::Array,
        syntax: Syntax::function("avg_pool1d").with_integers(&[1, 2]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(avg_pool1d_vjp ?g (like ?a) ?b ?c)", "0", "0"])),
        emit: Emit::None, fast: None, tensor: Some("avg_pool1d"), lanes: false, recompute: false,
    };
    /// `max_pool2d(&x, (kh, kw), (sh, sw))` on (batch, channels, h, w).
    MaxPool2d => Spec {
        name: "max_pool2d", arity: 3, class: Class::Array,
        syntax: Syntax::function("max_pool2d").with_integers(&[1, 2]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(max_pool2d_vjp ?g ?a ?b ?c)", "0", "0"])),
        emit: Emit::None, fast: None, tensor: Some("max_pool2d"), lanes: false, recompute: false,
    };
    /// `avg_pool2d(&x, (kh, kw), (sh, sw))`.
    AvgPool2d => Spec {
        name: "avg_pool2d", arity: 3, class: Class::Array,
        syntax: Syntax::function("avg_pool2d").with_integers(&[1, 2]).of_arrays(),
        eval: None, vjp: Vjp::None,
        tensor_vjp: Some(Vjp::Templates(&["(avg_pool2d_vjp ?g (like ?a) ?b ?c)", "0", "0"])),
        emit: Emit::None, fast: None, tensor: Some("avg_pool2d"), lanes: false, recompute: false,
    };

    // Backward-only operations, created by the derivative templates above. Those with a
    // `tensor_vjp` can be differentiated again, for `hvp` on tensor functions.
    /// The shape of a value, kept so the value itself can be consumed in place.
    ShapeOf => internal("shape_of", 1, Class::Backward);
    /// `sum_to(g, like)`: sums a gradient back to the shape of a broadcast operand.
    SumTo => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(broadcast_to ?g (like ?a))", "0"])),
        ..internal("sum_to", 2, Class::Backward)
    };
    /// `broadcast_to(g, like)`: the adjoint of `sum`.
    BroadcastTo => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(sum_to ?g (like ?a))", "0"])),
        ..internal("broadcast_to", 2, Class::Backward)
    };
    /// The adjoint of `sum_axis`.
    BroadcastAxisTo(axis: usize) => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(sum_axis ?g ?k)", "0"])),
        ..internal("broadcast_axis_to", 2, Class::Backward)
    };
    /// The adjoint of `insert_axis`.
    RemoveAxis(axis: usize) => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(insert_axis ?g ?k)"])),
        ..internal("remove_axis", 1, Class::Backward)
    };
    /// The adjoint of `mean`.
    MeanVjp => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(mean ?g)", "0"])),
        ..internal("mean_vjp", 2, Class::Backward)
    };
    /// The adjoint of `mean_axis`.
    MeanAxisVjp(axis: usize) => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(mean_axis ?g ?k)", "0"])),
        ..internal("mean_axis_vjp", 2, Class::Backward)
    };
    /// `g · bᵀ`: the adjoint of `a` in `a · b`.
    DotVjpLhs => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(dot ?g ?b)", "(dot_vjp_rhs ?g ?a)"])),
        ..internal("dot_vjp_lhs", 2, Class::Backward)
    };
    /// `aᵀ · g`: the adjoint of `b` in `a · b`.
    DotVjpRhs => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(dot_vjp_lhs ?b ?g)", "(dot ?a ?g)"])),
        ..internal("dot_vjp_rhs", 2, Class::Backward)
    };
    /// `p * (g - sum(g * p))` along the last axis.
    SoftmaxVjp => Spec {
        // Against `p`: `c (g - Σ g p) - g Σ c p`; against `g`: `p (c - Σ c p)`, the op
        // itself on the cotangent (the sums along the last axis, broadcast back).
        tensor_vjp: Some(Vjp::Templates(&[
            "(- (* ?g (- ?b (lane_sums (* ?b ?a)))) (* ?b (lane_sums (* ?g ?a))))",
            "(softmax_vjp ?a ?g)",
        ])),
        ..internal("softmax_vjp", 2, Class::Backward)
    };
    /// `g - softmax * sum(g)` along the last axis.
    LogSoftmaxVjp => Spec {
        // Against `lp`: `-c e^lp Σ g`; against `g`: `c - Σ c e^lp`.
        tensor_vjp: Some(Vjp::Templates(&[
            "(neg (* ?g (* (exp ?a) (lane_sums ?b))))",
            "(- ?g (lane_sums (* ?g (exp ?a))))",
        ])),
        ..internal("log_softmax_vjp", 2, Class::Backward)
    };
    /// Each element replaced by its lane's sum along the last axis: the softmaxes'
    /// second derivatives. Symmetric, so its own adjoint.
    LaneSums => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(lane_sums ?g)"])),
        ..internal("lane_sums", 1, Class::Backward)
    };
    /// `g (softmax(z) - y) / n`.
    SoftmaxCrossEntropyVjp => Spec {
        // `(g/n)(p - y)` with `p = softmax(z)`: against `z`, `(g/n) J_pᵀ c`, which is the
        // op itself with targets `p - J_pᵀ c`; against `g`, `sum(c (p - y) / n)`.
        tensor_vjp: Some(Vjp::Templates(&[
            "(softmax_cross_entropy_vjp ?a (- (softmax ?a) (softmax_vjp (softmax ?a) ?g)) ?c)",
            "0",
            "(sum (* ?g (softmax_cross_entropy_vjp ?a ?b 1)))",
        ])),
        ..internal("softmax_cross_entropy_vjp", 3, Class::Backward)
    };
    /// `-g y / (p n)`.
    CrossEntropyVjp => Spec {
        // `f = -g y / (p n)`: against `p`, `-c f / p`; against `g`, `Σ c f / g`, the op
        // with `g = 1`. The targets get no gradient, as in the first derivative.
        tensor_vjp: Some(Vjp::Templates(&[
            "(neg (/ (* ?g ?out) ?a))",
            "0",
            "(sum (* ?g (cross_entropy_vjp_p ?a ?b 1)))",
        ])),
        ..internal("cross_entropy_vjp_p", 3, Class::Backward)
    };
    /// `g (a - y) / (a (1 - a) n)`.
    BceVjp => Spec {
        // `f = (g/n)(a - y)/D`, `D = a (1 - a)`: `df/da = ((g/n) - f (1 - 2a)) / D`, `g/n`
        // spread over the broadcast shape by `mean_vjp`.
        tensor_vjp: Some(Vjp::Templates(&[
            "(sum_to (* ?g (/ (- (mean_vjp ?c (like ?out)) (* ?out (- 1 (* 2 ?a)))) (* ?a (- 1 ?a)))) (like ?a))",
            "0",
            "(sum (* ?g (bce_vjp_a ?a ?b 1)))",
        ])),
        ..internal("bce_vjp_a", 3, Class::Backward)
    };
    /// `g (sigmoid(z) - y) / n`.
    BceLogitsVjp => Spec {
        // Against `z`: `(g/n) sigmoid(z) sigmoid(-z)` (both factors kept, never `1 - s`).
        tensor_vjp: Some(Vjp::Templates(&[
            "(sum_to (* ?g (* (mean_vjp ?c (like ?out)) (* (sigmoid ?a) (sigmoid (neg ?a))))) (like ?a))",
            "0",
            "(sum (* ?g (bce_logits_vjp ?a ?b 1)))",
        ])),
        ..internal("bce_logits_vjp", 3, Class::Backward)
    };
    /// `2 g (a - y) / n`.
    MseVjp => Spec {
        // Linear in `a - y` and in `g`: its own form gives its derivatives.
        tensor_vjp: Some(Vjp::Templates(&[
            "(mse_vjp ?g 0 ?c)",
            "(neg (mse_vjp ?g 0 ?c))",
            "(sum (* ?g (mse_vjp ?a ?b 1)))",
        ])),
        ..internal("mse_vjp", 3, Class::Backward)
    };
    /// The adjoint of `max_axis`/`min_axis`: to the extremum of each lane.
    ExtremumAxisVjp(axis: usize) => Spec {
        // Linear in `g` (each lane's gradient shared among its tied extrema, which do not
        // move with `x` almost everywhere): its adjoint is the mean of the cotangent over
        // those places, the op's own weights (its gradient of ones) times it, summed.
        tensor_vjp: Some(Vjp::Templates(&[
            "(sum_axis (* ?g (extremum_axis_vjp (broadcast_to 1 (like ?c)) ?b ?c ?k)) ?k)",
            "0",
            "0",
        ])),
        ..internal("extremum_axis_vjp", 3, Class::Backward)
    };
    /// `g · softmax(x)` along the axis: the adjoint of `logsumexp`.
    LogSumExpVjp(axis: usize) => Spec {
        // `g · p` with `p = softmax(x)` along the axis, `e^(x - out)` (the runtime
        // recomputes `p` from `x` alone, so the derivative in `out` is 0 and the one in `x`
        // is the softmax Jacobian's: `g p (c - Σ p c)`).
        tensor_vjp: Some(Vjp::Templates(&[
            "(sum_axis (* ?g (exp (- ?b (insert_axis ?c ?k)))) ?k)",
            "(* (* (insert_axis ?a ?k) (exp (- ?b (insert_axis ?c ?k)))) (- ?g (insert_axis (sum_axis (* (exp (- ?b (insert_axis ?c ?k))) ?g) ?k) ?k)))",
            "0",
        ])),
        ..internal("logsumexp_vjp", 3, Class::Backward)
    };
    /// The adjoint of a slice: `g` scattered into zeros.
    SliceVjp => Spec {
        // Linear in `g`: its adjoint is the region of the cotangent.
        tensor_vjp: Some(Vjp::Templates(&["(slice ?g ?c)", "0", "0"])),
        ..internal("slice_vjp", 3, Class::Backward)
    };
    /// `acc` with `g` added into a region: slices' VJPs of one array summed in one buffer.
    SliceAdd => Spec {
        tensor_vjp: Some(Vjp::Templates(&["?g", "(slice ?g ?c)", "0"])),
        ..internal("slice_add", 3, Class::Backward)
    };
    /// The adjoint of `index_axis`.
    IndexAxisVjp(axis: usize) => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(index_axis ?g ?c ?k)", "0", "0"])),
        ..internal("index_axis_vjp", 3, Class::Backward)
    };
    /// The adjoint of `select`: scatter-add by id.
    SelectVjp(axis: usize) => Spec {
        // A scatter-add by id: its adjoint gathers the same ids.
        tensor_vjp: Some(Vjp::Templates(&["(select ?g ?c ?k)", "0", "0"])),
        ..internal("select_vjp", 3, Class::Backward)
    };
    /// Operand `k`'s slab of a concatenation's adjoint: operands the adjoint, `k`, and
    /// every part (for their lengths along the axis).
    ConcatenatePart(axis: usize) => Spec {
        tensor_vjp: Some(Vjp::Variadic(concatenate_part_vjp)),
        ..internal("concatenate_part", 0, Class::Backward)
    };
    /// A stacked `Vec`'s adjoint split back into one array per step (a `Vec`).
    UnstackSeq(axis: usize) => internal("unstack_seq", 1, Class::Backward);
    /// A concatenated `Vec`'s adjoint split back into the parts' slabs: operands the
    /// adjoint and the `Vec` (for the parts' lengths).
    UnconcatenateSeq(axis: usize) => internal("unconcatenate_seq", 2, Class::Backward);
    // The convolutions' backward ops are linear in each operand: their adjoints are the
    // convolution and its other backward op again (a bias of zeros, `c_out` long, summed
    // out of the zero view `shape_of` gives).
    Conv1dVjpX => Spec {
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv1d ?g ?b (sum_axis (sum_axis (shape_of ?a) 2) 0) ?d ?e)",
            "(conv1d_vjp_w ?a ?g ?b ?d ?e)",
            "0", "0", "0",
        ])),
        ..internal("conv1d_vjp_x", 5, Class::Backward)
    };
    Conv1dVjpW => Spec {
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv1d ?b ?g (sum_axis (sum_axis (shape_of ?a) 2) 0) ?d ?e)",
            "(conv1d_vjp_x ?a ?g ?b ?d ?e)",
            "0", "0", "0",
        ])),
        ..internal("conv1d_vjp_w", 5, Class::Backward)
    };
    Conv1dVjpB => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(broadcast_to (insert_axis ?g 1) (like ?a))", "0"])),
        ..internal("conv1d_vjp_b", 2, Class::Backward)
    };
    Conv2dVjpX => Spec {
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv2d ?g ?b (sum_axis (sum_axis (sum_axis (shape_of ?a) 3) 2) 0) ?d ?e)",
            "(conv2d_vjp_w ?a ?g ?b ?d ?e)",
            "0", "0", "0",
        ])),
        ..internal("conv2d_vjp_x", 5, Class::Backward)
    };
    Conv2dVjpW => Spec {
        tensor_vjp: Some(Vjp::Templates(&[
            "(conv2d ?b ?g (sum_axis (sum_axis (sum_axis (shape_of ?a) 3) 2) 0) ?d ?e)",
            "(conv2d_vjp_x ?a ?g ?b ?d ?e)",
            "0", "0", "0",
        ])),
        ..internal("conv2d_vjp_w", 5, Class::Backward)
    };
    Conv2dVjpB => Spec {
        tensor_vjp: Some(Vjp::Templates(&[
            "(broadcast_to (insert_axis (insert_axis ?g 1) 2) (like ?a))",
            "0",
        ])),
        ..internal("conv2d_vjp_b", 2, Class::Backward)
    };
    MaxPool1dVjp => Spec {
        // Linear in `g` (each window's gradient routed to its maximum, which does not
        // move with `x` almost everywhere): its adjoint gathers at the same maxima.
        tensor_vjp: Some(Vjp::Templates(&["(max_pool1d_gather ?g ?b ?c ?d)", "0", "0", "0"])),
        ..internal("max_pool1d_vjp", 4, Class::Backward)
    };
    /// `c` at each window's maximum of `x`: the adjoint of `max_pool1d_vjp` in `g`.
    MaxPool1dGather => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(max_pool1d_vjp ?g ?b ?c ?d)", "0", "0", "0"])),
        ..internal("max_pool1d_gather", 4, Class::Backward)
    };
    AvgPool1dVjp => Spec {
        // Linear in `g`: its adjoint is the cotangent pooled the same way.
        tensor_vjp: Some(Vjp::Templates(&["(avg_pool1d ?g ?c ?d)", "0", "0", "0"])),
        ..internal("avg_pool1d_vjp", 4, Class::Backward)
    };
    MaxPool2dVjp => Spec {
        // Linear in `g` (each window's gradient routed to its maximum, which does not
        // move with `x` almost everywhere): its adjoint gathers at the same maxima.
        tensor_vjp: Some(Vjp::Templates(&["(max_pool2d_gather ?g ?b ?c ?d)", "0", "0", "0"])),
        ..internal("max_pool2d_vjp", 4, Class::Backward)
    };
    /// `c` at each window's maximum of `x`: the adjoint of `max_pool2d_vjp` in `g`.
    MaxPool2dGather => Spec {
        tensor_vjp: Some(Vjp::Templates(&["(max_pool2d_vjp ?g ?b ?c ?d)", "0", "0", "0"])),
        ..internal("max_pool2d_gather", 4, Class::Backward)
    };
    AvgPool2dVjp => Spec {
        // Linear in `g`: its adjoint is the cotangent pooled the same way.
        tensor_vjp: Some(Vjp::Templates(&["(avg_pool2d ?g ?c ?d)", "0", "0", "0"])),
        ..internal("avg_pool2d_vjp", 4, Class::Backward)
    };
}

/// d(x^n)/dx = n x^(n-1): the new exponent is computed, which a template cannot say.
fn powi_vjp(b: &mut dyn Build, at: &Site) -> NodeId {
    let n = at.payload.unwrap_or(0) as i32;
    let c = b.constant(f64::from(n));
    let p = b.node(Op::Powi(n - 1), vec![at.args[0]], at.span);
    let local = b.node(Op::Mul, vec![c, p], at.span);
    b.node(Op::Mul, vec![at.adjoint, local], at.span)
}

/// `adjoint * ∂f/∂x_k`, the partial from the function's hand-written derivative.
fn custom_vjp(b: &mut dyn Build, at: &Site, k: usize) -> NodeId {
    let index = at.payload.unwrap_or(0) as u32;
    let partial = b.node(
        Op::CustomPartial(index * 16 + k as u32),
        at.args.to_vec(),
        at.span,
    );
    b.node(Op::Mul, vec![at.adjoint, partial], at.span)
}

/// A loop's operand `k` gets its share from the loop run backwards: one `LoopBack` per
/// loop (hash-consing shares it between operands), read apart by `LoopPart`.
fn loop_vjp(b: &mut dyn Build, at: &Site, k: usize) -> NodeId {
    let index = at.payload.unwrap_or(0) as u32;
    let mut args = vec![at.node, at.adjoint];
    args.extend_from_slice(at.args);
    let back = b.node(Op::LoopBack(index), args, at.span);
    b.node(Op::LoopPart(k as u32), vec![back], at.span)
}

/// Operand `k` of a concatenation gets the slab of the adjoint it filled: its position
/// goes in as an integer operand, and every part's shape gives the slab's offset.
fn concatenate_vjp(b: &mut dyn Build, at: &Site, k: usize) -> NodeId {
    let position = b.integer(k);
    let mut args = vec![at.adjoint, position];
    for &part in at.args {
        args.push(b.like(part, at.span));
    }
    let axis = at.payload.unwrap_or(0) as usize;
    b.node(Op::ConcatenatePart(axis), args, at.span)
}

/// A slab taken out of a concatenation's adjoint is linear in that adjoint: its own
/// adjoint is the cotangent put back at the slab, zeros (shaped like each other part)
/// around it, concatenated. The position and the parts' shapes get none.
fn concatenate_part_vjp(b: &mut dyn Build, at: &Site, k: usize) -> NodeId {
    if k != 0 {
        return b.constant(0.0);
    }
    let position = match at.args.get(1).and_then(|&p| b.integer_value(p)) {
        Some(p) => p,
        None => return b.constant(0.0),
    };
    let zero = b.constant(0.0);
    let parts: Vec<NodeId> = at.args[2..]
        .iter()
        .enumerate()
        .map(|(i, &like)| {
            if i == position {
                at.adjoint
            } else {
                b.node(Op::BroadcastTo, vec![zero, like], at.span)
            }
        })
        .collect();
    let axis = at.payload.unwrap_or(0) as usize;
    b.node(Op::Concatenate(axis), parts, at.span)
}

/// Operand `k` of a stack gets the adjoint's subview at `k` along the new axis.
fn stack_vjp(b: &mut dyn Build, at: &Site, k: usize) -> NodeId {
    let position = b.integer(k);
    let axis = at.payload.unwrap_or(0) as usize;
    b.node(Op::IndexAxis(axis), vec![at.adjoint, position], at.span)
}

/// The comparisons a condition may make, by the payload of [`Op::Compare`]; the
/// runtime's `scalar::compare` reads the same codes.
pub const COMPARISONS: &[&str] = &["<", "<=", ">", ">=", "==", "!="];

fn compare(a: f64, code: i64, b: f64) -> bool {
    match code {
        0 => a < b,
        1 => a <= b,
        2 => a > b,
        3 => a >= b,
        4 => a == b,
        _ => a != b,
    }
}

/// `maximum`'s routing: the whole gradient to the larger operand, half on a tie, all of
/// it to a NaN operand (the value came from it).
fn above(a: f64, b: f64) -> f64 {
    if a.is_nan() || a > b {
        1.0
    } else if b.is_nan() || a < b {
        0.0
    } else {
        0.5
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}
