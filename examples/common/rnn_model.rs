//! The network of `audio_rnn`, shared with `audio_rnn_tune`: what each clip becomes (its
//! sequence of MFCC frames), the recurrent model, its loss and its prediction.

use cadena::audio::features::FeatureSpec;
use cadena::audio::mfcc::{MfccConfig, MfccExtractor};
use cadena::data::Standardizer;
use cadena::init::Init;
use cadena::ndarray::{Array1, Array2, ArrayView2, ArrayView3, Axis, s};
use cadena::prelude::*;
use rand::rngs::StdRng;

// Frames, state size, learning rate and decay were chosen by leave-one-source-out
// cross-validation over the training kits only (`examples/audio_rnn_tune.rs`, output in
// `data/results/audio_rnn_tune.txt`).

/// MFCC frames the network reads per clip, hop 512: the first 0.534 s at 22,050 Hz, all of
/// a bundled clip but its last 224 samples.
pub const FRAMES: usize = 24;

/// Units of the recurrent state.
pub const HIDDEN: usize = 64;

/// AdamW's learning rate.
pub const LEARNING_RATE: f64 = 3e-3;

/// AdamW's decoupled weight decay.
pub const WEIGHT_DECAY: f64 = 0.01;

/// MFCCs per frame (librosa's default).
pub const COEFFICIENTS: usize = 20;

/// What `prepare` loads for each clip: the samples that make exactly `frames` MFCC frames
/// (a centred STFT gives one frame per hop, plus one), cut or zero-padded. [`mfcc_frames`]
/// turns them into frames afterwards, because the runtime's feature specs are whole-clip
/// summaries or raw samples, not sequences.
pub fn waveform(frames: usize) -> FeatureSpec {
    FeatureSpec::Waveform {
        length: (frames - 1) * MfccConfig::default().stft.hop(),
    }
}

/// Each row of `waveforms` (samples at `sr` Hz) as its MFCC frames, time-major:
/// `frames × COEFFICIENTS` numbers per row, frame after frame.
pub fn mfcc_frames(
    waveforms: &Array2<f32>,
    sr: u32,
    frames: usize,
) -> Result<Array2<f32>, cadena::Error> {
    let mut extractor = MfccExtractor::new(sr, &MfccConfig::default())?;
    let mut out = Array2::zeros((waveforms.nrows(), frames * COEFFICIENTS));
    for (samples, mut row) in waveforms.rows().into_iter().zip(out.rows_mut()) {
        let m = extractor.compute(&samples.to_vec())?;
        // librosa's (coefficients, frames) laid out frame after frame, so that a row
        // reshapes to (frames, coefficients) without a copy.
        for (t, frame) in m.t().outer_iter().take(frames).enumerate() {
            row.slice_mut(s![t * COEFFICIENTS..(t + 1) * COEFFICIENTS])
                .assign(&frame);
        }
    }
    Ok(out)
}

/// The mean and spread of each coefficient over every frame of every row of `x` (training
/// clips only): one scaling for all time steps, as the weights that read them are shared
/// over steps.
pub fn frame_scaler(x: &Array2<f32>) -> Result<Standardizer<f32>, cadena::Error> {
    Standardizer::fit(&by_frame(x.clone()))
}

/// `x` scaled frame by frame with `scaler`.
pub fn scale_frames(scaler: &Standardizer<f32>, x: &mut Array2<f32>) -> Result<(), cadena::Error> {
    let (rows, cols) = x.dim();
    let mut frames = by_frame(std::mem::take(x));
    scaler.transform_inplace(&mut frames)?;
    *x = frames
        .into_shape_with_order((rows, cols))
        .expect("same number of elements");
    Ok(())
}

/// One row per frame.
fn by_frame(x: Array2<f32>) -> Array2<f32> {
    let frames = x.len() / COEFFICIENTS;
    x.as_standard_layout()
        .into_owned()
        .into_shape_with_order((frames, COEFFICIENTS))
        .expect("rows hold whole frames")
}

/// An Elman network: `h ← tanh(x_t · wx + h · wh + b)` over the frames, then one logit
/// per class from the last state.
#[derive(Parameters, Clone)]
pub struct Rnn {
    pub wx: Array2<f32>,
    pub wh: Array2<f32>,
    pub b: Array1<f32>,
    pub wo: Array2<f32>,
    pub bo: Array1<f32>,
}

impl Rnn {
    /// A network for frames of `inputs` numbers, a state of `hidden` units and `classes`
    /// classes, Xavier-initialised.
    pub fn new(inputs: usize, hidden: usize, classes: usize, rng: &mut StdRng) -> Rnn {
        Rnn {
            wx: Init::XavierUniform.array2(inputs, hidden, rng),
            wh: Init::XavierUniform.array2(hidden, hidden, rng),
            b: Array1::zeros(hidden),
            wo: Init::XavierUniform.array2(hidden, classes, rng),
            bo: Array1::zeros(classes),
        }
    }
}

/// The logits of each sequence of `x` (batch × time × coefficients), starting from the
/// state `h0` (batch × hidden, zeros: the body's carried value starts from an argument):
/// the one forward pass, for prediction and, through its pullback, for training. The
/// weights read inside the loop are shared by the steps, so their gradients are summed
/// over them (backpropagation through time).
#[differentiable(wrt(p))]
pub fn forward(p: &Rnn, x: ArrayView3<f32>, h0: ArrayView2<f32>) -> Array2<f32> {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    h.dot(&p.wo) + &p.bo
}

/// Mean softmax cross-entropy of the logits against one-hot labels: `forward`, loop and
/// all, is inlined here, so the softmax and the cross-entropy fuse into `p - y`.
#[differentiable(wrt(p))]
pub fn loss(p: &Rnn, x: ArrayView3<f32>, h0: ArrayView2<f32>, y: ArrayView2<f32>) -> f32 {
    softmax_cross_entropy(forward(p, x, h0), y)
}

/// Row-major rows of time-major frames as batch × time × coefficients (a view), and the
/// zero state every sequence starts from.
fn sequences<'a>(p: &Rnn, rows: ArrayView2<'a, f32>) -> (ArrayView3<'a, f32>, Array2<f32>) {
    let (n, cols) = rows.dim();
    let seq = rows
        .into_shape_with_order((n, cols / COEFFICIENTS, COEFFICIENTS))
        .expect("row-major rows of whole frames");
    (seq, Array2::zeros((n, p.wh.nrows())))
}

/// The logits of each row of `x`, a data set's time-major frames.
pub fn predict(p: &Rnn, x: ArrayView2<f32>) -> Array2<f32> {
    let rows = x.as_standard_layout();
    let (seq, h0) = sequences(p, rows.view());
    forward(p, seq, h0.view())
}

/// Loss and gradient for a batch of rows, as `cadena::train::fit` hands them.
pub fn loss_grad(p: &Rnn, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Rnn) {
    let rows = x.as_standard_layout();
    let (seq, h0) = sequences(p, rows.view());
    let (l, g) = loss::grad(p, seq, h0.view(), y);
    (l, g.p)
}
