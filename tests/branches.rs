//! `if` on values in scalar bodies: the value of the taken arm, the derivative through
//! it, `else if` chains, `let`s inside arms, early returns, and conditions on integer
//! arguments (a configuration) decided at run time. Checked against finite differences.

use cadena::gradcheck::numeric_gradient;
use cadena::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + b.abs())
}

#[differentiable]
fn clipped(x: f64, y: f64) -> f64 {
    let d = x - y;
    if d.abs() < 1.0 {
        0.5 * d * d
    } else if d > 0.0 {
        let m = d - 0.5;
        m
    } else {
        -d - 0.5
    }
}

#[test]
fn a_huber_loss_written_with_else_if_has_the_gradient_of_its_taken_arm() {
    for (x, y) in [(0.3, 0.1), (3.0, 0.5), (-2.0, 1.0), (0.2, -0.6)] {
        let (value, g) = clipped::grad(x, y);
        assert_eq!(value, clipped(x, y));
        let n = numeric_gradient(|v| clipped(v[0], v[1]), &[x, y], 1e-6);
        assert!(
            close(g.x, n[0]) && close(g.y, n[1]),
            "at ({x}, {y}): {g:?} vs {n:?}"
        );
    }
}

/// Rodrigues' rotation of a point about the axis `w` by the angle `|w|`, with the
/// first-order form near zero (as in bundle adjustment's reprojection residual).
#[differentiable]
fn rotated_x(w0: f64, w1: f64, w2: f64, p0: f64, p1: f64, p2: f64) -> f64 {
    let theta2 = w0 * w0 + w1 * w1 + w2 * w2;
    if theta2 > 1e-12 {
        let theta = theta2.sqrt();
        let (c, s) = (theta.cos(), theta.sin());
        let (k0, k1, k2) = (w0 / theta, w1 / theta, w2 / theta);
        let dot = k0 * p0 + k1 * p1 + k2 * p2;
        let cross0 = k1 * p2 - k2 * p1;
        return p0 * c + cross0 * s + k0 * dot * (1.0 - c);
    }
    p0 + (w1 * p2 - w2 * p1)
}

#[test]
fn rodrigues_rotation_with_an_early_return_matches_finite_differences() {
    let at = [0.3, -0.2, 0.5, 1.0, 2.0, -1.5];
    let (value, g) = rotated_x::grad(at[0], at[1], at[2], at[3], at[4], at[5]);
    assert_eq!(value, rotated_x(at[0], at[1], at[2], at[3], at[4], at[5]));
    let n = numeric_gradient(|v| rotated_x(v[0], v[1], v[2], v[3], v[4], v[5]), &at, 1e-6);
    let analytic = [g.w0, g.w1, g.w2, g.p0, g.p1, g.p2];
    for (a, b) in analytic.iter().zip(&n) {
        assert!(close(*a, *b), "{analytic:?} vs {n:?}");
    }
    // At zero rotation the small-angle arm is taken; the other arm's 0/0 stays out of
    // the value.
    let (value, g) = rotated_x::grad(0.0, 0.0, 0.0, 1.0, 2.0, 3.0);
    assert_eq!(value, 1.0);
    assert_eq!((g.p0, g.w1, g.w2), (1.0, 3.0, -2.0));
}

#[differentiable(wrt(x))]
fn configured(x: f64, layers: usize, smooth: bool) -> f64 {
    let y = if layers > 2 { x * x } else { x.sin() };
    if smooth && layers != 0 {
        softplus(y)
    } else {
        relu(y)
    }
}

#[test]
fn a_condition_on_integer_arguments_chooses_the_graph_at_run_time() {
    let x = 0.8;
    for (layers, smooth) in [(3, true), (1, true), (3, false), (0, true)] {
        let (value, g) = configured::grad(x, layers, smooth);
        assert_eq!(value, configured(x, layers, smooth));
        let n = numeric_gradient(|v| configured(v[0], layers, smooth), &[x], 1e-6);
        assert!(close(g.x, n[0]), "{layers} {smooth}: {} vs {}", g.x, n[0]);
    }
}

/// A configuration enum chosen by `match`.
#[derive(Clone, Copy, Debug)]
pub enum Activation {
    Tanh,
    Relu,
    Scaled(u8),
}

#[differentiable(wrt(x))]
fn activated(x: f64, act: Activation, depth: usize) -> f64 {
    let y = match act {
        Activation::Tanh => x.tanh(),
        Activation::Relu => relu(x),
        Activation::Scaled(k) if k > 1 => {
            let s = x * 0.5;
            s * s
        }
        _ => x,
    };
    match depth {
        0 => y,
        1 | 2 => y * y,
        _ => y.exp(),
    }
}

#[test]
fn a_match_on_a_configuration_chooses_the_graph_at_run_time() {
    let x: f64 = 0.7;
    let cases = [
        (Activation::Tanh, 0, x.tanh(), 1.0 - x.tanh().powi(2)),
        (Activation::Relu, 1, x * x, 2.0 * x),
        (Activation::Scaled(2), 0, 0.25 * x * x, 0.5 * x),
        (Activation::Scaled(1), 3, x.exp(), x.exp()),
    ];
    for (act, depth, value, slope) in cases {
        let (v, g) = activated::grad(x, act, depth);
        assert!((v - value).abs() < 1e-12, "{act:?} {depth}: {v} vs {value}");
        assert!(
            (g.x - slope).abs() < 1e-12,
            "{act:?} {depth}: {} vs {slope}",
            g.x
        );
        assert_eq!(v, activated(x, act, depth));
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Norm {
    None,
    Squash,
}

/// The same in a function of arrays.
#[differentiable(wrt(w))]
fn layer_with(
    w: &cadena::ndarray::Array2<f64>,
    x: &cadena::ndarray::Array2<f64>,
    norm: Norm,
) -> f64 {
    let z = x.dot(w);
    let out = match norm {
        Norm::None => z,
        Norm::Squash => tanh(&z),
    };
    sum(&out * &out)
}

#[test]
fn a_match_in_a_function_of_arrays_takes_the_matching_arm() {
    let w = cadena::ndarray::array![[0.5, -0.2], [0.1, 0.3]];
    let x = cadena::ndarray::array![[1.0, 2.0], [-0.5, 0.4]];
    for norm in [Norm::None, Norm::Squash] {
        let (v, g) = layer_with::grad(&w, &x, norm);
        assert_eq!(v, layer_with(&w, &x, norm));
        let h = 1e-6;
        for (i, j) in [(0, 0), (1, 1), (0, 1)] {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[[i, j]] += h;
            down[[i, j]] -= h;
            let fd = (layer_with(&up, &x, norm) - layer_with(&down, &x, norm)) / (2.0 * h);
            assert!((g.w[[i, j]] - fd).abs() < 1e-7, "{norm:?} {i},{j}");
        }
    }
}
