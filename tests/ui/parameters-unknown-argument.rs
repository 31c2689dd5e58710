use cadena::ndarray::Array1;
use cadena::prelude::*;

#[derive(Parameters)]
struct Layer {
    #[parameters(skipp)]
    size: usize,
    b: Array1<f64>,
}

fn main() {}
