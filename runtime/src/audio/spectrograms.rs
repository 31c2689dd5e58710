//! Folder-per-class data sets of log-mel spectrograms: every audio file under
//! `root/<class>/` becomes one (mels × frames) matrix in dB, its own length, computed in
//! parallel with a progress bar and cached on disk like the summary features of
//! [`dataset`](super::dataset).

use std::path::{Path, PathBuf};

use ndarray::Array2;
use rayon::prelude::*;

use super::cache::FeatureCache;
use super::dataset::{list_clips, reason_without_path};
use super::load::{LoadConfig, decode};
use super::logmel::{LogMelConfig, LogMelExtractor};
use crate::progress::{self, Counting};
use crate::{Error, Result};

/// How to build a [`SpectrogramSet`]. `Default`: clips resampled to 22,050 Hz, librosa's
/// log-mel ([`LogMelConfig::default`]), the usual audio extensions, no cache, progress
/// and skip reports on stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrogramSetConfig {
    /// How each file is loaded; fix `sr` so every clip's bands are the same frequencies.
    pub load: LoadConfig,
    /// The log-mel each clip becomes.
    pub log_mel: LogMelConfig,
    /// File extensions (lowercase, no dot) that are read; other files are ignored.
    pub extensions: Vec<String>,
    /// Directory for the cache; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Show a progress bar (only when stderr is a terminal and `CI` is unset) and print
    /// each skipped file and the final count to stderr.
    pub verbose: bool,
}

impl Default for SpectrogramSetConfig {
    fn default() -> Self {
        let base = super::dataset::DatasetConfig::default();
        Self {
            load: base.load,
            log_mel: LogMelConfig::default(),
            extensions: base.extensions,
            cache_dir: None,
            verbose: true,
        }
    }
}

/// Clips as log-mel matrices, with labels and where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrogramSet {
    /// One `(n_mels, frames)` matrix per clip, in dB; `frames` follows the clip's length.
    pub spectrograms: Vec<Array2<f32>>,
    /// Class index of each clip, into `class_names`.
    pub labels: Vec<usize>,
    /// Class names: the subfolder names, sorted.
    pub class_names: Vec<String>,
    /// The file each clip came from.
    pub paths: Vec<PathBuf>,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

impl SpectrogramSet {
    /// The number of frames of each clip, in order.
    pub fn frame_counts(&self) -> Vec<usize> {
        self.spectrograms.iter().map(Array2::ncols).collect()
    }
}

/// Loads `root/<class>/**/<file>` into a [`SpectrogramSet`], computing log-mels in
/// parallel (one planned pipeline per worker thread and rate) and consulting the cache if
/// configured. Classes and files are in sorted order, so the result is the same on every
/// run.
///
/// ```
/// use cadena::audio::spectrograms::{load_spectrograms, SpectrogramSetConfig};
///
/// let root = std::env::temp_dir().join(format!("cadena-doc-logmel-{}", std::process::id()));
/// for (class, hz) in [("high", 3000.0), ("low", 200.0)] {
///     std::fs::create_dir_all(root.join(class))?;
///     let spec = hound::WavSpec { channels: 1, sample_rate: 16000, bits_per_sample: 16,
///                                 sample_format: hound::SampleFormat::Int };
///     let mut w = hound::WavWriter::create(root.join(class).join("a.wav"), spec).unwrap();
///     for n in 0..8000 {
///         let v = (std::f32::consts::TAU * hz * n as f32 / 16000.0).sin();
///         w.write_sample((v * 16000.0) as i16).unwrap();
///     }
///     w.finalize().unwrap();
/// }
/// let set = load_spectrograms(&root, &SpectrogramSetConfig { verbose: false, ..Default::default() })?;
/// assert_eq!(set.class_names, ["high", "low"]);
/// // 8,000 samples at 16 kHz resampled to 22,050 Hz: 11,025 samples, 22 frames of hop 512.
/// assert_eq!(set.spectrograms[0].dim(), (128, 22));
/// std::fs::remove_dir_all(&root)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if `root` cannot be listed; [`Error::Data`] if it has no class folders or
/// no file could be used (the first failure is quoted); [`Error::InvalidConfig`] for a
/// log-mel configuration out of range. Individual bad files are not errors: they land in
/// [`SpectrogramSet::skipped`].
pub fn load_spectrograms(
    root: impl AsRef<Path>,
    config: &SpectrogramSetConfig,
) -> Result<SpectrogramSet> {
    let root = root.as_ref();
    // A bad configuration is one error, not one skipped file per clip.
    LogMelExtractor::new(config.load.sr.unwrap_or(22050), &config.log_mel)?;
    let (class_names, files) = list_clips(root, &config.extensions)?;
    let cache = match &config.cache_dir {
        Some(dir) => Some(
            FeatureCache::new(
                dir,
                format!("log-mel {:?}{:?}", config.load, config.log_mel),
            )
            .map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?,
        ),
        None => None,
    };

    let progress = progress::bar(config.verbose, files.len(), Counting::Clips);
    let matrices: Vec<Result<Array2<f32>>> = files
        .par_iter()
        .map_init(Vec::new, |planned, (path, _)| {
            let m = extract_file(path, config, cache.as_ref(), planned);
            progress.inc(1);
            m
        })
        .collect();
    progress.finish_and_clear();

    let mut set = SpectrogramSet {
        spectrograms: Vec::new(),
        labels: Vec::new(),
        class_names,
        paths: Vec::new(),
        skipped: Vec::new(),
    };
    for ((path, label), m) in files.into_iter().zip(matrices) {
        match m {
            Ok(m) => {
                set.spectrograms.push(m);
                set.labels.push(label);
                set.paths.push(path);
            }
            Err(e) => {
                let reason = reason_without_path(&e, &path);
                if config.verbose {
                    eprintln!("skipped {}: {reason}", path.display());
                }
                set.skipped.push((path, reason));
            }
        }
    }
    if config.verbose {
        eprintln!(
            "loaded {} clips in {} classes from {}; skipped {} file(s)",
            set.labels.len(),
            set.class_names.len(),
            root.display(),
            set.skipped.len()
        );
    }
    if set.labels.is_empty() {
        let first = set
            .skipped
            .first()
            .map(|(p, r)| format!("; first failure: {}: {r}", p.display()))
            .unwrap_or_default();
        return Err(Error::Data(format!(
            "{}: no usable audio files{first}",
            root.display()
        )));
    }
    Ok(set)
}

