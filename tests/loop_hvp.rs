//! `f::hvp` of scalar functions with loops: the Hessian times a direction, taken as the
//! gradient of the directional derivative (the loops carry their values' tangents),
//! against central differences of `f::grad` along the direction.

use cadena::prelude::*;

/// Horner's rule over a fixed array of coefficients.
#[differentiable]
fn poly(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..4).rev() {
        acc = acc * x + c[i];
    }
    (acc * 0.3).tanh()
}

/// Gradient descent steps: a carried value and a rate read every step.
#[differentiable]
fn descend(x0: f64, rate: f64) -> f64 {
    let mut x = x0;
    for _ in 0..5 {
        x = x - rate * x.sin();
    }
    x * x
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn the_hessian_through_a_loop_over_an_array_matches_differences() {
    let c = [0.5, -1.2, 0.7, 0.3];
    let x = 0.8;
    let v = poly::Grad {
        c: [0.2, -0.4, 0.1, 0.6],
        x: -0.7,
    };
    let hv = poly::hvp(&c, x, &v);
    let h = 1e-5;
    let at = |t: f64| {
        let ct: [f64; 4] = std::array::from_fn(|i| c[i] + t * v.c[i]);
        poly::grad(&ct, x + t * v.x).1
    };
    let (up, down) = (at(h), at(-h));
    for i in 0..4 {
        let fd = (up.c[i] - down.c[i]) / (2.0 * h);
        assert!(close(hv.c[i], fd), "c[{i}]: {} against {fd}", hv.c[i]);
    }
    let fd = (up.x - down.x) / (2.0 * h);
    assert!(close(hv.x, fd), "x: {} against {fd}", hv.x);
}

#[test]
fn the_hessian_through_a_loop_carrying_a_value_matches_differences() {
    let v = descend::Grad {
        x0: 0.6,
        rate: -1.3,
    };
    let hv = descend::hvp(1.1, 0.3, &v);
    let h = 1e-5;
    let at = |t: f64| descend::grad(1.1 + t * v.x0, 0.3 + t * v.rate).1;
    let (up, down) = (at(h), at(-h));
    let fd = (up.x0 - down.x0) / (2.0 * h);
    assert!(close(hv.x0, fd), "x0: {} against {fd}", hv.x0);
    let fd = (up.rate - down.rate) / (2.0 * h);
    assert!(close(hv.rate, fd), "rate: {} against {fd}", hv.rate);
}

/// Two carried values updating each other, a branch on a value inside the loop, and a
/// loop nested in it over a range the outer index bounds.
#[differentiable]
fn coupled(a: f64, b: f64, w: &[f64; 3]) -> f64 {
    let mut h = a;
    let mut c = b;
    for i in 0..3 {
        let wi = w[i];
        let mut inner = 0.0;
        for j in 0..3 {
            inner = inner + (w[j] * h + c).sin() * wi;
        }
        let n = if inner > 0.0 {
            (h * c).tanh() + inner
        } else {
            h - 0.5 * inner * inner
        };
        c = c * 0.5 + h.sin() * wi;
        h = n;
    }
    h * c + (a * b).exp()
}

/// A `while` counter and compound assignment on the carried values.
#[differentiable]
fn counted(x: f64, y: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut p = 1.0;
    let mut i = 0;
    while i < n {
        s += (x * i as f64 + y).cos();
        p *= 1.0 + x * y * 0.1;
        i += 1;
    }
    s * p
}

#[test]
fn the_hessian_through_carried_pairs_branches_and_nested_loops_matches_differences() {
    let w = [0.4, -0.3, 0.8];
    let v = coupled::Grad {
        a: 0.3,
        b: -0.8,
        w: [0.5, 0.1, -0.6],
    };
    for (a, b) in [(0.7, 0.2), (-0.4, 0.9), (0.1, -0.6)] {
        let hv = coupled::hvp(a, b, &w, &v);
        let h = 1e-5;
        let at = |t: f64| {
            let wt: [f64; 3] = std::array::from_fn(|i| w[i] + t * v.w[i]);
            coupled::grad(a + t * v.a, b + t * v.b, &wt).1
        };
        let (up, down) = (at(h), at(-h));
        let fd = (up.a - down.a) / (2.0 * h);
        assert!(close(hv.a, fd), "a at ({a}, {b}): {} against {fd}", hv.a);
        let fd = (up.b - down.b) / (2.0 * h);
        assert!(close(hv.b, fd), "b at ({a}, {b}): {} against {fd}", hv.b);
        for i in 0..3 {
            let fd = (up.w[i] - down.w[i]) / (2.0 * h);
            assert!(
                close(hv.w[i], fd),
                "w[{i}] at ({a}, {b}): {} against {fd}",
                hv.w[i]
            );
        }
    }
}

#[test]
fn the_hessian_through_a_while_counter_matches_differences() {
    let v = counted::Grad { x: -0.4, y: 0.9 };
    let hv = counted::hvp(0.6, 0.3, 5, &v);
    let h = 1e-5;
    let at = |t: f64| counted::grad(0.6 + t * v.x, 0.3 + t * v.y, 5).1;
    let (up, down) = (at(h), at(-h));
    let fd = (up.x - down.x) / (2.0 * h);
    assert!(close(hv.x, fd), "x: {} against {fd}", hv.x);
    let fd = (up.y - down.y) / (2.0 * h);
    assert!(close(hv.y, fd), "y: {} against {fd}", hv.y);
    // No step: the Hessian of 0.
    let zero = counted::hvp(0.6, 0.3, 0, &v);
    assert_eq!((zero.x, zero.y), (0.0, 0.0));
}

/// Elements of a float array read by literal indices, no loop.
#[differentiable]
fn indexed(c: &[f64; 3], x: f64) -> f64 {
    (c[0] * x).sin() + c[1] * c[2] * x
}

#[test]
fn the_hessian_through_elements_read_by_literal_indices_matches_differences() {
    let c = [0.5, -1.2, 0.7];
    let v = indexed::Grad {
        c: [0.2, -0.4, 0.1],
        x: -0.7,
    };
    let hv = indexed::hvp(&c, 0.9, &v);
    let h = 1e-5;
    let at = |t: f64| {
        let ct: [f64; 3] = std::array::from_fn(|i| c[i] + t * v.c[i]);
        indexed::grad(&ct, 0.9 + t * v.x).1
    };
    let (up, down) = (at(h), at(-h));
    for i in 0..3 {
        let fd = (up.c[i] - down.c[i]) / (2.0 * h);
        assert!(close(hv.c[i], fd), "c[{i}]: {} against {fd}", hv.c[i]);
    }
    let fd = (up.x - down.x) / (2.0 * h);
    assert!(close(hv.x, fd), "x: {} against {fd}", hv.x);
}
