//! The network of `audio_mlp_mfcc`, shared with `audio_classify`, which loads what the
//! former saved: the features each clip becomes, the model, its loss and its prediction.

use cadena::audio::features::{FeatureSpec, SummarySpec};
use cadena::init::Init;
use cadena::ndarray::{Array1, Array2, ArrayView2};
use cadena::prelude::*;
use rand::rngs::StdRng;

/// Hidden layer sizes.
pub const HIDDEN: (usize, usize) = (64, 16);

/// What each clip becomes: 80 summary statistics, the mean and standard deviation over
/// time of 20 MFCCs and of their deltas.
pub fn features() -> FeatureSpec {
    FeatureSpec::Summary(SummarySpec {
        delta_mean: true,
        delta_std: true,
        ..SummarySpec::default()
    })
}

/// Features → 64 tanh → 16 tanh → one logit per class.
#[derive(Parameters, Clone)]
pub struct Net {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
    pub w3: Array2<f32>,
    pub b3: Array1<f32>,
}

impl Net {
    /// A network for `inputs` features and `classes` classes, Xavier-initialised.
    pub fn new(inputs: usize, classes: usize, rng: &mut StdRng) -> Net {
        Net::with_hidden(inputs, HIDDEN, classes, rng)
    }

    /// The same with other hidden sizes (for the cross-validation that chose `HIDDEN`).
    pub fn with_hidden(
        inputs: usize,
        (h1, h2): (usize, usize),
        classes: usize,
        rng: &mut StdRng,
    ) -> Net {
        Net {
            w1: Init::XavierUniform.array2(inputs, h1, rng),
            b1: Array1::zeros(h1),
            w2: Init::XavierUniform.array2(h1, h2, rng),
            b2: Array1::zeros(h2),
            w3: Init::XavierUniform.array2(h2, classes, rng),
            b3: Array1::zeros(classes),
        }
    }
}

/// The logits (class scores) of each row of `x`: the network's forward pass, which the
/// loss differentiates through.
#[differentiable]
pub fn predict(p: &Net, x: ArrayView2<f32>) -> Array2<f32> {
    let h1 = tanh(x.dot(&p.w1) + &p.b1);
    let h2 = tanh(h1.dot(&p.w2) + &p.b2);
    h2.dot(&p.w3) + &p.b3
}

/// Mean softmax cross-entropy of the network's logits against one-hot labels.
#[differentiable(wrt(p))]
pub fn loss(p: &Net, x: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    softmax_cross_entropy(predict(p, x), y)
}
