// A name read before the `let` that binds it, in a line whose value the result does not
// need: still an error, as rustc gives for the body without the attribute.
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(w))]
fn loss(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let scaled = &z / 2.0;
    let z = x.dot(w);
    mean(&z * &z)
}

fn main() {}
