//! A training step asks the allocator for nothing after the first: the tensor helpers
//! take their buffers from a per-thread pool, a generated gradient gives back what it is
//! done with, and `fit` gives back each gradient it has applied.
//!
//! Counted with a global allocator that counts this thread's allocations (the test
//! harness runs other tests on other threads). The counts are exact, not timings.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cadena::data::Dataset;
use cadena::init::{Init, seeded};
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::optim::{Adam, Sgd};
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};
use rand::RngExt;

struct Counting;

thread_local! {
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts calls (in a
// const-initialised thread-local without a destructor, which allocates nothing).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = CALLS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// How many allocations this thread makes during `f`.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = CALLS.with(Cell::get);
    let r = f();
    (CALLS.with(Cell::get) - before, r)
}

#[derive(Parameters, Clone)]
struct Mlp {
    w1: Array2<f32>,
    b1: Array1<f32>,
    w2: Array2<f32>,
    b2: Array1<f32>,
    w3: Array2<f32>,
    b3: Array1<f32>,
}

fn mlp() -> Mlp {
    let mut rng = seeded(1);
    Mlp {
        w1: Init::XavierUniform.array2(12, 32, &mut rng),
        b1: Array1::zeros(32),
        w2: Init::XavierUniform.array2(32, 16, &mut rng),
        b2: Array1::zeros(16),
        w3: Init::XavierUniform.array2(16, 4, &mut rng),
        b3: Array1::zeros(4),
    }
}

#[differentiable]
fn logits(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let a2 = tanh(a1.dot(&p.w2) + &p.b2);
    a2.dot(&p.w3) + &p.b3
}

#[differentiable(wrt(p))]
fn loss(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    softmax_cross_entropy(logits(p, x), y)
}

fn data(rows: usize) -> Dataset<f32> {
    let mut rng = seeded(2);
    let labels: Vec<usize> = (0..rows).map(|_| rng.random_range(0..4)).collect();
    let x = Array2::from_shape_fn((rows, 12), |(i, j)| {
        rng.random::<f32>() - 0.5 + if j % 4 == labels[i] { 1.0 } else { 0.0 }
    });
    Dataset::classification(x, labels, 4).expect("labels below 4")
}

fn grad(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Mlp) {
    let (l, g) = loss::grad(p, x, y);
    (l, g.p)
}

fn predict(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    logits(p, x)
}

/// Allocations of one `fit` epoch over `rows` rows in batches of 16.
fn fit_allocations(params: &mut Mlp, optimizer: &mut impl Optimizer, rows: usize) -> usize {
    let train = data(rows);
    let config = TrainConfig {
        epochs: 1,
        batch_size: 16,
        progress: false,
        train_accuracy: false,
        ..Default::default()
    };
    let (calls, history) =
        allocations(|| fit(params, optimizer, &train, None, &config, grad, predict));
    assert!(history.expect("trains").epochs[0].train_loss.is_finite());
    calls
}

/// Twelve more steps of `optimizer` make no more allocations: an epoch of 16 steps makes
/// as many as one of 4 (the run's own: the shuffled order, the batch buffers, the
/// history).
fn steps_allocate_nothing(optimizer: &mut impl Optimizer, name: &str) {
    let mut params = mlp();
    fit_allocations(&mut params, optimizer, 64);
    let short = fit_allocations(&mut params, optimizer, 64);
    let long = fit_allocations(&mut params, optimizer, 256);
    assert_eq!(
        long,
        short,
        "with {name}, 12 more steps made {} allocations",
        long - short
    );
}

/// On x86-64 only, where the matrix products pack into a per-thread buffer; the portable
/// kernels allocate their packing buffers per product.
#[test]
#[cfg(target_arch = "x86_64")]
fn a_training_step_allocates_nothing_after_the_first() {
    steps_allocate_nothing(&mut Sgd::new(0.1).expect("a learning rate"), "SGD");
    steps_allocate_nothing(&mut Adam::new(0.01).expect("a learning rate"), "Adam");
}

/// A loop of one's own gets the same by giving each gradient back with
/// `Parameters::recycle`; without it, each call allocates its gradient's arrays.
#[test]
#[cfg(target_arch = "x86_64")]
fn a_hand_written_loop_that_recycles_its_gradients_allocates_nothing() {
    let train = data(32);
    let (x, y) = (train.x.view(), train.y.view());
    let mut p = mlp();
    let step = |p: &mut Mlp, recycle: bool| {
        let (_, mut g) = loss::grad(p, x, y);
        p.w1.scaled_add(-0.1, &g.p.w1);
        if recycle {
            g.p.recycle();
        }
    };
    step(&mut p, true);
    let (recycled, ()) = allocations(|| (0..10).for_each(|_| step(&mut p, true)));
    assert_eq!(recycled, 0);
    let (dropped, ()) = allocations(|| (0..10).for_each(|_| step(&mut p, false)));
    assert!(
        dropped >= 10 * 3,
        "{dropped}: the gradient's large arrays, every call"
    );
}

/// What the pool changes is where memory comes from, not the numbers: the gradient is the
/// same whether its buffers are fresh or reused (they are fully overwritten).
#[test]
fn recycled_buffers_give_the_same_gradient() {
    let train = data(48);
    let p = mlp();
    cadena::ops::tensor::pool::clear();
    let (l0, g0) = loss::grad(&p, train.x.view(), train.y.view());
    // Fill the pool with buffers full of garbage of every shape the gradient uses.
    for _ in 0..3 {
        let (_, mut g) = loss::grad(&p, train.x.view(), train.y.view());
        g.p.visit_mut(&mut |_, mut t| t.fill(f32::NAN));
        g.p.recycle();
    }
    let (l1, g1) = loss::grad(&p, train.x.view(), train.y.view());
    assert_eq!(l0.to_bits(), l1.to_bits());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    g0.p.visit(&mut |_, t| a.extend(t.iter().map(|v| v.to_bits())));
    g1.p.visit(&mut |_, t| b.extend(t.iter().map(|v| v.to_bits())));
    assert_eq!(a, b);
}

#[derive(Parameters, Clone)]
struct Layer {
    w: Array2<f32>,
    b: Array1<f32>,
}

#[derive(Parameters, Clone)]
struct Deep {
    layers: Vec<Layer>,
    out: Layer,
}

#[differentiable(wrt(p))]
fn looped(p: &Deep, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    let mut h = x.to_owned();
    for l in &p.layers {
        h = tanh(h.dot(&l.w) + &l.b);
    }
    softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
}

#[derive(Parameters, Clone)]
struct Rnn {
    wx: Array2<f32>,
    wh: Array2<f32>,
    b: Array1<f32>,
    out: Layer,
}

#[differentiable(wrt(p))]
fn rnn(p: &Rnn, x: cadena::ndarray::ArrayView3<f32>, h0: ArrayView2<f32>, y: &[usize]) -> f32 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(cadena::ndarray::Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    softmax_cross_entropy(h.dot(&p.out.w) + &p.out.b, y)
}

fn layer(i: usize, o: usize, rng: &mut rand::rngs::StdRng) -> Layer {
    Layer {
        w: Init::XavierUniform.array2(i, o, rng),
        b: Array1::zeros(o),
    }
}

/// Gradients through loops, after a warm-up call: every array comes from the pool, and
/// what is left are two containers per call, the tape's `Vec` (its entries' types borrow
/// from the call's arguments, so it cannot be cached across calls) and, for a stack of
/// layers, the gradient's `Vec` of them.
#[test]
#[cfg(target_arch = "x86_64")]
fn gradients_through_loops_allocate_only_their_containers() {
    let mut rng = seeded(3);
    let deep = Deep {
        layers: vec![layer(12, 32, &mut rng), layer(32, 16, &mut rng)],
        out: layer(16, 4, &mut rng),
    };
    let train = data(32);
    let (x, y) = (train.x.view(), train.y.view());
    let step = || {
        let (_, mut g) = looped::grad(&deep, x, y);
        g.p.recycle();
    };
    step();
    let (calls, ()) = allocations(|| (0..5).for_each(|_| step()));
    assert!(calls <= 5 * 3, "looped MLP: {calls} allocations in 5 calls");

    let net = Rnn {
        wx: Init::XavierUniform.array2(6, 16, &mut rng),
        wh: Init::XavierUniform.array2(16, 16, &mut rng),
        b: Array1::zeros(16),
        out: layer(16, 4, &mut rng),
    };
    let xs = cadena::ndarray::Array3::from_shape_fn((8, 10, 6), |(i, t, j)| {
        ((i * 60 + t * 6 + j) as f32 * 0.37).sin()
    });
    let h0 = Array2::zeros((8, 16));
    let labels: Vec<usize> = (0..8).map(|i| i % 4).collect();
    let step = || {
        let (_, mut g) = rnn::grad(&net, xs.view(), h0.view(), &labels);
        g.p.recycle();
    };
    step();
    let (calls, ()) = allocations(|| (0..5).for_each(|_| step()));
    assert!(calls <= 5 * 2, "RNN: {calls} allocations in 5 calls");
}

#[derive(Parameters, Clone)]
struct Cnn {
    w1: cadena::ndarray::Array4<f32>,
    b1: Array1<f32>,
    w2: cadena::ndarray::Array4<f32>,
    b2: Array1<f32>,
    v: Array2<f32>,
    c: Array1<f32>,
}

/// `audio_cnn`'s layers: convolutions, ReLU, max-pooling, a global average (two
/// `mean_axis`, whose owned operands go back to the pool) and a dense layer.
#[differentiable(wrt(p))]
fn cnn_loss(p: &Cnn, x: cadena::ndarray::ArrayView4<f32>, y: ArrayView2<f32>) -> f32 {
    let h1 = relu(conv2d(&x, &p.w1, &p.b1, (1, 1), (1, 1)));
    let h1 = max_pool2d(&h1, (2, 2), (2, 2));
    let h2 = relu(conv2d(&h1, &p.w2, &p.b2, (1, 1), (1, 1)));
    let h2 = max_pool2d(&h2, (2, 2), (2, 2));
    let pooled = h2.mean_axis(Axis(3)).mean_axis(Axis(2));
    softmax_cross_entropy(pooled.dot(&p.v) + &p.c, y)
}

#[test]
#[cfg(target_arch = "x86_64")]
fn a_cnn_step_allocates_nothing_after_the_first() {
    let mut rng = seeded(3);
    let mut p = Cnn {
        w1: Init::HeUniform.array((4, 1, 3, 3), 9, 36, &mut rng),
        b1: Array1::zeros(4),
        w2: Init::HeUniform.array((8, 4, 3, 3), 36, 72, &mut rng),
        b2: Array1::zeros(8),
        v: Init::XavierUniform.array2(8, 3, &mut rng),
        c: Array1::zeros(3),
    };
    let x = cadena::ndarray::Array4::from_shape_fn((6, 1, 12, 10), |(n, _, i, j)| {
        ((n * 7 + i * 3 + j) % 5) as f32 - 2.0
    });
    let y = Array2::from_shape_fn((6, 3), |(n, k)| f32::from(u8::from(n % 3 == k)));
    let mut adam = Adam::new(0.01).expect("a learning rate");
    let mut step = |p: &mut Cnn| {
        let (_, mut g) = cnn_loss::grad(p, x.view(), y.view());
        adam.step(p, &g.p).expect("finite");
        g.p.recycle();
    };
    step(&mut p);
    step(&mut p);
    let (calls, ()) = allocations(|| (0..5).for_each(|_| step(&mut p)));
    assert_eq!(calls, 0);
}
