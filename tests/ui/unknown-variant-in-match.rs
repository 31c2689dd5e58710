// A match arm naming a variant its enum lacks: rustc's own error, on the variant, also
// where the macro would not need the arm's pattern resolved (a fuzzer finding).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[derive(Clone, Copy)]
pub enum Norm {
    None,
    Squash,
}

#[differentiable(wrt(w))]
fn layer_with(w: &Array2<f64>, x: &Array2<f64>, norm: Norm) -> f64 {
    let z = x.dot(w);
    let out = match norm {
        Norm::None => z,
        Norm::Tanh => tanh(&z),
    };
    sum(&out * &out)
}

fn main() {}
