// An attribute on a statement (`#[cfg]` would remove it) is a spanned error: the graph
// would hold the statement still (a fuzzer finding: wrong values).
use cadena::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut acc = x;
    #[cfg(any())]
    for _ in 0..3 {
        acc = acc.sin();
    }
    acc
}

// On a `let`, and on an expression statement (syn gives it to the leftmost operand).
#[differentiable]
fn g(x: f64) -> f64 {
    #[allow(unused)]
    let y = x * 2.0;
    #[cfg(any())]
    y * 3.0;
    y
}

// On the final expression, a range whose operand syn prints in parentheses of the
// macro's span: the error is on the attribute (a fuzzer finding: it was on the macro).
#[differentiable]
fn h(r: f64, t: f64) -> f64 {
    #[inline]
    (r * t).sin()..=2.0
}

fn main() {}
