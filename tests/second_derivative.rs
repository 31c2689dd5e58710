//! `f::hvp`: the Hessian of a scalar function times a direction, from the reverse sweep
//! run again over the derived gradient, against central differences of `grad`.

use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable]
fn composite(x: f64) -> f64 {
    x.powi(2).sin().exp()
}

#[differentiable]
fn mixed(a: f64, b: f64) -> f64 {
    a.powi(3) * b + (a * b).tanh() + relu(a - b) * b.exp() + a.max(b).ln_1p()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn hessian_vector_products_match_differences_of_the_gradient() {
    let (w1, w2, b, x1, x2, y) = (0.4, -0.3, 0.2, 1.5, -0.5, 1.0);
    let v = neuron::Grad {
        w1: 0.7,
        w2: -1.1,
        b: 0.3,
    };
    let hv = neuron::hvp(w1, w2, b, x1, x2, y, &v);
    let h = 1e-5;
    let at = |t: f64| neuron::grad(w1 + t * v.w1, w2 + t * v.w2, b + t * v.b, x1, x2, y).1;
    let (up, down) = (at(h), at(-h));
    assert!(
        close(hv.w1, (up.w1 - down.w1) / (2.0 * h)),
        "{} {}",
        hv.w1,
        (up.w1 - down.w1) / (2.0 * h)
    );
    assert!(close(hv.w2, (up.w2 - down.w2) / (2.0 * h)));
    assert!(close(hv.b, (up.b - down.b) / (2.0 * h)));

    let x = 1.2;
    let second = composite::hvp(x, &composite::Grad { x: 1.0 }).x;
    let d = |t: f64| composite::grad(t).1.x;
    assert!(close(second, (d(x + h) - d(x - h)) / (2.0 * h)));

    let (a, bb) = (0.9, 0.35);
    let v = mixed::Grad { a: -0.4, b: 1.3 };
    let hv = mixed::hvp(a, bb, &v);
    let at = |t: f64| mixed::grad(a + t * v.a, bb + t * v.b).1;
    let (up, down) = (at(h), at(-h));
    assert!(close(hv.a, (up.a - down.a) / (2.0 * h)));
    assert!(close(hv.b, (up.b - down.b) / (2.0 * h)));
}
