use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Classifier {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

impl Classifier {
    pub fn logits(&self, x: ArrayView2<f64>) -> Array2<f64> {
        x.dot(&self.w) + &self.b
    }

    #[differentiable(wrt(self))]
    pub fn loss(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> f64 {
        softmax_cross_entropy(self.logits(x), y)
    }
}

fn main() {}
