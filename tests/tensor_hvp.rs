//! `f::hvp` on tensor functions (`#[differentiable(.., hvp)]`): the Hessian of a
//! network's loss times a direction, with respect to arrays and to parameter structs,
//! checked against central differences of `f::grad` along the direction.

use cadena::ndarray::{Array, Array1, Array2, Array3, Array4, Axis, array, s};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug)]
pub struct Mlp {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

/// A two-layer network with a softmax cross-entropy loss and weight decay.
#[differentiable(wrt(p), hvp)]
fn classifier(p: &Mlp, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(&p.w1) + &p.b1);
    softmax_cross_entropy(h.dot(&p.w2) + &p.b2, y) + 0.01 * mean(&p.w1 * &p.w1)
}

/// The same shape of network as a regression, on arrays given one by one.
#[differentiable(wrt(w1, b1, w2), hvp)]
fn regression(
    w1: &Array2<f64>,
    b1: &Array1<f64>,
    w2: &Array2<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
) -> f64 {
    let h = sigmoid(x.dot(w1) + b1);
    mse(h.dot(w2), y)
}

#[derive(Parameters, Clone, Debug)]
pub struct Embedded {
    pub table: Array2<f64>,
    pub w: Array2<f64>,
}

/// Rows gathered from an embedding table, a region sliced out, rows centred by their
/// mean, one column picked, column sums: each backward op of these is differentiated
/// again.
#[differentiable(wrt(p), hvp)]
fn gathered(p: &Embedded, ids: &[usize], y: &Array2<f64>) -> f64 {
    let e = p.table.select(Axis(0), ids);
    let h = tanh(e.dot(&p.w));
    let first = h.slice(s![.., 0..2]);
    let centred = &first - &first.mean_axis(Axis(1)).insert_axis(Axis(1));
    let last = h.index_axis(Axis(1), 2);
    let totals = h.sum_axis(Axis(0));
    mse(centred, y) + 0.3 * sum(&last * &last) + 0.2 * sum(&totals * &totals)
}

/// A map scaled elementwise by `w`, squashed, average-pooled and squared.
#[differentiable(wrt(w), hvp)]
fn pooled(w: &Array2<f64>, x: &Array4<f64>) -> f64 {
    let a = tanh(x * w);
    let p = avg_pool2d(&a, (2, 2), (1, 1));
    sum(&p * &p)
}

#[derive(Parameters, Clone, Debug)]
pub struct Convs {
    pub w1: Array3<f64>,
    pub b1: Array1<f64>,
    pub w2: Array4<f64>,
    pub b2: Array1<f64>,
}

/// A 1-D and a 2-D convolution, each with its bias and a nonlinearity, padded and
/// strided: the curvature with respect to the input and to every weight.
#[differentiable(wrt(p, x), hvp)]
fn convolved(p: &Convs, x: &Array3<f64>, z: &Array4<f64>) -> f64 {
    let a = tanh(conv1d(x, &p.w1, &p.b1, 2, 1));
    let c = sigmoid(conv2d(z, &p.w2, &p.b2, (1, 1), (1, 0)));
    mean(&a * &a) + sum(&c * &c) * 0.1
}

/// Max pools in one and two dimensions between nonlinearities.
#[differentiable(wrt(x, z), hvp)]
fn max_pooled(x: &Array3<f64>, z: &Array4<f64>) -> f64 {
    let a = max_pool1d(&tanh(x), 2, 1);
    let c = max_pool2d(&(z * z * z), (2, 2), (1, 2));
    sum(&a * &a) + mean(sigmoid(c))
}

/// A softmax along an axis and a log-sum-exp, each of a product with the weights.
#[differentiable(wrt(w), hvp)]
fn normalised(w: &Array2<f64>, x: &Array2<f64>, t: &Array2<f64>) -> f64 {
    let z = x.dot(w);
    let p = softmax(&z, Axis(1));
    let l = logsumexp(&(&z * 0.5), Axis(0));
    mean(&p * t) + sum(&l * &l) * 0.1
}

/// The largest and the smallest of each row, after a nonlinearity.
#[differentiable(wrt(w), hvp)]
fn extremes(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(w));
    let top = max_axis(&h, Axis(1));
    let bottom = min_axis(&h, Axis(0));
    sum(&top * &top) + mean(sigmoid(bottom))
}

