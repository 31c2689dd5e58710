// The advice of tests/ui/method-calls-method.rs followed: `#[differentiable]` on the impl
// block, and on the method called.
use cadena::ndarray::{Array1, Array2, ArrayView2, array};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Classifier {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[differentiable]
impl Classifier {
    #[differentiable(wrt(self))]
    pub fn logits(&self, x: ArrayView2<f64>) -> Array2<f64> {
        x.dot(&self.w) + &self.b
    }

    #[differentiable(wrt(self))]
    pub fn loss(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
        softmax_cross_entropy(self.logits(x), y)
    }
}

fn main() {
    let m = Classifier { w: array![[1.0, 0.0], [0.0, 1.0]], b: array![0.0, 0.0] };
    let x = array![[1.0, 2.0]];
    let y = array![[0.0, 1.0]];
    let (value, g) = m.loss_grad(x.view(), y.view());
    assert!(value > 0.0 && g.b[0] > 0.0);
}
