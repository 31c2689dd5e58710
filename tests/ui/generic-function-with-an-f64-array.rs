// A function generic over its float type reading an array of `f64`: one error on the
// element type, none inside the generated code (a fuzzer finding), and no advice to
// bound `f64` by a trait of cadena's.
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;
use cadena::Float;

#[differentiable(wrt(w, b))]
pub fn layer<T>(w: &Array2<T>, b: &Array1<f64>, x: &Array2<T>, y: &Array2<T>) -> T
where
    T: Float,
{
    let h = tanh(x.dot(w) + b);
    mse(h, y)
}

fn main() {}
