//! The derivative table: for each op, the vector-Jacobian product that turns the adjoint of
//! a node into the contribution to the adjoint of one operand, built as graph nodes.
//!
//! Rules reuse forward values wherever the derivative is a function of the output
//! (`exp' = e`, `sigmoid' = a (1 - a)`, `tanh' = 1 - a^2`, `sqrt' = 1 / 2s`), so the
//! backward pass recomputes nothing the forward already has.

use proc_macro2::Span;

use crate::graph::{Fun, Graph, NodeId, Op};

/// `adj * ∂node/∂operand_k`, as a node of `g`.
///
/// In tensor code an elementwise operand may have been broadcast, so its contribution is
/// summed back to its own shape (`sum_to`, free when nothing was broadcast).
pub fn vjp(g: &mut Graph, node: NodeId, k: usize, adj: NodeId) -> NodeId {
    if !g.tensor {
        return elementwise_vjp(g, node, k, adj);
    }
    let op = g.op(node).clone();
    if !op.is_elementwise() {
        return tensor_vjp(g, node, k, adj);
    }
    let c = elementwise_vjp(g, node, k, adj);
    if g.args(node).len() > 1 {
        let operand = g.args(node)[k];
        sum_to(g, c, operand, g.node(node).span)
    } else {
        c
    }
}

/// Something with the shape of `x` that survives `x` being consumed in place: `x` itself
/// for an argument, else its recorded shape.
fn like(g: &mut Graph, x: NodeId, span: Span) -> NodeId {
    if g.op(x).is_leaf() {
        x
    } else {
        g.node_at(Op::ShapeOf, vec![x], span)
    }
}

fn sum_to(g: &mut Graph, c: NodeId, operand: NodeId, span: Span) -> NodeId {
    let l = like(g, operand, span);
    g.node_at(Op::SumTo, vec![c, l], span)
}

/// Derivatives of the tensor operations: each is a runtime helper of its own.
fn tensor_vjp(g: &mut Graph, node: NodeId, k: usize, adj: NodeId) -> NodeId {
    let span = g.node(node).span;
    let op = g.op(node).clone();
    let args = g.args(node).to_vec();
    let x = args[0];
    let n = |g: &mut Graph, op: Op, args: Vec<NodeId>| g.node_at(op, args, span);
    match (op, k) {
        (Op::Dot, 0) => n(g, Op::DotVjpLhs, vec![adj, args[1]]),
        (Op::Dot, _) => n(g, Op::DotVjpRhs, vec![x, adj]),
        (Op::T, _) => n(g, Op::T, vec![adj]),
        (Op::Sum, _) => {
            let l = like(g, x, span);
            n(g, Op::BroadcastTo, vec![adj, l])
        }
        (Op::Mean, _) => {
            let l = like(g, x, span);
            n(g, Op::MeanVjp, vec![adj, l])
        }
        (Op::SumAxis(a), _) => {
            let l = like(g, x, span);
            n(g, Op::BroadcastAxisTo(a), vec![adj, l])
        }
        (Op::MeanAxis(a), _) => {
            let l = like(g, x, span);
            n(g, Op::MeanAxisVjp(a), vec![adj, l])
        }
        (Op::Softmax, _) => n(g, Op::SoftmaxVjp, vec![node, adj]),
        (Op::LogSoftmax, _) => n(g, Op::LogSoftmaxVjp, vec![node, adj]),
        (Op::SoftmaxCe, 0) => n(g, Op::SoftmaxCeVjp, vec![x, args[1], adj]),
        (Op::CrossEntropy, 0) => n(g, Op::CrossEntropyVjp, vec![x, args[1], adj]),
        (Op::Bce, 0) => {
            let c = n(g, Op::BceVjp, vec![x, args[1], adj]);
            sum_to(g, c, x, span)
        }
        (Op::BceLogits, 0) => {
            let c = n(g, Op::BceLogitsVjp, vec![x, args[1], adj]);
            sum_to(g, c, x, span)
        }
        (Op::Mse, 0) => {
            let c = n(g, Op::MseVjp, vec![x, args[1], adj]);
            sum_to(g, c, x, span)
        }
        (Op::Mse, _) => {
            let c = n(g, Op::MseVjp, vec![x, args[1], adj]);
            let c = g.neg(c, span);
            sum_to(g, c, args[1], span)
        }
        // Targets of losses, and the backward-only helpers, are not differentiated: the
        // macro rejects `wrt` on labels, and adjoint graphs are not differentiated again.
        _ => g.constant(0.0),
    }
}

