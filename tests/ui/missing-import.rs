use cadena::prelude::differentiable;

// `sigmoid` and `bce` are not imported: the body is not valid Rust as written.
#[differentiable]
fn neuron(w: f64, x: f64, y: f64) -> f64 {
    bce(sigmoid(w * x), y)
}

fn main() {}
