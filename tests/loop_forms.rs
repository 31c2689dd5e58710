//! Every way a loop may be written, each checked against finite differences at random
//! depths (0–6) and sequence lengths (0–20), including loops of no iterations.

use cadena::gradcheck::{Tolerance, check, check_params};
use cadena::ndarray::{Array1, Array2, Array3, ArrayView2, ArrayView3, Axis};
use cadena::prelude::*;

/// A small deterministic generator: the sizes are random but every run tests the same.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n) as usize
    }

    fn value(&mut self) -> f64 {
        self.below(2001) as f64 / 1000.0 - 1.0
    }
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Stack {
    pub first: Layer,
    pub layers: Vec<Layer>,
}

fn layer(rng: &mut Lcg, i: usize, o: usize) -> Layer {
    Layer {
        w: Array2::from_shape_fn((i, o), |_| rng.value() * 0.8),
        b: Array1::from_shape_fn(o, |_| rng.value() * 0.2),
    }
}

fn matrix(rng: &mut Lcg, r: usize, c: usize) -> Array2<f64> {
    Array2::from_shape_fn((r, c), |_| rng.value())
}

fn stack(rng: &mut Lcg, depth: usize) -> Stack {
    Stack {
        first: layer(rng, 3, 4),
        layers: (0..depth).map(|_| layer(rng, 4, 4)).collect(),
    }
}

/// Enumerated, reversed, reading the stack by the index and one element by a literal
/// index outside the loop as well.
#[differentiable(wrt(p))]
pub fn enumerated(p: &Stack, x: ArrayView2<f64>) -> f64 {
    let mut h = tanh(x.dot(&p.first.w) + &p.first.b);
    for (i, _l) in p.layers.iter().enumerate().rev() {
        h = relu(h.dot(&p.layers[i].w) + &p.layers[i].b) + h * 0.5;
    }
    sum(h * h)
}

#[differentiable(wrt(p))]
pub fn with_a_literal_index_too(p: &Stack, x: ArrayView2<f64>) -> f64 {
    let h0 = sigmoid(x.dot(&p.first.w) + &p.layers[0].b);
    let mut h = h0;
    for l in p.layers.iter() {
        h = tanh(h.dot(&l.w) + &l.b);
    }
    mean(h)
}

