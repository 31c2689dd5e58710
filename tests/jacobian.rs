//! `f::jacobian`: one gradient per output element of a function returning a tuple of
//! floats or a vector, from a pullback that can be called again (`Fn`); checked against
//! central finite differences.

use cadena::gradcheck::numeric_gradient;
use cadena::ndarray::{Array1, Array2, array};
use cadena::prelude::*;

#[differentiable]
fn polar(r: f64, theta: f64) -> (f64, f64) {
    (r * theta.cos(), r * theta.sin())
}

#[test]
fn the_jacobian_of_polar_coordinates_is_the_textbook_one() {
    let (r, theta) = (2.0, 0.7);
    let ((x, y), rows) = polar::jacobian(r, theta);
    assert_eq!((x, y), polar(r, theta));
    assert_eq!(rows.len(), 2);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(rows[0].r, theta.cos()) && close(rows[0].theta, -r * theta.sin()));
    assert!(close(rows[1].r, theta.sin()) && close(rows[1].theta, r * theta.cos()));
}

#[differentiable(wrt(x))]
fn layer(w: &Array2<f64>, x: &Array1<f64>) -> Array1<f64> {
    tanh(w.dot(x))
}

#[test]
fn the_jacobian_of_a_vector_function_has_one_row_per_output_element() {
    let w = array![[0.5, -1.0, 0.25], [2.0, 0.1, -0.3]];
    let x = array![0.3, -0.2, 0.9];
    let (value, rows) = layer::jacobian(&w, &x);
    assert_eq!(value, layer(&w, &x));
    assert_eq!(rows.len(), 2);
    for (k, row) in rows.iter().enumerate() {
        let numeric = numeric_gradient(
            |v| layer(&w, &Array1::from(v.to_vec()))[k],
            x.as_slice().unwrap(),
            1e-6,
        );
        for (a, n) in row.x.iter().zip(&numeric) {
            assert!((a - n).abs() < 1e-8, "row {k}: {a} vs {n}");
        }
    }
}

#[test]
fn a_pullback_of_borrowed_arguments_can_be_called_again() {
    let w = array![[1.0, 2.0], [3.0, 4.0]];
    let x = array![0.1, 0.2];
    let (_, pullback) = layer::vjp(&w, &x);
    let first = pullback(array![1.0, 0.0]);
    let again = pullback(array![1.0, 0.0]);
    assert_eq!(first, again);
}

/// Four steps of a rotation-like map, two carried values.
#[differentiable]
fn orbit(x: f64, y: f64) -> (f64, f64) {
    let mut a = x;
    let mut b = y;
    for _ in 0..4 {
        let n = a * 0.9 - b.sin() * 0.2;
        b = b * 0.9 + a.sin() * 0.2;
        a = n;
    }
    (a, b)
}

/// A recurrence applied three times to a vector.
#[differentiable(wrt(x))]
fn recurrence(w: &Array2<f64>, x: &Array1<f64>) -> Array1<f64> {
    let mut h = x.to_owned();
    for _ in 0..3 {
        h = tanh(w.dot(&h));
    }
    h
}

#[test]
fn jacobians_through_loops_match_finite_differences() {
    let (x, y) = (0.4, -0.7);
    let (value, rows) = orbit::jacobian(x, y);
    assert_eq!(value, orbit(x, y));
    let outputs = [
        |v: &[f64]| orbit(v[0], v[1]).0,
        |v: &[f64]| orbit(v[0], v[1]).1,
    ];
    for (k, (row, f)) in rows.iter().zip(outputs).enumerate() {
        let numeric = numeric_gradient(f, &[x, y], 1e-6);
        assert!(
            (row.x - numeric[0]).abs() < 1e-8,
            "row {k}: {} vs {}",
            row.x,
            numeric[0]
        );
        assert!(
            (row.y - numeric[1]).abs() < 1e-8,
            "row {k}: {} vs {}",
            row.y,
            numeric[1]
        );
    }

    let w = array![[0.5, -1.0, 0.25], [2.0, 0.1, -0.3], [0.3, 0.7, -0.2]];
    let v = array![0.3, -0.2, 0.9];
    let (value, rows) = recurrence::jacobian(&w, &v);
    assert_eq!(value, recurrence(&w, &v));
    assert_eq!(rows.len(), 3);
    for (k, row) in rows.iter().enumerate() {
        let numeric = numeric_gradient(
            |u| recurrence(&w, &Array1::from(u.to_vec()))[k],
            v.as_slice().unwrap(),
            1e-6,
        );
        for (a, n) in row.x.iter().zip(&numeric) {
            assert!((a - n).abs() < 1e-8, "row {k}: {a} vs {n}");
        }
    }
}
