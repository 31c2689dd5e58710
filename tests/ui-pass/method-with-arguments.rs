// The advice of tests/ui/self-receiver.rs followed: a method differentiated with respect
// to `self` and its other float arguments, with `#[differentiable]` on the impl block.
use cadena::prelude::*;

#[derive(Parameters, Clone)]
struct Model {
    w: f64,
}

#[differentiable]
impl Model {
    #[differentiable]
    fn loss(&self, x: f64) -> f64 {
        self.w * x * x
    }
}

fn main() {
    let (value, g) = Model { w: 2.0 }.loss_grad(3.0);
    assert_eq!((value, g.self_.w, g.x), (18.0, 9.0, 12.0));
}