fn elementwise_vjp(g: &mut Graph, node: NodeId, k: usize, adj: NodeId) -> NodeId {
    let span = g.node(node).span;
    let op = g.op(node).clone();
    let args = g.args(node).to_vec();
    let x = args[0];
    let one = g.constant(1.0);
    // The local derivative as a factor; `None` when the rule needs the adjoint elsewhere
    // than in front (so it returns directly).
    let local = match (&op, k) {
        (Op::Add, _) => return adj,
        (Op::Sub, 0) => return adj,
        (Op::Sub, _) => return g.neg(adj, span),
        (Op::Neg, _) => return g.neg(adj, span),
        (Op::Mul, 0) => args[1],
        (Op::Mul, _) => args[0],
        (Op::Div, 0) => return g.div(adj, args[1], span),
        // d(a/b)/db = -(a/b)/b: reuses the quotient.
        (Op::Div, _) => {
            let t = g.mul(adj, node, span);
            let q = g.div(t, args[1], span);
            return g.neg(q, span);
        }
        (Op::Fun(f), _) => fun_derivative(g, *f, node, x),
        (Op::Powi(n), _) => {
            let c = g.constant(f64::from(*n));
            let p = g.powi(x, n - 1, span);
            g.mul(c, p, span)
        }
        // d(x^p)/dx = p x^(p-1)
        (Op::Powf, 0) => {
            let p = args[1];
            let pm1 = g.sub(p, one, span);
            let pow = g.node_at(Op::Powf, vec![x, pm1], span);
            g.mul(p, pow, span)
        }
        // d(x^p)/dp = x^p ln x: reuses the power.
        (Op::Powf, _) => {
            let ln = g.fun(Fun::Ln, x, span);
            g.mul(node, ln, span)
        }
        // Ties go to the first operand, as `f64::max` returns it.
        (Op::Max, 0) => g.node_at(Op::Ge, vec![args[0], args[1]], span),
        (Op::Max, _) => {
            let ge = g.node_at(Op::Ge, vec![args[0], args[1]], span);
            g.sub(one, ge, span)
        }
        (Op::Min, 0) => g.node_at(Op::Ge, vec![args[1], args[0]], span),
        (Op::Min, _) => {
            let ge = g.node_at(Op::Ge, vec![args[1], args[0]], span);
            g.sub(one, ge, span)
        }
        (Op::Ge, _) => g.constant(0.0),
        // d bce/da = (a - y) / (a (1 - a))
        (Op::Bce, 0) => {
            let (a, y) = (args[0], args[1]);
            let num = g.sub(a, y, span);
            let one_minus = g.sub(one, a, span);
            let den = g.mul(a, one_minus, span);
            g.div(num, den, span)
        }
        // d bce/dy = ln(1 - a) - ln(a)
        (Op::Bce, _) => {
            let a = args[0];
            let na = g.neg(a, span);
            let l1 = g.fun(Fun::Ln1p, na, span);
            let l0 = g.fun(Fun::Ln, a, span);
            g.sub(l1, l0, span)
        }
        // d(softplus(z) - y z)/dz = sigmoid(z) - y: the `a - y` of the course.
        (Op::BceLogits, 0) => {
            let a = g.fun(Fun::Sigmoid, x, span);
            g.sub(a, args[1], span)
        }
        (Op::BceLogits, _) => g.neg(x, span),
        // d (a - y)^2 / da = 2 (a - y)
        (Op::Mse, 0) => {
            let d = g.sub(args[0], args[1], span);
            let two = g.constant(2.0);
            g.mul(two, d, span)
        }
        (Op::Mse, _) => {
            let d = g.sub(args[0], args[1], span);
            let m2 = g.constant(-2.0);
            g.mul(m2, d, span)
        }
        // Leaves have no operands; tensor operations went to `tensor_vjp`.
        _ => g.constant(0.0),
    };
    g.mul(adj, local, span)
}

/// `d f(x) / dx`, given the node `y = f(x)` so that rules can reuse it.
fn fun_derivative(g: &mut Graph, f: Fun, y: NodeId, x: NodeId) -> NodeId {
    let span = g.node(y).span;
    let one = g.constant(1.0);
    match f {
        Fun::Exp => y,
        Fun::Ln => g.div(one, x, span),
        Fun::Log10 => {
            let c = g.constant(std::f64::consts::LN_10);
            let d = g.mul(c, x, span);
            g.div(one, d, span)
        }
        Fun::Log2 => {
            let c = g.constant(std::f64::consts::LN_2);
            let d = g.mul(c, x, span);
            g.div(one, d, span)
        }
        Fun::Sqrt => {
            let two = g.constant(2.0);
            let d = g.mul(two, y, span);
            g.div(one, d, span)
        }
        Fun::Sin => g.fun(Fun::Cos, x, span),
        Fun::Cos => {
            let s = g.fun(Fun::Sin, x, span);
            g.neg(s, span)
        }
        // tan' = 1 + tan^2
        Fun::Tan => {
            let sq = g.powi(y, 2, span);
            g.add(one, sq, span)
        }
        // tanh' = 1 - tanh^2 (emitted as (1 - a)(1 + a))
        Fun::Tanh => {
            let sq = g.powi(y, 2, span);
            g.sub(one, sq, span)
        }
        Fun::Abs => g.fun(Fun::Sign, x, span),
        Fun::Ln1p => {
            let d = g.add(one, x, span);
            g.div(one, d, span)
        }
        // exp_m1' = e^x = exp_m1(x) + 1
        Fun::ExpM1 => g.add(y, one, span),
        // recip' = -1/x^2 = -(recip^2)
        Fun::Recip => {
            let sq = g.powi(y, 2, span);
            g.neg(sq, span)
        }
        // sigmoid' = a (1 - a)
        Fun::Sigmoid => {
            let c = g.sub(one, y, span);
            g.mul(y, c, span)
        }
        Fun::Relu => g.fun(Fun::Step, x, span),
        Fun::Softplus => g.fun(Fun::Sigmoid, x, span),
        Fun::Step | Fun::Sign => g.constant(0.0),
    }
}
