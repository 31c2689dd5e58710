//! The network of `audio_cnn`: what each clip becomes (a log-mel image), the
//! convolutional model written as a PyTorch tutorial would write it, its loss and its
//! prediction.

use cadena::audio::LoadConfig;
use cadena::audio::band_norm::BandNormalizer;
use cadena::audio::logmel::LogMelConfig;
use cadena::audio::logmel::{fit_frames, frames_for};
use cadena::audio::mel::MelConfig;
use cadena::audio::spectrograms::{SpectrogramSet, SpectrogramSetConfig};
use cadena::audio::stft::StftConfig;
use cadena::data::{Dataset, Splits};
use cadena::init::Init;
use cadena::ndarray::{Array1, Array2, Array4, ArrayView2, ArrayView4};
use cadena::prelude::*;
use rand::rngs::StdRng;

// The augmentation, the learning rate and the channels were chosen by leave-one-source-out
// cross-validation over the training kits only (`examples/audio_cnn_tune.rs`, output in
// `data/results/audio_cnn_tune.txt`); the bands, frames and the rest were set beforehand.

/// Mel bands of the input image.
pub const BANDS: usize = 40;

/// Channels of the two convolutions.
pub const CHANNELS: (usize, usize) = (16, 32);

/// Most epochs a run trains for (`--epochs` in `audio_cnn`); early stopping usually ends
/// it sooner.
pub const EPOCHS: usize = 200;

/// AdamW's learning rate.
pub const LEARNING_RATE: f64 = 1e-2;

/// AdamW's decoupled weight decay.
pub const WEIGHT_DECAY: f64 = 0.01;

/// Share of the training clips whose whole length the fixed frame count keeps
/// (`cadena::audio::logmel::frames_for`): the longest.
pub const FRAME_SHARE: f64 = 1.0;

/// What each clip becomes: a `bands`-band log-mel of a 1024-point STFT, hop 256 (11.6 ms
/// at 22,050 Hz; a bundled clip is 47 frames), in dB.
pub fn spectrogram_config(sr: u32, bands: usize) -> SpectrogramSetConfig {
    SpectrogramSetConfig {
        load: LoadConfig { sr: Some(sr) },
        log_mel: LogMelConfig {
            stft: StftConfig {
                n_fft: 1024,
                hop_length: Some(256),
                ..StftConfig::default()
            },
            mel: MelConfig {
                n_mels: bands,
                ..MelConfig::default()
            },
            ..LogMelConfig::default()
        },
        cache_dir: Some("target/feature-cache".into()),
        ..SpectrogramSetConfig::default()
    }
}

/// conv 3×3 → ReLU → max-pool 2×2 → conv 3×3 → ReLU → max-pool 2×2 → global average →
/// dense. `frames` is the input's width, chosen on the training clips and kept with the
/// model so rows of a data set can be read back as images.
#[derive(Parameters, Clone)]
pub struct Cnn {
    pub w1: Array4<f32>,
    pub b1: Array1<f32>,
    pub w2: Array4<f32>,
    pub b2: Array1<f32>,
    pub v: Array2<f32>,
    pub c: Array1<f32>,
    #[parameters(skip)]
    pub bands: usize,
    #[parameters(skip)]
    pub frames: usize,
}

impl Cnn {
    /// A network for images of `bands × frames` and `classes` classes, He-initialised
    /// (the layers feed ReLUs), biases zero.
    pub fn new(image: (usize, usize), classes: usize, rng: &mut StdRng) -> Cnn {
        Cnn::with_channels(image, CHANNELS, classes, rng)
    }

    /// The same with other channel counts (for the cross-validation that chose
    /// `CHANNELS`).
    pub fn with_channels(
        (bands, frames): (usize, usize),
        (c1, c2): (usize, usize),
        classes: usize,
        rng: &mut StdRng,
    ) -> Cnn {
        Cnn {
            w1: Init::HeUniform.array((c1, 1, 3, 3), 9, c1 * 9, rng),
            b1: Array1::zeros(c1),
            w2: Init::HeUniform.array((c2, c1, 3, 3), c1 * 9, c2 * 9, rng),
            b2: Array1::zeros(c2),
            v: Init::XavierUniform.array2(c2, classes, rng),
            c: Array1::zeros(classes),
            bands,
            frames,
        }
    }
}

