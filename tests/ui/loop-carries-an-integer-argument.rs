// A loop carries floats or float arrays; one started from an integer argument (ids,
// labels) is refused at the loop (fuzzer finding: `a * 0.5` on the `&[usize]` failed
// inside the generated code).
use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(x))]
fn carried(x: &Array2<f64>, y: &[usize]) -> f64 {
    let (mut a, mut b) = (y, 1.0);
    for _ in 0..3 {
        (a, b) = (b, a * 0.5);
    }
    mean(x) * b
}

fn main() {}