#[test]
fn stacks_enumerated_reversed_and_indexed() {
    let mut rng = Lcg(7);
    let x = matrix(&mut rng, 5, 3);
    for _ in 0..6 {
        let depth = rng.below(7);
        let p = stack(&mut rng, depth);
        let (l, g) = enumerated::grad(&p, x.view());
        assert_eq!(l, enumerated(&p, x.view()));
        check_params(
            |q: &Stack| enumerated(q, x.view()),
            &p,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
        if depth > 0 {
            let (l, g) = with_a_literal_index_too::grad(&p, x.view());
            assert_eq!(l, with_a_literal_index_too(&p, x.view()));
            check_params(
                |q: &Stack| with_a_literal_index_too(q, x.view()),
                &p,
                &g.p,
                &Tolerance::default(),
            )
            .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
        }
    }
}

/// A float array by value, iterated by element and by `iter()`.
#[differentiable]
pub fn moments(c: [f64; 5], x: f64) -> f64 {
    let mut s = 0.0;
    for &ck in &c {
        s = s + ck * ck * x;
    }
    let mut t = s;
    for ck in c.iter() {
        t = t * 0.5 + (ck * x).sin();
    }
    t
}

#[test]
fn float_arrays_by_element() {
    let c = [0.3, -1.2, 0.8, 2.0, -0.4];
    let (v, g) = moments::grad(c, 0.7);
    assert_eq!(v, moments(c, 0.7));
    let mut at = c.to_vec();
    at.push(0.7);
    let mut analytic = g.c.to_vec();
    analytic.push(g.x);
    check(
        |p| moments([p[0], p[1], p[2], p[3], p[4]], p[5]),
        &at,
        &analytic,
        &["c0", "c1", "c2", "c3", "c4", "x"],
        &Tolerance::default(),
    )
    .unwrap();
}

#[derive(Parameters, Clone, Debug)]
pub struct Cell {
    pub wx: Array2<f64>,
    pub wh: Array2<f64>,
    pub b: Array1<f64>,
}

/// Over time by index: `0..n` with `x.index_axis(Axis(1), t)` on a batch × time × feature
/// array, the sequence length an argument.
#[differentiable(wrt(p))]
pub fn by_index(p: &Cell, x: ArrayView3<f64>, n: usize, h0: ArrayView2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for t in 0..n {
        h = tanh(x.index_axis(Axis(1), t).dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    sum(h)
}

/// The same over `axis_iter`, differentiated with respect to the input sequence as well
/// (which step of the input matters: saliency).
#[differentiable]
pub fn saliency(p: &Cell, x: ArrayView3<f64>, h0: ArrayView2<f64>) -> f64 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    sum(h * h)
}

#[test]
fn sequences_by_index_and_by_axis_with_input_gradients() {
    let mut rng = Lcg(11);
    let (batch, features, hidden) = (3, 2, 4);
    for _ in 0..5 {
        let steps = rng.below(21);
        let cell = Cell {
            wx: matrix(&mut rng, features, hidden) * 0.7,
            wh: matrix(&mut rng, hidden, hidden) * 0.5,
            b: Array1::from_shape_fn(hidden, |_| rng.value() * 0.1),
        };
        let x = Array3::from_shape_fn((batch, steps, features), |_| rng.value());
        let h0 = matrix(&mut rng, batch, hidden) * 0.1;
        let (l, g) = by_index::grad(&cell, x.view(), steps, h0.view());
        assert_eq!(l, by_index(&cell, x.view(), steps, h0.view()));
        check_params(
            |q: &Cell| by_index(q, x.view(), steps, h0.view()),
            &cell,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{steps} steps: {e}"));

        let (l, g) = saliency::grad(&cell, x.view(), h0.view());
        assert_eq!(l, saliency(&cell, x.view(), h0.view()));
        assert_eq!(g.x.shape(), x.shape());
        let flat: Vec<f64> = x.iter().copied().collect();
        let analytic: Vec<f64> = g.x.iter().copied().collect();
        let names: Vec<String> = (0..flat.len()).map(|k| format!("x{k}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        check(
            |v| {
                let x = Array3::from_shape_vec((batch, steps, features), v.to_vec()).unwrap();
                saliency(&cell, x.view(), h0.view())
            },
            &flat,
            &analytic,
            &names,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{steps} steps, input gradient: {e}"));
        let g0: Vec<f64> = h0.iter().copied().collect();
        let a0: Vec<f64> = g.h0.iter().copied().collect();
        let n0: Vec<String> = (0..g0.len()).map(|k| format!("h0{k}")).collect();
        let n0: Vec<&str> = n0.iter().map(String::as_str).collect();
        check(
            |v| {
                let h0 = Array2::from_shape_vec((batch, hidden), v.to_vec()).unwrap();
                saliency(&cell, x.view(), h0.view())
            },
            &g0,
            &a0,
            &n0,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{steps} steps, start gradient: {e}"));
    }
}

/// A helper called in a loop body, and a helper whose own body loops, called in a loop.
#[differentiable]
pub fn swish(x: f64) -> f64 {
    x * sigmoid(x)
}

#[differentiable]
pub fn cube(x: f64) -> f64 {
    let mut y = 1.0;
    for _ in 0..3 {
        y = y * x;
    }
    y
}

#[differentiable]
pub fn calls_in_loops(a: f64, b: f64, n: usize) -> f64 {
    let mut s = a;
    for _ in 0..n {
        s = swish(s) * b + cube(s);
    }
    s
}

#[test]
fn helpers_in_loop_bodies() {
    for n in [0, 1, 4] {
        let (v, g) = calls_in_loops::grad(0.3, 0.7, n);
        assert_eq!(v, calls_in_loops(0.3, 0.7, n));
        check(
            |p| calls_in_loops(p[0], p[1], n),
            &[0.3, 0.7],
            &[g.a, g.b],
            &["a", "b"],
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{n}: {e}"));
    }
}

/// A helper whose loop runs over its own argument's axis, inlined into a loss.
#[differentiable(wrt(w))]
pub fn recurrence(w: ArrayView2<f64>, x: ArrayView3<f64>, h0: ArrayView2<f64>) -> Array2<f64> {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&w) + h * 0.5);
    }
    h
}

#[differentiable(wrt(w))]
pub fn recurrent_loss(
    w: ArrayView2<f64>,
    x: ArrayView3<f64>,
    h0: ArrayView2<f64>,
    y: ArrayView2<f64>,
) -> f64 {
    softmax_cross_entropy(recurrence(w, x, h0), y)
}

#[test]
fn a_helper_looping_over_its_argument_is_inlined() {
    let mut rng = Lcg(5);
    let w = matrix(&mut rng, 2, 3);
    let h0 = matrix(&mut rng, 4, 3) * 0.1;
    let y = Array2::from_shape_fn((4, 3), |(r, c)| f64::from(u8::from(r % 3 == c)));
    for steps in [0, 3, 9] {
        let x = Array3::from_shape_fn((4, steps, 2), |_| rng.value());
        let (l, g) = recurrent_loss::grad(w.view(), x.view(), h0.view(), y.view());
        assert_eq!(l, recurrent_loss(w.view(), x.view(), h0.view(), y.view()));
        let flat: Vec<f64> = w.iter().copied().collect();
        let analytic: Vec<f64> = g.w.iter().copied().collect();
        check(
            |v| {
                let w = Array2::from_shape_vec((2, 3), v.to_vec()).unwrap();
                recurrent_loss(w.view(), x.view(), h0.view(), y.view())
            },
            &flat,
            &analytic,
            &["w00", "w01", "w02", "w10", "w11", "w12"],
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("{steps} steps: {e}"));
    }
}

#[derive(Parameters, Clone, Debug)]
pub struct Fixed {
    pub layers: [Layer; 2],
}

/// A fixed-size array of layers, iterated like a `Vec`.
#[differentiable(wrt(p))]
pub fn fixed_stack(p: &Fixed, x: ArrayView2<f64>) -> f64 {
    let mut h = x.to_owned();
    for l in p.layers.iter() {
        h = softplus(h.dot(&l.w) + &l.b);
    }
    mean(h)
}

#[test]
fn arrays_of_layers_are_stacks_too() {
    let mut rng = Lcg(3);
    let p = Fixed {
        layers: [layer(&mut rng, 3, 3), layer(&mut rng, 3, 3)],
    };
    let x = matrix(&mut rng, 4, 3);
    let (l, g) = fixed_stack::grad(&p, x.view());
    assert_eq!(l, fixed_stack(&p, x.view()));
    check_params(
        |q: &Fixed| fixed_stack(q, x.view()),
        &p,
        &g.p,
        &Tolerance::default(),
    )
    .unwrap();
}

/// One layer, as a helper that takes the loop's element.
#[differentiable]
pub fn dense(l: &Layer, h: ArrayView2<f64>) -> Array2<f64> {
    tanh(h.dot(&l.w) + &l.b)
}

#[differentiable(wrt(p))]
pub fn through_a_helper(p: &Stack, x: ArrayView2<f64>) -> f64 {
    let mut h = dense(&p.first, x);
    for l in &p.layers {
        h = dense(l, h.view());
    }
    sum(h * h)
}

#[test]
fn a_loop_hands_its_element_to_a_helper() {
    let mut rng = Lcg(17);
    let x = matrix(&mut rng, 5, 3);
    for depth in [0, 1, 4] {
        let p = stack(&mut rng, depth);
        let (l, g) = through_a_helper::grad(&p, x.view());
        assert_eq!(l, through_a_helper(&p, x.view()));
        check_params(
            |q: &Stack| through_a_helper(q, x.view()),
            &p,
            &g.p,
            &Tolerance::default(),
        )
        .unwrap_or_else(|e| panic!("depth {depth}: {e}"));
    }
    assert!(
        through_a_helper::DERIVATION.contains("dL/dp.layers[i].w"),
        "{}",
        through_a_helper::DERIVATION
    );
}

/// `while` over an integer counter is the `for` loop it counts.
#[differentiable]
fn counted(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = 0.0;
    let mut i = 0;
    while i < 4 {
        acc = acc * x + c[i] * (i as f64 + 1.0);
        i += 1;
    }
    acc
}

#[differentiable]
fn counted_inclusive(c: &[f64; 4], x: f64) -> f64 {
    let mut acc = x;
    let mut k = 1;
    while k <= 3 {
        acc = (acc * c[k]).sin();
        k = k + 1;
    }
    acc
}

/// `loop` with its `break` on the counter, tested first: the `while` above.
#[differentiable]
fn counted_loop(c: &[f64; 4], x: f64, n: usize) -> f64 {
    let mut acc = 0.0;
    let mut i = 0;
    loop {
        if i >= n {
            break;
        }
        acc = acc * x + c[i] * (i as f64 + 1.0);
        i += 1;
    }
    acc
}

/// Tested last, after the increment: the body runs at least once.
#[differentiable]
fn counted_loop_test_last(c: &[f64; 4], x: f64, n: usize) -> f64 {
    let mut acc = x;
    let mut k = 1;
    loop {
        acc = (acc * c[k]).sin();
        k += 1;
        if k >= n {
            break;
        }
    }
    acc
}

#[test]
fn loops_that_break_on_an_integer_counter() {
    let (c, x) = ([0.5, -1.0, 2.0, 0.25], 0.7);
    let (v, g) = counted_loop::grad(&c, x, 4);
    let (w, h) = counted::grad(&c, x);
    assert_eq!((v, g.x, g.c), (w, h.x, h.c));
    assert_eq!(counted_loop::grad(&c, x, 0).0, 0.0);
    let (v, g) = counted_loop_test_last::grad(&c, x, 4);
    let (w, h) = counted_inclusive::grad(&c, x);
    assert_eq!((v, g.x, g.c), (w, h.x, h.c));
    // Once, as the `loop` itself would: `k` is 2 after the first pass.
    let (v, g) = counted_loop_test_last::grad(&c, x, 1);
    assert_eq!(v, (x * c[1]).sin());
    assert_eq!(g.x, (x * c[1]).cos() * c[1]);
}

#[test]
fn while_loops_over_an_integer_counter() {
    let (c, x) = ([0.5, -1.0, 2.0, 0.25], 0.7);
    let (v, g) = counted::grad(&c, x);
    let mut want = 0.0;
    for (i, ci) in c.iter().enumerate() {
        want = want * x + ci * (i as f64 + 1.0);
    }
    assert!((v - want).abs() < 1e-12);
    let h = 1e-6;
    let fd = (counted(&c, x + h) - counted(&c, x - h)) / (2.0 * h);
    assert!((g.x - fd).abs() < 1e-7);
    let (v, g) = counted_inclusive::grad(&c, x);
    let want = ((((x * c[1]).sin()) * c[2]).sin() * c[3]).sin();
    assert!((v - want).abs() < 1e-12);
    let fd = (counted_inclusive(&c, x + h) - counted_inclusive(&c, x - h)) / (2.0 * h);
    assert!((g.x - fd).abs() < 1e-7);
    assert_eq!(g.c[0], 0.0);
}
