// A call to a function without #[differentiable]: the macro asks the callee for its body
// through the export macro #[differentiable] gives every function, named for what is
// missing when it is not there: "cannot find macro `leaky_relu_needs_differentiable_attribute`".
// That is the only error: `f` and `f::grad` exist beside it, so the code calling them adds
// none.
use cadena::prelude::*;

fn leaky_relu(x: f64) -> f64 {
    x.max(0.01 * x)
}

#[differentiable]
fn f(x: f64) -> f64 {
    leaky_relu(x)
}

fn main() {
    let (value, g) = f::grad(1.0);
    let _ = (value + f(2.0), g.x);
}
