// A function generic over its float with a `let` annotated with a type that holds no
// float: its values are `T`s (a fuzzer finding: accepted, as no copy of a generic body
// is handed to rustc). `T`, arrays of `T` and integers are fine (`ui-pass/generic-float`).
use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron<T: Float>(w1: T, w2: T, b: T, x1: T, x2: T, y: T) -> T {
    let z = w1 * x1 + w2 * x2 + b;
    let a: bool = sigmoid(z);
    bce(a, y)
}

fn main() {}
