// An argument of type `()` read as a float, in ndarray code: one error on the user's
// name (a fuzzer finding: the trait bound `(): Operand` on the attribute).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct P {
    pub w: Array2<f64>,
}

#[differentiable]
fn g(c: (), q: &P) -> f64 {
    mean(&q.w) + c * 1e-3
}

fn main() {}