/// One clip's log-mel, from the cache or computed with this thread's pipeline for the
/// clip's rate (`planned`, one per rate seen).
fn extract_file(
    path: &Path,
    config: &SpectrogramSetConfig,
    cache: Option<&FeatureCache>,
    planned: &mut Vec<(u32, LogMelExtractor)>,
) -> Result<Array2<f32>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let n_mels = config.log_mel.n_mels();
    if let Some(hit) = cache.and_then(|c| c.get_matrix(&bytes, n_mels)) {
        return Ok(hit);
    }
    let clip = decode(bytes.clone(), path, &config.load)?;
    let at = match planned.iter().position(|(sr, _)| *sr == clip.sr) {
        Some(at) => at,
        None => {
            planned.push((clip.sr, LogMelExtractor::new(clip.sr, &config.log_mel)?));
            planned.len() - 1
        }
    };
    let m = planned[at].1.compute(&clip.samples)?;
    if let Some(cache) = cache {
        // A cache that cannot be written only costs time on the next run.
        let _ = cache.put(&bytes, &m);
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_clip(path: &Path, hz: f32, samples: usize) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for n in 0..samples {
            let v = (std::f32::consts::TAU * hz * n as f32 / 16000.0).sin();
            w.write_sample((v * 12000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn cached_spectrograms_are_the_computed_ones_and_keep_their_lengths() {
        let root = std::env::temp_dir().join(format!("cadena-spectro-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        write_clip(&root.join("data/a/short.wav"), 440.0, 3000);
        write_clip(&root.join("data/a/long.wav"), 880.0, 9000);
        write_clip(&root.join("data/b/broken.wav"), 0.0, 0);
        std::fs::write(root.join("data/b/broken.wav"), b"RIFF").unwrap();
        let config = SpectrogramSetConfig {
            load: LoadConfig { sr: None },
            cache_dir: Some(root.join("cache")),
            verbose: false,
            ..Default::default()
        };
        let first = load_spectrograms(root.join("data"), &config).unwrap();
        let again = load_spectrograms(root.join("data"), &config).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.frame_counts(), vec![18, 6]); // long.wav, short.wav
        assert_eq!(first.skipped.len(), 1);
        let entries = std::fs::read_dir(root.join("cache")).unwrap().count();
        assert_eq!(entries, 2);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_bad_configuration_is_one_error() {
        let config = SpectrogramSetConfig {
            log_mel: LogMelConfig {
                mel: crate::audio::mel::MelConfig {
                    n_mels: 0,
                    ..Default::default()
                },
                ..Default::default()
            },
            verbose: false,
            ..Default::default()
        };
        assert!(matches!(
            load_spectrograms(std::env::temp_dir(), &config),
            Err(Error::InvalidConfig { .. })
        ));
    }
}
