// A slice's bound that names an array argument (a fuzzer finding: in a loop, rustc's
// mismatch at the attribute): one error on the name, saying to read a size of it.
use cadena::ndarray::{Array2, Array3, Axis, s};
use cadena::prelude::*;

#[differentiable(wrt(x, w))]
fn windows(x: &Array3<f64>, w: &Array2<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for t in 0..x.len_of(Axis(1)) - 2 {
        let window = x.slice(s![.., h0..t + 2, ..]).sum_axis(Axis(1));
        h = tanh(window.dot(w) + &h * 0.3);
    }
    sum(&h * &h)
}

fn main() {}