/// Softmax and log-softmax along the last axis, not fused into a loss: their backward
/// ops differentiated again.
#[differentiable(wrt(w), hvp)]
fn probabilities(w: &Array2<f64>, x: &Array2<f64>, t: &Array2<f64>) -> f64 {
    let z = x.dot(w);
    let p = softmax(&z);
    let lp = log_softmax(&(&z * 0.7));
    mean(&p * t) + mean(&(&lp * &lp) * t) * 0.3
}

/// The losses on probabilities, each from a squashed product: cross-entropy, binary
/// cross-entropy of a probability and of a sigmoid (the logistic form).
#[differentiable(wrt(w), hvp)]
fn losses(w: &Array2<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let z = x.dot(w);
    let p = sigmoid(&z) * 0.5 + 0.25;
    let a = tanh(&z) * 0.4 + 0.5;
    cross_entropy(&p, y) + bce(&a, y) * 0.5 + bce(&sigmoid(&z * 1.3), y) * 0.25
}

/// Two activations side by side along the columns, then squashed and summed.
#[differentiable(wrt(w), hvp)]
fn joined(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let a = tanh(x.dot(w));
    let b = &a * &a;
    let c = concatenate![Axis(1), a, b, a];
    sum(sigmoid(&c * 2.0))
}

#[derive(Parameters, Clone, Debug)]
pub struct Lin {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug)]
pub struct Stacked {
    pub layers: Vec<Lin>,
}

/// Two layers of a stack, each read by a literal index.
#[differentiable(wrt(p), hvp)]
fn two_layers(p: &Stacked, x: &Array2<f64>) -> f64 {
    let h = tanh(x.dot(&p.layers[0].w) + &p.layers[0].b);
    mean(tanh(h.dot(&p.layers[1].w) + &p.layers[1].b))
}

fn network() -> Mlp {
    Mlp {
        w1: array![[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]],
        b1: array![0.1, -0.2, 0.05],
        w2: array![[0.4, 0.1], [-0.6, 0.3], [0.2, -0.1]],
        b2: array![0.05, -0.05],
    }
}

fn data() -> (Array2<f64>, Array2<f64>) {
    let x = array![[1.0, 2.0], [-0.5, 0.3], [0.2, 0.7], [0.9, -1.1]];
    let y = array![[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]];
    (x, y)
}

/// `a + s d`, layer by layer.
fn stacked_along(a: &Stacked, d: &Stacked, s: f64) -> Stacked {
    Stacked {
        layers: (a.layers.iter().zip(&d.layers))
            .map(|(l, dl)| Lin {
                w: &l.w + &(&dl.w * s),
                b: &l.b + &(&dl.b * s),
            })
            .collect(),
    }
}

/// `a + s d`, field by field.
fn along(a: &Mlp, d: &Mlp, s: f64) -> Mlp {
    Mlp {
        w1: &a.w1 + &(&d.w1 * s),
        b1: &a.b1 + &(&d.b1 * s),
        w2: &a.w2 + &(&d.w2 * s),
        b2: &a.b2 + &(&d.b2 * s),
    }
}

fn close<D: cadena::ndarray::Dimension>(
    what: &str,
    hv: &cadena::ndarray::Array<f64, D>,
    fd: &cadena::ndarray::Array<f64, D>,
) {
    for (a, b) in hv.iter().zip(fd) {
        assert!(
            (a - b).abs() <= 1e-7 * b.abs().max(1.0),
            "{what}: {hv} against {fd}"
        );
    }
}

