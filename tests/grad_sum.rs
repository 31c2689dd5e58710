//! `f::grad_sum`: the loss and gradient of a scalar function summed over a batch of
//! samples in one call, equal to summing `f::grad` sample by sample.

use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

#[differentiable(wrt(w, b))]
pub fn generic<T: Float>(w: T, b: T, x: T, y: T) -> T {
    mse(tanh(w * x + b), y)
}

fn samples(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x1 = (0..n).map(|i| ((i as f64) * 0.37).sin() * 3.0).collect();
    let x2 = (0..n).map(|i| ((i as f64) * 0.91).cos() * 2.0).collect();
    let y = (0..n).map(|i| (i % 2) as f64).collect();
    (x1, x2, y)
}

#[test]
fn the_batched_gradient_is_the_sum_of_per_sample_gradients() {
    let (x1, x2, y) = samples(1000);
    let (w1, w2, b) = (0.4, -0.7, 0.1);
    let (loss, g) = neuron::grad_sum(w1, w2, b, &x1, &x2, &y);
    let (mut l, mut s) = (0.0, [0.0; 3]);
    for i in 0..x1.len() {
        let (li, gi) = neuron::grad(w1, w2, b, x1[i], x2[i], y[i]);
        l += li;
        s[0] += gi.w1;
        s[1] += gi.w2;
        s[2] += gi.b;
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    assert!(close(loss, l), "{loss} {l}");
    assert!(close(g.w1, s[0]) && close(g.w2, s[1]) && close(g.b, s[2]));
    // Empty batches sum to zero.
    let (l0, g0) = neuron::grad_sum(w1, w2, b, &[], &[], &[]);
    assert_eq!((l0, g0.w1), (0.0, 0.0));
}

#[test]
fn generic_functions_batch_at_both_widths() {
    let xs = [0.5_f32, -1.0, 2.0];
    let ys = [0.1_f32, 0.2, -0.3];
    let (l, g) = generic::grad_sum(0.3_f32, -0.1, &xs, &ys);
    let manual: f32 = (0..3)
        .map(|i| generic::grad(0.3_f32, -0.1, xs[i], ys[i]).1.w)
        .sum();
    assert!((g.w - manual).abs() < 1e-6 && l > 0.0);
}

#[test]
#[should_panic(expected = "one entry per sample")]
fn slices_of_different_lengths_are_refused() {
    let _ = neuron::grad_sum(0.0, 0.0, 0.0, &[1.0, 2.0], &[1.0], &[0.0, 1.0]);
}

#[differentiable(wrt(w11, w12, b1, w2, b2))]
#[allow(clippy::too_many_arguments)]
pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let a1 = tanh(w11 * x1 + w12 * x2 + b1);
    bce(sigmoid(w2 * a1 + b2), y)
}

#[test]
fn chunks_over_lanes_agree_with_grad_to_rounding_at_any_length_and_extreme_logits() {
    for n in [0, 1, 7, 8, 9, 1003] {
        let (x1, x2, y) = samples(n);
        // Weights large enough that some logits reach ±800.
        for (w, b2) in [
            ([0.4, -0.7, 0.1, 0.9], -0.2),
            ([300.0, -250.0, 2.0, 800.0], 0.5),
        ] {
            let (loss, g) = shallow::grad_sum(w[0], w[1], w[2], w[3], b2, &x1, &x2, &y);
            let (mut l, mut s) = (0.0, [0.0; 5]);
            for i in 0..n {
                let (li, gi) = shallow::grad(w[0], w[1], w[2], w[3], b2, x1[i], x2[i], y[i]);
                l += li;
                for (acc, v) in s.iter_mut().zip([gi.w11, gi.w12, gi.b1, gi.w2, gi.b2]) {
                    *acc += v;
                }
            }
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
            assert!(loss.is_finite() && close(loss, l), "n = {n}: {loss} vs {l}");
            for (got, want) in [g.w11, g.w12, g.b1, g.w2, g.b2].into_iter().zip(s) {
                assert!(close(got, want), "n = {n}: {got} vs {want}");
            }
        }
    }
}

/// A scalar function with a loop still batches (the loop runs inside each lane).
#[differentiable(wrt(w))]
pub fn iterated(w: f64, x: f64) -> f64 {
    let mut h = x;
    for _ in 0..3 {
        h = tanh(w * h + 0.1);
    }
    h * h
}

#[test]
fn a_function_with_a_loop_batches_too() {
    let xs: Vec<f64> = (0..13).map(|i| (i as f64 * 0.7).sin()).collect();
    let (l, g) = iterated::grad_sum(0.8, &xs);
    let (mut l2, mut g2) = (0.0, 0.0);
    for &x in &xs {
        let (li, gi) = iterated::grad(0.8, x);
        l2 += li;
        g2 += gi.w;
    }
    assert!((l - l2).abs() <= 1e-12 * l2.abs() && (g.w - g2).abs() <= 1e-12 * g2.abs());
}

/// One unit of two inputs, and a network of three such units with its weights in float
/// arrays (`deep`'s pattern).
#[differentiable]
pub fn unit(w1: f64, w2: f64, b: f64, x1: f64, x2: f64) -> f64 {
    w1 * x1 + w2 * x2 + b
}

#[differentiable(wrt(hidden, out))]
pub fn small_deep(hidden: &[f64; 6], out: [f64; 3], x1: f64, x2: f64, y: f64) -> f64 {
    let h1 = tanh(unit(hidden[0], hidden[1], hidden[2], x1, x2));
    let h2 = tanh(unit(hidden[3], hidden[4], hidden[5], x1, x2));
    bce(sigmoid(unit(out[0], out[1], out[2], h1, h2)), y)
}

#[test]
fn float_array_arguments_are_summed_element_by_element() {
    let hidden = [0.3, -0.8, 0.1, 0.7, 0.4, -0.2];
    let out = [1.1, -0.6, 0.05];
    for n in [0, 5, 8, 17, 203] {
        let (x1, x2, y) = samples(n);
        let (loss, g) = small_deep::grad_sum(&hidden, out, &x1, &x2, &y);
        let (mut l, mut gh, mut go) = (0.0, [0.0; 6], [0.0; 3]);
        for i in 0..n {
            let (li, gi) = small_deep::grad(&hidden, out, x1[i], x2[i], y[i]);
            l += li;
            gh.iter_mut().zip(gi.hidden).for_each(|(a, b)| *a += b);
            go.iter_mut().zip(gi.out).for_each(|(a, b)| *a += b);
        }
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
        assert!(close(loss, l) || loss == l, "{n}: {loss} {l}");
        for (a, b) in g.hidden.iter().zip(&gh).chain(g.out.iter().zip(&go)) {
            assert!(close(*a, *b) || a == b, "{n}: {a} {b}");
        }
    }
}
