//! A multilayer perceptron on ndarray code, with gradients from `#[differentiable]`:
//! three classes of points on interleaved spirals, 2 → 32 tanh → 3 softmax, trained with
//! Adam through `cadena::train`, curves written to `target/plots/mlp_curves.png`.
//!
//! ```text
//! cargo run --release --example mlp [-- --dropout P]
//! ```
//!
//! `--dropout P` drops each hidden unit with probability `P` while training (inverted
//! dropout, `cadena::ops::dropout_mask`). The pattern: the mask is an argument of the
//! loss, drawn afresh for every batch; prediction uses the network without it. Without
//! the flag the mask is all ones, which changes no bit of the training.

use std::error::Error;

use cadena::data::{Dataset, SplitConfig};
use cadena::init::{Init, seeded};
use cadena::metrics::ConfusionMatrix;
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::ops::dropout_mask;
use cadena::optim::Adam;
use cadena::prelude::*;
use cadena::train::{TrainConfig, fit};
use rand::RngExt;

#[derive(Parameters, Clone)]
pub struct Mlp {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
}

/// The hidden layer's activations for each row of `x`.
#[differentiable]
pub fn hidden(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    tanh(x.dot(&p.w1) + &p.b1)
}

/// Class scores (logits) from hidden activations.
#[differentiable]
pub fn scores(p: &Mlp, h: &Array2<f32>) -> Array2<f32> {
    h.dot(&p.w2) + &p.b2
}

/// Training loss; `mask` (one row per example, one column per hidden unit) drops hidden
/// units. It calls the same layers `predict` does: the macro inlines them and fuses
/// across the calls.
#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: ArrayView2<f32>, y: ArrayView2<f32>, mask: &Array2<f32>) -> f32 {
    let a1 = hidden(p, x) * mask;
    softmax_cross_entropy(scores(p, &a1), y)
}

/// Class scores for each row of `x`: the network of `loss` with no unit dropped.
fn predict(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    scores(p, &hidden(p, x))
}

/// Three spirals of 300 points each, with a little noise.
fn spirals(seed: u64) -> (Array2<f32>, Vec<usize>) {
    let mut rng = seeded(seed);
    let (per_class, classes) = (300, 3);
    let mut x = Array2::zeros((per_class * classes, 2));
    let mut labels = Vec::with_capacity(per_class * classes);
    for c in 0..classes {
        for i in 0..per_class {
            let r = i as f32 / per_class as f32;
            let angle = c as f32 * 2.094 + r * 4.0 + rng.random_range(-0.2..0.2);
            let row = c * per_class + i;
            x[[row, 0]] = r * angle.sin();
            x[[row, 1]] = r * angle.cos();
            labels.push(c);
        }
    }
    (x, labels)
}

/// The dropout probability from `--dropout P` (0 without the flag).
fn dropout_arg() -> Result<f64, Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(0.0),
        [flag, p] if flag == "--dropout" => Ok(p
            .parse()
            .map_err(|_| format!("--dropout takes a probability in [0, 1), got `{p}`"))?),
        _ => Err("usage: cargo run --release --example mlp [-- --dropout P]".into()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let p_drop = dropout_arg()?;
    let mut mask_rng = seeded(11);
    // An empty mask draws nothing: this only checks `p_drop`, so that the masks drawn per
    // batch below cannot fail.
    dropout_mask::<f32, _, _>((0, 0), p_drop, &mut mask_rng)?;
    if p_drop > 0.0 {
        println!("dropout: each hidden unit dropped with probability {p_drop} while training\n");
    }
    println!(
        "The macro derived, at compile time:\n{}\n",
        loss::DERIVATION
    );

    let (x, labels) = spirals(1);
    let data = Dataset::classification(x, labels, 3)?;
    let splits = data.split(&SplitConfig {
        validation: 0.15,
        test: 0.15,
        stratified: true,
        seed: 1,
    })?;

    let mut rng = seeded(7);
    let hidden = 32;
    let mut p = Mlp {
        w1: Init::XavierUniform.array2(2, hidden, &mut rng),
        b1: Array1::zeros(hidden),
        w2: Init::XavierUniform.array2(hidden, 3, &mut rng),
        b2: Array1::zeros(3),
    };
    let config = TrainConfig {
        epochs: 300,
        batch_size: 32,
        seed: 3,
        patience: Some(40),
        ..TrainConfig::default()
    };
    let history = fit(
        &mut p,
        &mut Adam::new(0.01)?,
        &splits.train,
        Some(&splits.validation),
        &config,
        |p, x, y| {
            let mask = dropout_mask((x.nrows(), hidden), p_drop, &mut mask_rng)
                .expect("p_drop was checked above");
            let (l, g) = loss::grad(p, x, y, &mask);
            (l, g.p)
        },
        predict,
    )?;

    println!("epoch  train loss  val loss  val accuracy");
    for r in history
        .epochs
        .iter()
        .filter(|r| r.epoch % 25 == 0 || r.epoch == 1)
    {
        println!(
            "{:>5}  {:>10.4}  {:>8.4}  {:>12.3}",
            r.epoch,
            r.train_loss,
            r.val_loss.unwrap_or(f64::NAN),
            r.val_accuracy.unwrap_or(f64::NAN)
        );
    }

    let test_labels = splits.test.labels.clone().unwrap_or_default();
    let predicted = cadena::data::argmax_rows(predict(&p, splits.test.x.view()).view());
    let cm = ConfusionMatrix::new(&test_labels, &predicted, 3)?
        .with_class_names(["spiral 0", "spiral 1", "spiral 2"])?;
    println!("\n{cm}");
    std::fs::create_dir_all("target/plots")?;
    history.save_plot("target/plots/mlp_curves.png")?;
    println!("curves written to target/plots/mlp_curves.png");
    println!("test accuracy: {:.3}", cm.accuracy().unwrap_or(0.0));
    Ok(())
}