#[test]
fn the_hessian_of_a_classifier_times_a_direction_matches_differences_of_its_gradient() {
    let (p, (x, y)) = (network(), data());
    let d = Mlp {
        w1: array![[1.0, 0.5, -0.2], [-0.3, 0.2, 0.7]],
        b1: array![0.2, -0.4, 0.1],
        w2: array![[0.1, 0.2], [0.3, -0.5], [-0.2, 0.4]],
        b2: array![0.3, -0.1],
    };
    let hv = classifier::hvp(&p, &x, &y, &classifier::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let plus = classifier::grad(&along(&p, &d, h), &x, &y).1.p;
    let minus = classifier::grad(&along(&p, &d, -h), &x, &y).1.p;
    close("w1", &hv.w1, &((&plus.w1 - &minus.w1) / (2.0 * h)));
    close("b1", &hv.b1, &((&plus.b1 - &minus.b1) / (2.0 * h)));
    close("w2", &hv.w2, &((&plus.w2 - &minus.w2) / (2.0 * h)));
    close("b2", &hv.b2, &((&plus.b2 - &minus.b2) / (2.0 * h)));
}

#[test]
fn the_hessian_with_respect_to_arrays_given_one_by_one_matches_too() {
    let (p, (x, _)) = (network(), data());
    let y = array![[0.5, -0.2], [0.1, 0.3], [0.0, 0.8], [-0.4, 0.2]];
    let d = regression::Grad {
        w1: array![[0.5, -1.0, 0.2], [0.3, 0.1, -0.6]],
        b1: array![-0.1, 0.3, 0.2],
        w2: array![[0.2, -0.1], [0.4, 0.5], [-0.3, 0.1]],
    };
    let hv = regression::hvp(&p.w1, &p.b1, &p.w2, &x, &y, &d);
    let h = 1e-5;
    let at = |s: f64| {
        regression::grad(
            &(&p.w1 + &(&d.w1 * s)),
            &(&p.b1 + &(&d.b1 * s)),
            &(&p.w2 + &(&d.w2 * s)),
            &x,
            &y,
        )
        .1
    };
    let (plus, minus) = (at(h), at(-h));
    close("w1", &hv.w1, &((&plus.w1 - &minus.w1) / (2.0 * h)));
    close("b1", &hv.b1, &((&plus.b1 - &minus.b1) / (2.0 * h)));
    close("w2", &hv.w2, &((&plus.w2 - &minus.w2) / (2.0 * h)));
}

#[test]
fn the_hessian_through_gathers_slices_and_axis_reductions_matches_differences() {
    let p = Embedded {
        table: array![[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.7, -0.1]],
        w: array![[0.4, 0.1, -0.3], [-0.6, 0.3, 0.2]],
    };
    let d = Embedded {
        table: array![[1.0, 0.5], [-0.3, 0.2], [0.4, -0.7], [0.2, 0.1]],
        w: array![[0.1, 0.2, -0.4], [0.3, -0.5, 0.6]],
    };
    // Id 1 twice: the scatter-add and its gather both see a repeated id.
    let ids = [1_usize, 3, 1, 0];
    let y = array![[0.5, -0.2], [0.1, 0.3], [0.0, 0.8], [-0.4, 0.2]];
    let hv = gathered::hvp(&p, &ids, &y, &gathered::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let at = |s: f64| {
        let q = Embedded {
            table: &p.table + &(&d.table * s),
            w: &p.w + &(&d.w * s),
        };
        gathered::grad(&q, &ids, &y).1.p
    };
    let (plus, minus) = (at(h), at(-h));
    close(
        "table",
        &hv.table,
        &((&plus.table - &minus.table) / (2.0 * h)),
    );
    close("w", &hv.w, &((&plus.w - &minus.w) / (2.0 * h)));
    // Row 2 of the table is never gathered: no curvature there.
    assert!(hv.table.row(2).iter().all(|&v| v == 0.0));
}

#[test]
fn the_hessian_through_an_average_pool_matches_differences() {
    let x = Array::from_shape_fn((2, 1, 3, 4), |(n, _, i, j)| {
        ((n * 12 + i * 4 + j) as f64 * 0.37).sin()
    });
    let w = Array::from_shape_fn((3, 4), |(i, j)| 0.5 + 0.1 * (i as f64) - 0.2 * (j as f64));
    let d = Array::from_shape_fn((3, 4), |(i, j)| ((i * 4 + j) as f64 * 0.71).cos());
    let hv = pooled::hvp(&w, &x, &pooled::Grad { w: d.clone() }).w;
    let h = 1e-5;
    let at = |s: f64| pooled::grad(&(&w + &(&d * s)), &x).1.w;
    close("w", &hv, &((&at(h) - &at(-h)) / (2.0 * h)));
}

#[test]
fn the_hessian_through_convolutions_matches_differences() {
    let wave = |k: usize, s: f64| ((k as f64) * s).sin() * 0.5;
    let p = Convs {
        w1: Array::from_shape_fn((3, 2, 3), |(o, c, j)| wave(o * 6 + c * 3 + j, 0.9)),
        b1: array![0.1, -0.2, 0.05],
        w2: Array::from_shape_fn((2, 1, 2, 2), |(o, c, i, j)| {
            wave(o * 4 + c * 4 + i * 2 + j, 1.3)
        }),
        b2: array![-0.1, 0.2],
    };
    let d = Convs {
        w1: Array::from_shape_fn((3, 2, 3), |(o, c, j)| wave(o * 6 + c * 3 + j + 1, 0.7)),
        b1: array![0.3, 0.1, -0.4],
        w2: Array::from_shape_fn((2, 1, 2, 2), |(o, c, i, j)| {
            wave(o * 4 + c * 4 + i * 2 + j + 2, 1.1)
        }),
        b2: array![0.2, -0.3],
    };
    let x = Array::from_shape_fn((2, 2, 7), |(n, c, i)| wave(n * 14 + c * 7 + i, 0.37) * 2.0);
    let dx = Array::from_shape_fn((2, 2, 7), |(n, c, i)| wave(n * 14 + c * 7 + i + 3, 0.53));
    let z = Array::from_shape_fn((1, 1, 4, 5), |(_, _, i, j)| wave(i * 5 + j, 0.61) * 2.0);
    let v = convolved::Grad {
        p: d.clone(),
        x: dx.clone(),
    };
    let hv = convolved::hvp(&p, &x, &z, &v);
    let h = 1e-5;
    let at = |s: f64| {
        let q = Convs {
            w1: &p.w1 + &(&d.w1 * s),
            b1: &p.b1 + &(&d.b1 * s),
            w2: &p.w2 + &(&d.w2 * s),
            b2: &p.b2 + &(&d.b2 * s),
        };
        convolved::grad(&q, &(&x + &(&dx * s)), &z).1
    };
    let (plus, minus) = (at(h), at(-h));
    close("w1", &hv.p.w1, &((&plus.p.w1 - &minus.p.w1) / (2.0 * h)));
    close("b1", &hv.p.b1, &((&plus.p.b1 - &minus.p.b1) / (2.0 * h)));
    close("w2", &hv.p.w2, &((&plus.p.w2 - &minus.p.w2) / (2.0 * h)));
    close("b2", &hv.p.b2, &((&plus.p.b2 - &minus.p.b2) / (2.0 * h)));
    close("x", &hv.x, &((&plus.x - &minus.x) / (2.0 * h)));
}

#[test]
fn the_hessian_through_max_pools_matches_differences() {
    // Distinct values, far enough apart that a step of 1e-5 moves no window's maximum.
    let x = Array::from_shape_fn((2, 2, 6), |(n, c, i)| {
        ((n * 12 + c * 6 + i) as f64 * 1.7).sin()
    });
    let z = Array::from_shape_fn((1, 2, 3, 5), |(_, c, i, j)| {
        ((c * 15 + i * 5 + j) as f64 * 2.3).cos()
    });
    let dx = Array::from_shape_fn((2, 2, 6), |(n, c, i)| {
        ((n * 12 + c * 6 + i) as f64 * 0.9).cos()
    });
    let dz = Array::from_shape_fn((1, 2, 3, 5), |(_, c, i, j)| {
        ((c * 15 + i * 5 + j) as f64 * 0.4).sin()
    });
    let v = max_pooled::Grad {
        x: dx.clone(),
        z: dz.clone(),
    };
    let hv = max_pooled::hvp(&x, &z, &v);
    let h = 1e-6;
    let at = |s: f64| max_pooled::grad(&(&x + &(&dx * s)), &(&z + &(&dz * s))).1;
    let (plus, minus) = (at(h), at(-h));
    close("x", &hv.x, &((&plus.x - &minus.x) / (2.0 * h)));
    close("z", &hv.z, &((&plus.z - &minus.z) / (2.0 * h)));
}

#[test]
fn the_hessian_through_softmax_and_logsumexp_matches_differences() {
    let (x, _) = data();
    let w = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let d = array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]];
    let t = array![
        [1.0, 0.0, 2.0],
        [0.5, -1.0, 0.0],
        [0.0, 1.0, 1.0],
        [2.0, 0.0, -1.0]
    ];
    let hv = normalised::hvp(&w, &x, &t, &normalised::Grad { w: d.clone() }).w;
    let h = 1e-5;
    let at = |s: f64| normalised::grad(&(&w + &(&d * s)), &x, &t).1.w;
    close("w", &hv, &((&at(h) - &at(-h)) / (2.0 * h)));
}

