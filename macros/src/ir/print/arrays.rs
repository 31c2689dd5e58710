//! Arrays and losses in derivations: matrix products and their adjoints (`δ · W^T`),
//! reductions, and the fused losses' gradients in their textbook forms
//! (`(softmax(z) - y) / n`).

use super::{Prec, Printer, is_unit};
use crate::ir::{Graph, NodeId, Op};

impl Printer<'_> {
    /// Matrix products, transposes, reductions and their adjoints.
    pub(super) fn array(&self, id: NodeId) -> Option<(String, Prec)> {
        let g = self.g;
        let args = g.args(id);
        let wrap = |child: NodeId, min: Prec| self.wrap(child, min);
        Some(match g.op(id) {
            Op::Dot => (
                format!(
                    "{} · {}",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            Op::Transpose => (format!("{}^T", wrap(args[0], Prec::Atom)), Prec::Power),
            Op::SumAxis(a) | Op::MeanAxis(a) => (
                format!("{}({}, axis {a})", g.op(id).name(), self.print(args[0]).0),
                Prec::Atom,
            ),
            // Shape bookkeeping is not part of the mathematics: show the gradient itself.
            op if op.is_shape_bookkeeping() => self.print(args[0]),
            Op::MeanVjp | Op::MeanAxisVjp(_) => (
                format!("{} / {}", wrap(args[0], Prec::Product), batch(g)),
                Prec::Product,
            ),
            // A unit adjoint (a local derivative in EXPLAIN) leaves only the transpose.
            Op::DotVjpLhs if is_unit(g, args[0]) => {
                (format!("{}^T", wrap(args[1], Prec::Atom)), Prec::Power)
            }
            Op::DotVjpRhs if is_unit(g, args[1]) => {
                (format!("{}^T", wrap(args[0], Prec::Atom)), Prec::Power)
            }
            Op::DotVjpLhs => (
                format!(
                    "{} · {}^T",
                    wrap(args[0], Prec::Product),
                    wrap(args[1], Prec::Atom)
                ),
                Prec::Product,
            ),
            Op::DotVjpRhs => (
                format!(
                    "{}^T · {}",
                    wrap(args[0], Prec::Atom),
                    wrap(args[1], Prec::Power)
                ),
                Prec::Product,
            ),
            _ => return None,
        })
    }

    /// The fused losses' gradients: `a - y` and the like.
    pub(super) fn loss_adjoint(&self, id: NodeId) -> Option<(String, Prec)> {
        let g = self.g;
        let args = g.args(id);
        let wrap = |child: NodeId, min: Prec| self.wrap(child, min);
        Some(match g.op(id) {
            // The course's `a - y`: `a` names `sigmoid(z)` where the body bound it.
            Op::BceLogitsGrad => {
                let a = match g.find(Op::Sigmoid, vec![args[0]]) {
                    Some(s) => self.wrap(s, Prec::Sum),
                    None => format!("sigmoid({})", self.print(args[0]).0),
                };
                (
                    format!("{a} - {}", self.wrap(args[1], Prec::Product)),
                    Prec::Sum,
                )
            }
            Op::SoftmaxCrossEntropyVjp => {
                let p = self.applied(Op::Softmax, args[0]);
                self.scaled(
                    args[2],
                    format!("({p} - {}) / {}", wrap(args[1], Prec::Product), batch(g)),
                )
            }
            Op::BceLogitsVjp => {
                let a = self.applied(Op::Sigmoid, args[0]);
                self.scaled(
                    args[2],
                    format!("({a} - {}) / {}", wrap(args[1], Prec::Product), batch(g)),
                )
            }
            Op::BceVjp => {
                let (a, y) = (wrap(args[0], Prec::Atom), wrap(args[1], Prec::Product));
                let n = batch(g);
                self.scaled(args[2], format!("({a} - {y}) / ({a} * (1 - {a})) / {n}"))
            }
            Op::MseVjp => {
                let (a, y) = (wrap(args[0], Prec::Sum), wrap(args[1], Prec::Product));
                let n = batch(g);
                self.scaled(args[2], format!("2 * ({a} - {y}) / {n}"))
            }
            Op::CrossEntropyVjp => {
                let (p, y) = (wrap(args[0], Prec::Power), wrap(args[1], Prec::Power));
                let n = batch(g);
                self.scaled(args[2], format!("-{y} / {p} / {n}"))
            }
            _ => return None,
        })
    }

    /// `f(x)` by its `let` name when the forward pass computed it (`p` for `softmax(z2)`).
    fn applied(&self, op: Op, x: NodeId) -> String {
        let name = op.name();
        match self.g.find(op, vec![x]) {
            Some(id) => self.print(id).0,
            None => format!("{name}({})", self.print(x).0),
        }
    }

    /// `core` multiplied by the incoming adjoint `adj`, which is 1 for a function's result.
    fn scaled(&self, adj: NodeId, core: String) -> (String, Prec) {
        if is_unit(self.g, adj) {
            // `(p - y) / n` divides by the scalar batch size, which commutes with `·` and
            // `*`: any grouping reads correctly, so it needs no parentheses of its own.
            (core, Prec::Power)
        } else {
            let (a, p) = self.print(adj);
            let a = if p < Prec::Product {
                format!("({a})")
            } else {
                a
            };
            (format!("{a} * {core}"), Prec::Product)
        }
    }
}

/// The symbol for the number of elements a mean divides by: `n`, unless the function
/// has its own `n`, so that `(z - y) / n` never reads as the user's variable.
fn batch(g: &Graph) -> &'static str {
    ["n", "N", "n_batch"]
        .into_iter()
        .find(|s| !g.has_name(s))
        .unwrap_or("n_elements")
}
