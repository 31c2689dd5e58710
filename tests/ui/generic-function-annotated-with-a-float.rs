// A function generic over its float with a `let` annotated with a concrete float type:
// every value is a `T` there (a fuzzer finding: accepted, though rustc refuses it as written).
use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron<T: Float>(w1: T, w2: T, b: T, x1: T, x2: T, y: T) -> T {
    let z: (f64, f64) = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable(wrt(w1))]
pub fn neuron2<T: Float>(w1: T, x1: T) -> T {
    let z: f64 = w1 * x1;
    let _u: f32 = w1 * x1;
    z
}

fn main() {}