#[test]
fn the_hessian_through_max_and_min_along_an_axis_matches_differences() {
    let (x, _) = data();
    let w = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let d = array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]];
    let hv = extremes::hvp(&w, &x, &extremes::Grad { w: d.clone() }).w;
    let h = 1e-6;
    let at = |s: f64| extremes::grad(&(&w + &(&d * s)), &x).1.w;
    close("w", &hv, &((&at(h) - &at(-h)) / (2.0 * h)));
}

/// Central differences of `grad` along `d` at `w` for a function of one weight matrix.
fn differences(
    grad: impl Fn(&Array2<f64>) -> Array2<f64>,
    w: &Array2<f64>,
    d: &Array2<f64>,
) -> Array2<f64> {
    let h = 1e-5;
    (grad(&(w + &(d * h))) - grad(&(w - &(d * h)))) / (2.0 * h)
}

#[test]
fn the_hessian_through_softmax_and_log_softmax_matches_differences() {
    let (x, _) = data();
    let w = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let d = array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]];
    let t = array![
        [1.0, 0.0, 2.0],
        [0.5, -1.0, 0.0],
        [0.0, 1.0, 1.0],
        [2.0, 0.0, -1.0]
    ];
    let hv = probabilities::hvp(&w, &x, &t, &probabilities::Grad { w: d.clone() }).w;
    let fd = differences(|w| probabilities::grad(w, &x, &t).1.w, &w, &d);
    close("w", &hv, &fd);
}

