// The advice of `ui/let-annotation-contradicts-value`, followed; and annotations the
// check must not refuse: a reference to a float borrowed with `&`, a view of an argument
// or a transpose, an axis summed away, a broadcast sum, an array behind `&` (arrays are
// values in ndarray code).
use cadena::ndarray::{Array1, Array2, ArrayView2, Axis};
use cadena::prelude::*;

#[differentiable]
pub fn array_as_float(x: &Array2<f64>, w: &Array2<f64>, s: f64) -> f64 {
    let h = x.dot(w) * s - 0.5;
    let e: Array2<f64> = exp(h) / (h * h + 1.0);
    mean(e)
}

#[differentiable]
pub fn float_as_array(x: &Array2<f64>) -> f64 {
    let m: f64 = sum(x);
    let k: f64 = x.sum();
    m + k
}

#[differentiable]
pub fn float_as_reference(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v: f64 = x.dot(w).sum();
    let r: &f64 = &x.sum();
    v * 2.0 + r
}

#[differentiable]
pub fn axes_and_views(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let v: Array2<f64> = x.dot(w);
    let xv: ArrayView2<f64> = x.view();
    let xt: ArrayView2<f64> = xv.t();
    let c: Array1<f64> = v.sum_axis(Axis(0));
    let b: Array2<f64> = x.dot(w) + c;
    let z: &Array2<f64> = &b;
    // A view of a computed array, and a `let` naming another.
    let bv: ArrayView2<f64> = b.view();
    let same: Array2<f64> = b;
    v.sum() + xt.sum() + z.sum() + bv.sum() - same.sum()
}

fn main() {
    let x = Array2::from_elem((2, 2), 0.5);
    let w = Array2::eye(2);
    assert_eq!(float_as_array::grad(&x).0, 4.0);
    let (value, g) = float_as_reference::grad(&x, &w);
    assert_eq!(value, 6.0);
    assert_eq!(g.x[[0, 0]], 3.0);
    assert!(array_as_float::grad(&x, &w, 1.0).0.is_finite());
    // v = x (w = I): sum 2; xt: 2; b = x + column sums (1 each): sum 6.
    assert_eq!(axes_and_views::grad(&x, &w).0, 10.0);
}
