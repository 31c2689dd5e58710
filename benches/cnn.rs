//! `audio_cnn`'s network, one thread, f32: how long an epoch takes, and what a training
//! step asks of the allocator. `benches/torch_cnn.py` runs the same architecture, sizes,
//! batches and optimiser in PyTorch (one thread) and prints the same lines.
//!
//! Data are random, of the example's shapes on the bundled kits: 294 training and 52
//! validation images of 40 bands × 47 frames, 5 classes, batches of 32 (9 of 32 and one of
//! 6), AdamW (lr 3e-3, decay 0.01). Two epochs are timed:
//!
//! - `steps`: the training steps alone (gradient + AdamW step per batch);
//! - `epoch`: what `audio_cnn` does per epoch through `cadena::train::fit`: the steps, a
//!   forward pass over the training images (accuracy) and the validation loss and
//!   accuracy (without augmentation, which is the example's own and costs ~1 % of it).
//!
//! Each is run 3 times as a warm-up, then `ROUNDS` times; the median and the fastest are
//! printed in ms. With `POOL_ONLY=1` it times only `max_pool2d` and its VJP on the first
//! convolution's output (32 × 16 × 40 × 47), the largest cost of the epoch in a profile.
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo bench --bench cnn
//! python3 benches/torch_cnn.py
//! ```

#[path = "../examples/common/cnn_model.rs"]
#[allow(dead_code)]
mod cnn_model;
#[path = "common/counting.rs"]
mod counting;

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

use std::time::Instant;

use cadena::data::{Batches, Dataset};
use cadena::init::seeded;
use cadena::ndarray::Array2;
use cadena::optim::{Adam, Optimizer};
use cadena::train::{TrainConfig, fit};
use rand::RngExt;

use cnn_model::{BANDS, Cnn, LEARNING_RATE, WEIGHT_DECAY, loss_grad, predict};

const FRAMES: usize = 47;
const CLASSES: usize = 5;
const ROUNDS: usize = 20;

fn data(n: usize, seed: u64) -> Dataset<f32> {
    let mut rng = seeded(seed);
    let x = Array2::from_shape_simple_fn((n, BANDS * FRAMES), || rng.random::<f32>() * 2.0 - 1.0);
    let labels = (0..n).map(|i| i % CLASSES).collect();
    Dataset::classification(x, labels, CLASSES).expect("labels fit")
}

fn stats(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.1} ms, fastest {:.1} ms per epoch ({} rounds)",
        ms[ms.len() / 2],
        ms[0],
        ms.len()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if std::env::var_os("POOL_ONLY").is_some() {
        use cadena::ops::tensor as t;
        let h = cadena::ndarray::Array4::<f32>::from_shape_fn((32, 16, 40, 47), |(a, b, c, d)| {
            ((a * 7 + b * 5 + c * 3 + d) % 11) as f32
        });
        let start = Instant::now();
        for _ in 0..100 {
            t::pool::recycle(t::max_pool2d(&h, (2, 2), (2, 2)));
        }
        println!("max_pool2d {:.3} ms", start.elapsed().as_secs_f64() * 10.0);
        let m = t::max_pool2d(&h, (2, 2), (2, 2));
        let start = Instant::now();
        for _ in 0..100 {
            t::pool::recycle(t::max_pool2d_vjp(&m, &h, (2, 2), (2, 2)));
        }
        println!(
            "max_pool2d_vjp {:.3} ms",
            start.elapsed().as_secs_f64() * 10.0
        );
        return;
    }
    let (train, validation) = (data(294, 1), data(52, 2));
    let mut net = Cnn::new((BANDS, FRAMES), CLASSES, &mut seeded(3));
    let mut adam = Adam::adamw(LEARNING_RATE, WEIGHT_DECAY).expect("valid");

    let mut batches = Batches::new(&train, 32);
    let mut rng = seeded(4);
    let mut steps = |net: &mut Cnn| {
        batches.shuffle(&mut rng);
        while let Some(b) = batches.next_batch() {
            let (_, mut g) = loss_grad(net, b.x, b.y);
            adam.step(net, &g).expect("finite");
            cadena::Parameters::recycle(&mut g);
        }
    };
    let mut times = Vec::new();
    for round in 0..3 + ROUNDS {
        let start = Instant::now();
        if round == 2 {
            let calls = counting::allocations(|| steps(&mut net));
            println!("allocations in a warm epoch of steps: {calls} (10 steps)");
        } else {
            steps(&mut net);
        }
        if round >= 3 {
            times.push(1000.0 * start.elapsed().as_secs_f64());
        }
    }
    stats("steps", times);
    let (x, y) = (
        train.x.slice(cadena::ndarray::s![..32, ..]),
        train.y.slice(cadena::ndarray::s![..32, ..]),
    );
    let peak = counting::peak_bytes(|| {
        let (_, mut g) = loss_grad(&net, x, y);
        cadena::Parameters::recycle(&mut g);
    });
    println!(
        "peak heap of one warm gradient (batch 32): {} KiB",
        peak / 1024
    );

    let mut net = Cnn::new((BANDS, FRAMES), CLASSES, &mut seeded(3));
    let mut adam = Adam::adamw(LEARNING_RATE, WEIGHT_DECAY).expect("valid");
    let mut times = Vec::new();
    for round in 0..3 + ROUNDS {
        let config = TrainConfig {
            epochs: 1,
            batch_size: 32,
            seed: round as u64,
            progress: false,
            ..TrainConfig::default()
        };
        let start = Instant::now();
        fit(
            &mut net,
            &mut adam,
            &train,
            Some(&validation),
            &config,
            loss_grad,
            predict,
        )
        .expect("trains");
        if round >= 3 {
            times.push(1000.0 * start.elapsed().as_secs_f64());
        }
    }
    stats("epoch", times);
}