#[test]
fn the_hessian_through_cross_entropy_and_both_binary_losses_matches_differences() {
    let (x, _) = data();
    let w = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let d = array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]];
    let y = array![
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.3, 0.3, 0.4]
    ];
    let hv = losses::hvp(&w, &x, &y, &losses::Grad { w: d.clone() }).w;
    let fd = differences(|w| losses::grad(w, &x, &y).1.w, &w, &d);
    close("w", &hv, &fd);
}

#[test]
fn the_hessian_through_a_concatenation_matches_differences() {
    let (x, _) = data();
    let w = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let d = array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]];
    let hv = joined::hvp(&w, &x, &joined::Grad { w: d.clone() }).w;
    let fd = differences(|w| joined::grad(w, &x).1.w, &w, &d);
    close("w", &hv, &fd);
}

#[test]
fn the_hessian_with_respect_to_layers_read_by_index_matches_differences() {
    let (x, _) = data();
    let p = Stacked {
        layers: vec![
            Lin {
                w: array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]],
                b: array![0.1, -0.1, 0.2],
            },
            Lin {
                w: array![[0.3, 0.2], [-0.5, 0.1], [0.2, 0.4]],
                b: array![-0.2, 0.3],
            },
        ],
    };
    let d = Stacked {
        layers: vec![
            Lin {
                w: array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]],
                b: array![0.2, 0.3, -0.1],
            },
            Lin {
                w: array![[-0.1, 0.4], [0.2, 0.2], [0.5, -0.3]],
                b: array![0.1, -0.4],
            },
        ],
    };
    let hv = two_layers::hvp(&p, &x, &two_layers::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let at = |s: f64| two_layers::grad(&stacked_along(&p, &d, s), &x).1.p;
    let (up, down) = (at(h), at(-h));
    for k in 0..2 {
        let fd_w = (&up.layers[k].w - &down.layers[k].w) / (2.0 * h);
        let fd_b = (&up.layers[k].b - &down.layers[k].b) / (2.0 * h);
        close("w", &hv.layers[k].w, &fd_w);
        close("b", &hv.layers[k].b, &fd_b);
    }
}

#[derive(Parameters, Clone, Debug)]
pub struct Rnn {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
}

/// An Elman network over the columns of `x`, its loss summed over the steps.
#[differentiable(wrt(p), hvp)]
fn recurrent(p: &Rnn, x: &Array3<f64>, h0: &Array2<f64>) -> f64 {
    let mut h = h0.to_owned();
    let mut loss = 0.0;
    for xt in x.axis_iter(Axis(0)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
        loss = loss + mean(&h * &h);
    }
    loss
}