/// The logits of a batch of images `x` (batch, 1, mels, frames), in PyTorch's layout.
#[differentiable(wrt(p))]
pub fn forward(p: &Cnn, x: ArrayView4<f32>) -> Array2<f32> {
    let h1 = relu(conv2d(&x, &p.w1, &p.b1, (1, 1), (1, 1)));
    let h1 = max_pool2d(&h1, (2, 2), (2, 2));
    let h2 = relu(conv2d(&h1, &p.w2, &p.b2, (1, 1), (1, 1)));
    let h2 = max_pool2d(&h2, (2, 2), (2, 2));
    let pooled = h2.mean_axis(Axis(3)).mean_axis(Axis(2));
    pooled.dot(&p.v) + &p.c
}

/// Mean softmax cross-entropy of the logits against one-hot labels (`forward` inlined, so
/// the softmax and the cross-entropy fuse into `p - y`).
#[differentiable(wrt(p))]
pub fn loss(p: &Cnn, x: ArrayView4<f32>, y: ArrayView2<f32>) -> f32 {
    softmax_cross_entropy(forward(p, x), y)
}

/// Rows of flattened `bands × frames` images as a (batch, 1, bands, frames) view.
fn images<'a>(p: &Cnn, rows: ArrayView2<'a, f32>) -> ArrayView4<'a, f32> {
    let n = rows.nrows();
    rows.into_shape_with_order((n, 1, p.bands, p.frames))
        .expect("row-major rows of bands × frames")
}

/// The logits of each row of `x`, a data set's flattened images.
pub fn predict(p: &Cnn, x: ArrayView2<f32>) -> Array2<f32> {
    let rows = x.as_standard_layout();
    forward(p, images(p, rows.view()))
}

/// Loss and gradient for a batch of rows, as `cadena::train::fit` hands them.
pub fn loss_grad(p: &Cnn, x: ArrayView2<f32>, y: ArrayView2<f32>) -> (f32, Cnn) {
    let rows = x.as_standard_layout();
    let (l, g) = loss::grad(p, images(p, rows.view()), y);
    (l, g.p)
}

/// Log-mel images of a split, ready for `fit`: the frame count and the per-band statistics
/// come from the training clips only.
pub struct Images {
    pub splits: Splits<f32>,
    pub normalizer: BandNormalizer,
    pub bands: usize,
    pub frames: usize,
}

/// The clips `train` and `validation` of `set`, and `test` of `test_set`, labelled
/// `test_labels`, as rows of flattened, normalised `bands × frames` images: each clip
/// cropped or padded to the frame count that `FRAME_SHARE` of the training clips fit in,
/// each band standardised with the training images' statistics.
pub fn images_of(
    set: &SpectrogramSet,
    train: &[usize],
    validation: &[usize],
    test_set: &SpectrogramSet,
    test: &[usize],
    test_labels: Vec<usize>,
) -> Result<Images, cadena::Error> {
    let counts: Vec<usize> = train.iter().map(|&i| set.spectrograms[i].ncols()).collect();
    let frames = frames_for(&counts, FRAME_SHARE)?;
    let fixed = |s: &SpectrogramSet, i: usize| fit_frames(s.spectrograms[i].view(), frames);
    let train_images: Vec<Array2<f32>> = train.iter().map(|&i| fixed(set, i)).collect();
    let normalizer = BandNormalizer::fit(&train_images)?;
    let bands = normalizer.bands();
    let n_classes = set.class_names.len();
    let dataset = |s: &SpectrogramSet, indices: &[usize], labels: Vec<usize>| {
        let mut x = Array2::zeros((indices.len(), bands * frames));
        for (mut row, &i) in x.rows_mut().into_iter().zip(indices) {
            let mut m = fixed(s, i);
            normalizer.apply(&mut m.view_mut())?;
            row.assign(&Array1::from_iter(m.iter().copied()));
        }
        Dataset::classification(x, labels, n_classes)
    };
    let labels_of = |indices: &[usize]| indices.iter().map(|&i| set.labels[i]).collect();
    let splits = Splits {
        train: dataset(set, train, labels_of(train))?,
        validation: dataset(set, validation, labels_of(validation))?,
        test: dataset(test_set, test, test_labels)?,
    };
    Ok(Images {
        splits,
        normalizer,
        bands,
        frames,
    })
}
