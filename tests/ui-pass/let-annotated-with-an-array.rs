// The advice of `ui/let-annotated-with-a-struct`, followed.
use cadena::ndarray::{Array1, Array2, ArrayView2, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable(wrt(p))]
fn loss(p: &Lin, x: &Array2<f64>) -> f64 {
    let xv: ArrayView2<f64> = x.view();
    let z: Array2<f64> = xv.dot(&p.w) + &p.b;
    let m: f64 = mean(&z * &z);
    m
}

// A `Vec` of per-step values, however it is made empty, is not a value's annotation.
#[differentiable(wrt(p))]
fn stacked(p: &Lin, x: &Array2<f64>) -> f64 {
    let mut outs: Vec<Array1<f64>> = Vec::with_capacity(2);
    for xt in x.axis_iter(Axis(0)) {
        outs.push(xt.dot(&p.w) + &p.b);
    }
    mean(stack(Axis(0), &outs))
}

fn main() {
    let p = Lin {
        w: Array2::ones((2, 1)),
        b: Array1::zeros(1),
    };
    let (value, g) = loss::grad(&p, &Array2::ones((3, 2)));
    assert_eq!(value, 4.0);
    assert_eq!(g.p.w[[0, 0]], 4.0);
    assert_eq!(stacked::grad(&p, &Array2::ones((3, 2))).0, 2.0);
}