#[test]
fn the_hessian_through_a_recurrent_loop_matches_differences() {
    let p = Rnn {
        wx: array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]],
        wh: array![[0.3, 0.2, -0.1], [-0.5, 0.1, 0.2], [0.2, 0.4, 0.1]],
        b: array![0.1, -0.1, 0.2],
    };
    let d = Rnn {
        wx: array![[0.3, 0.1, -0.2], [-0.4, 0.2, 0.5]],
        wh: array![[-0.1, 0.4, 0.2], [0.2, 0.2, -0.3], [0.5, -0.3, 0.1]],
        b: array![0.2, 0.3, -0.1],
    };
    let x = Array3::from_shape_fn((4, 3, 2), |(t, r, c)| {
        ((t * 6 + r * 2 + c) as f64 * 0.7).sin()
    });
    let h0 = Array2::from_shape_fn((3, 3), |(r, c)| ((r * 3 + c) as f64 * 0.3).cos() * 0.5);
    let hv = recurrent::hvp(&p, &x, &h0, &recurrent::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let at = |s: f64| {
        let q = Rnn {
            wx: &p.wx + &(&d.wx * s),
            wh: &p.wh + &(&d.wh * s),
            b: &p.b + &(&d.b * s),
        };
        recurrent::grad(&q, &x, &h0).1.p
    };
    let (up, down) = (at(h), at(-h));
    close("wx", &hv.wx, &((&up.wx - &down.wx) / (2.0 * h)));
    close("wh", &hv.wh, &((&up.wh - &down.wh) / (2.0 * h)));
    close("b", &hv.b, &((&up.b - &down.b) / (2.0 * h)));
}

#[derive(Parameters, Clone, Debug)]
pub struct Mixture {
    pub alphas: Array1<f64>,
    pub means: Array2<f64>,
    pub q: Array2<f64>,
}

/// A Gaussian mixture's log-likelihood (diagonal precisions): a loop over the components
/// pushing one column of log-densities each, stacked and joined by `logsumexp`.
#[differentiable(wrt(p), hvp)]
fn mixture(p: &Mixture, x: &Array2<f64>, k: usize) -> f64 {
    let mut columns = Vec::new();
    for j in 0..k {
        let mean = p.means.index_axis(Axis(0), j);
        let q = p.q.index_axis(Axis(0), j);
        let qx = (x - &mean) * exp(&q);
        let log_density =
            p.alphas.slice(s![j..j + 1]) + sum(&q) - 0.5 * (&qx * &qx).sum_axis(Axis(1));
        columns.push(log_density);
    }
    let by_component = stack(Axis(1), &columns);
    sum(logsumexp(&by_component, Axis(1))) - 4.0 * sum(logsumexp(&p.alphas, Axis(0)))
}

/// Layers of a stack in a loop, then a softmax cross-entropy.
#[differentiable(wrt(p), hvp)]
fn deep(p: &Stacked, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let mut h = x.to_owned();
    for l in &p.layers {
        h = tanh(h.dot(&l.w) + &l.b);
    }
    softmax_cross_entropy(h, y)
}

