//! Scalar loops carrying several floats: a recurrence with a running sum, and values that
//! swap. Checked against finite differences (the LSTMs carrying `h`, `c` and a loss are
//! in tests/lstm.rs).

use cadena::prelude::*;

/// Floats carried together: a second-order recurrence and a running sum, `+=` on both.
#[differentiable]
fn recurrence(a: f64, b: f64) -> f64 {
    let mut u = a;
    let mut v = b;
    let mut total = 0.0;
    for _ in 0..6 {
        let w = 0.5 * u + 0.3 * v.sin();
        u = v;
        v = w;
        total += u * v;
    }
    total + v
}

/// Carried values that swap, one of them never read after the loop.
#[differentiable(wrt(c))]
fn swap(c: &[f64; 4], x: f64) -> f64 {
    let mut a = x;
    let mut b = 1.0;
    for i in 0..4 {
        (a, b) = (b * c[i], a + c[i]);
    }
    a * a
}

#[test]
fn floats_carried_together_match_finite_differences() {
    let (a, b) = (0.7, -0.4);
    let (value, g) = recurrence::grad(a, b);
    assert!((value - recurrence(a, b)).abs() < 1e-15);
    let h = 1e-6;
    let da = (recurrence(a + h, b) - recurrence(a - h, b)) / (2.0 * h);
    let db = (recurrence(a, b + h) - recurrence(a, b - h)) / (2.0 * h);
    assert!((g.a - da).abs() < 1e-8, "{} vs {da}", g.a);
    assert!((g.b - db).abs() < 1e-8, "{} vs {db}", g.b);
}

#[test]
fn swapped_carried_values_match_finite_differences() {
    let c = [0.3, -1.2, 0.8, 0.5];
    let x = 0.9;
    let (value, g) = swap::grad(&c, x);
    assert!((value - swap(&c, x)).abs() < 1e-15);
    for k in 0..4 {
        let h = 1e-6;
        let (mut up, mut down) = (c, c);
        up[k] += h;
        down[k] -= h;
        let fd = (swap(&up, x) - swap(&down, x)) / (2.0 * h);
        assert!((g.c[k] - fd).abs() < 1e-8, "c[{k}]: {} vs {fd}", g.c[k]);
    }
}

#[test]
fn the_derivation_threads_each_carried_value() {
    let text = recurrence::DERIVATION;
    assert!(text.contains("δv[end] = 1"), "{text}");
    assert!(text.contains("δtotal[end] = 1"), "{text}");
    assert!(text.contains("δtotal[i-1] = δtotal[i]"), "{text}");
    let text = swap::DERIVATION;
    assert!(text.contains("δa[i-1] = δb[i]"), "{text}");
    assert!(text.contains("δb[i-1] = δa[i] * c[i]"), "{text}");
    // Nothing after the loop reads `b`: its cotangent starts at 0 and is not printed.
    assert!(!text.contains("δb[end]"), "{text}");
}
