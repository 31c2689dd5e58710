//! Audio features for the case study, matching librosa 0.11's numbers: loading
//! ([`load`]), short-time Fourier transforms ([`stft`]), mel spectrograms ([`mel`]),
//! decibels ([`db`]), MFCCs ([`mfcc`]), deltas ([`delta`]), per-clip summary vectors
//! ([`features`]) and folder-per-class data sets ([`dataset`]); for convolutional
//! networks, log-mel spectrograms ([`logmel`]), folders of them ([`spectrograms`]),
//! per-band normalisation ([`band_norm`]) and training-time augmentation ([`augment`]).
//!
//! ```no_run
//! use cadena::audio::{self, mfcc::MfccConfig, LoadConfig};
//!
//! let clip = audio::load_with("kick.wav", &LoadConfig { sr: Some(22050) })?;
//! let m = audio::mfcc::mfcc(&clip.samples, clip.sr, &MfccConfig::default())?;
//! assert_eq!(m.nrows(), 20); // (n_mfcc, frames), as librosa
//! # Ok::<(), cadena::Error>(())
//! ```
//!
//! Every configuration struct's `Default` is librosa's default for the same call, so
//! `MfccConfig::default()` computes `librosa.feature.mfcc(y=y, sr=sr)`.

pub mod augment;
pub mod band_norm;
pub mod db;
pub mod delta;
pub mod mel;
pub mod mfcc;
pub mod npy;
pub mod stft;

mod load;
mod resample;

pub use load::{Clip, LoadConfig, decode, load, load_with};
pub mod dataset;
pub mod features;
pub mod logmel;
pub mod spectrograms;

mod cache;