#[test]
fn the_hessian_of_a_mixture_through_its_loop_over_components_matches_differences() {
    let p = Mixture {
        alphas: array![0.2, -0.3, 0.5],
        means: array![[0.1, 0.4], [-0.5, 0.2], [0.3, -0.6]],
        q: array![[0.1, -0.2], [0.3, 0.0], [-0.1, 0.2]],
    };
    let d = Mixture {
        alphas: array![0.3, 0.1, -0.2],
        means: array![[-0.2, 0.1], [0.4, 0.3], [0.1, -0.5]],
        q: array![[0.2, 0.1], [-0.3, 0.2], [0.1, 0.4]],
    };
    let x = array![[0.5, -0.2], [0.1, 0.8], [-0.7, 0.3], [0.2, 0.1]];
    let hv = mixture::hvp(&p, &x, 3, &mixture::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let at = |s: f64| {
        let q = Mixture {
            alphas: &p.alphas + &(&d.alphas * s),
            means: &p.means + &(&d.means * s),
            q: &p.q + &(&d.q * s),
        };
        mixture::grad(&q, &x, 3).1.p
    };
    let (up, down) = (at(h), at(-h));
    close(
        "alphas",
        &hv.alphas,
        &((&up.alphas - &down.alphas) / (2.0 * h)),
    );
    close("means", &hv.means, &((&up.means - &down.means) / (2.0 * h)));
    close("q", &hv.q, &((&up.q - &down.q) / (2.0 * h)));
}

#[test]
fn the_hessian_through_a_loop_over_a_stack_of_layers_matches_differences() {
    let (x, y) = data();
    let layer = |i: usize, o: usize, seed: f64| Lin {
        w: Array2::from_shape_fn((i, o), |(r, c)| {
            ((r * o + c) as f64 * 0.37 + seed).sin() * 0.6
        }),
        b: Array1::from_shape_fn(o, |k| (k as f64 + seed).cos() * 0.1),
    };
    let p = Stacked {
        layers: vec![layer(2, 3, 0.1), layer(3, 3, 0.7), layer(3, 2, 1.3)],
    };
    let d = Stacked {
        layers: vec![layer(2, 3, 2.1), layer(3, 3, 0.2), layer(3, 2, 0.9)],
    };
    let hv = deep::hvp(&p, &x, &y, &deep::Grad { p: d.clone() }).p;
    let h = 1e-5;
    let at = |s: f64| deep::grad(&stacked_along(&p, &d, s), &x, &y).1.p;
    let (up, down) = (at(h), at(-h));
    for k in 0..3 {
        close(
            "w",
            &hv.layers[k].w,
            &((&up.layers[k].w - &down.layers[k].w) / (2.0 * h)),
        );
        close(
            "b",
            &hv.layers[k].b,
            &((&up.layers[k].b - &down.layers[k].b) / (2.0 * h)),
        );
    }
}

#[derive(Parameters, Clone, Debug)]
pub struct Rnn32 {
    pub wx: Array2<f32>,
    pub wh: Array2<f32>,
    pub b: Array1<f32>,
}

/// `recurrent` in f32.
#[differentiable(wrt(p), hvp)]
fn recurrent32(p: &Rnn32, x: &Array3<f32>, h0: &Array2<f32>) -> f32 {
    let mut h = h0.to_owned();
    let mut loss = 0.0;
    for xt in x.axis_iter(Axis(0)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
        loss = loss + mean(&h * &h);
    }
    loss
}

#[test]
fn the_hessian_through_a_loop_in_f32_agrees_with_f64() {
    let wx = array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.6]];
    let wh = array![[0.3, 0.2, -0.1], [-0.5, 0.1, 0.2], [0.2, 0.4, 0.1]];
    let b = array![0.1, -0.1, 0.2];
    let x = Array3::from_shape_fn((4, 3, 2), |(t, r, c)| {
        ((t * 6 + r * 2 + c) as f64 * 0.7).sin()
    });
    let h0 = Array2::from_shape_fn((3, 3), |(r, c)| ((r * 3 + c) as f64 * 0.3).cos() * 0.5);
    let (dx, dh, db) = (&wx * 0.5, &wh * -0.3, &b * 2.0);
    let p = Rnn {
        wx: wx.clone(),
        wh: wh.clone(),
        b: b.clone(),
    };
    let d = Rnn {
        wx: dx.clone(),
        wh: dh.clone(),
        b: db.clone(),
    };
    let hv = recurrent::hvp(&p, &x, &h0, &recurrent::Grad { p: d }).p;
    let f = |a: &Array2<f64>| a.mapv(|v| v as f32);
    let p32 = Rnn32 {
        wx: f(&wx),
        wh: f(&wh),
        b: b.mapv(|v| v as f32),
    };
    let d32 = Rnn32 {
        wx: f(&dx),
        wh: f(&dh),
        b: db.mapv(|v| v as f32),
    };
    let hv32 = recurrent32::hvp(
        &p32,
        &x.mapv(|v| v as f32),
        &f(&h0),
        &recurrent32::Grad { p: d32 },
    )
    .p;
    for (a, b) in hv32
        .wx
        .iter()
        .zip(&hv.wx)
        .chain(hv32.wh.iter().zip(&hv.wh))
        .chain(hv32.b.iter().zip(&hv.b))
    {
        assert!(
            (*a as f64 - b).abs() <= 1e-4 * b.abs().max(1.0),
            "{a} against {b}"
        );
    }
}
