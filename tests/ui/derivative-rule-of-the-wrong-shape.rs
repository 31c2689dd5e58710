// A hand-written rule whose signature does not fit the function (one partial for two
// arguments), and a rule naming the function itself: errors on the rule's name in the
// attribute (a fuzzer finding: the first was spanned on the whole attribute). An argument
// of the other float type than the function returns is an error on it (a fuzzer finding:
// rustc's mismatch at the attribute).
use cadena::prelude::*;

fn h_prime(x: f64) -> f64 {
    x
}

#[differentiable(derivative(h_prime))]
fn h(w: f64, x: f64) -> f64 {
    w * x
}

#[differentiable(derivative(f))]
fn f(x: f64) -> f64 {
    x * x
}

#[differentiable(derivative(std::f64::exp))]
fn g(x: f32) -> f64 {
    f64::from(x * x)
}

fn main() {}
