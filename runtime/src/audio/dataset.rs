//! Folder-per-class audio data sets: every audio file under `root/<class>/` becomes one
//! feature row, extracted in parallel, with failures reported and skipped.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::cache::FeatureCache;
use super::features::{FeatureExtractor, FeatureSpec};
use super::load::{LoadConfig, decode};
use crate::progress::{self, Counting};
use crate::{Error, Result};

/// How to build a [`Dataset`]. `Default`: clips resampled to 22,050 Hz (as
/// `librosa.load`'s default), MFCC mean and std features, the usual audio extensions, no
/// cache, progress and skip reports on stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetConfig {
    /// How each file is loaded; fix `sr` so every clip's features are comparable.
    pub load: LoadConfig,
    /// What each clip becomes.
    pub features: FeatureSpec,
    /// File extensions (lowercase, no dot) that are read; other files are ignored.
    pub extensions: Vec<String>,
    /// Directory for the feature cache; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Show a progress bar (with the `progress` feature, and only when stderr is a
    /// terminal and `CI` is unset) and print each skipped file and the final count to
    /// stderr.
    pub verbose: bool,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        Self {
            load: LoadConfig { sr: Some(22050) },
            features: FeatureSpec::default(),
            extensions: ["wav", "flac", "aif", "aiff", "ogg", "mp3"]
                .map(String::from)
                .to_vec(),
            cache_dir: None,
            verbose: true,
        }
    }
}

/// Clips as rows of features, with labels and where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One row per clip, `(clips, dims)`.
    pub features: Array2<f32>,
    /// Class index of each row, into `class_names`.
    pub labels: Vec<usize>,
    /// Class names: the subfolder names, sorted.
    pub class_names: Vec<String>,
    /// The file each row came from, so callers can split by a group derived from the
    /// path (e.g. a recording session in the file stem) rather than at random.
    pub paths: Vec<PathBuf>,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Loads `root/<class>/**/<file>` into a [`Dataset`], extracting features in parallel
/// (one FFT plan per worker thread) and consulting the cache if configured. Classes and
/// files are in sorted order, so the result is the same on every run.
///
/// ```no_run
/// use cadena::audio::dataset::{load_dir, DatasetConfig};
/// use cadena::audio::features::{FeatureSpec, SummarySpec};
///
/// let data = load_dir("drums/", &DatasetConfig {
///     features: FeatureSpec::Summary(SummarySpec::all()),
///     cache_dir: Some(".feature-cache".into()),
///     ..Default::default()
/// })?;
/// println!("{} clips, {} classes, {} skipped",
///     data.labels.len(), data.class_names.len(), data.skipped.len());
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if `root` cannot be listed; [`Error::Data`] if it has no class folders or
/// no file could be used (the first failure is quoted). Individual bad files are not
/// errors: they land in [`Dataset::skipped`].
pub fn load_dir(root: impl AsRef<Path>, config: &DatasetConfig) -> Result<Dataset> {
    let root = root.as_ref();
    let (class_names, files) = list_clips(root, &config.extensions)?;
    let cache = match &config.cache_dir {
        Some(dir) => Some(
            FeatureCache::new(dir, format!("{:?}{:?}", config.load, config.features)).map_err(
                |source| Error::Io {
                    path: dir.clone(),
                    source,
                },
            )?,
        ),
        None => None,
    };

    let progress = progress::bar(config.verbose, files.len(), Counting::Clips);
    let rows: Vec<Result<Array1<f32>>> = files
        .par_iter()
        .map_init(
            || FeatureExtractor::new(&config.features),
            |extractor, (path, _)| {
                let row = extract_file(path, config, cache.as_ref(), extractor);
                progress.inc(1);
                row
            },
        )
        .collect();
    progress.finish_and_clear();

    let dims = config.features.dims();
    let mut data = Vec::with_capacity(rows.len() * dims);
    let (mut labels, mut paths, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for ((path, label), row) in files.into_iter().zip(rows) {
        match row {
            Ok(row) => {
                data.extend(row.iter());
                labels.push(label);
                paths.push(path);
            }
            Err(e) => {
                let reason = reason_without_path(&e, &path);
                if config.verbose {
                    eprintln!("skipped {}: {reason}", path.display());
                }
                skipped.push((path, reason));
            }
        }
    }
    if config.verbose {
        eprintln!(
            "loaded {} clips in {} classes from {}; skipped {} file(s)",
            labels.len(),
            class_names.len(),
            root.display(),
            skipped.len()
        );
    }
    if labels.is_empty() {
        let first = skipped
            .first()
            .map(|(p, r)| format!("; first failure: {}: {r}", p.display()))
            .unwrap_or_default();
        return Err(Error::Data(format!(
            "{}: no usable audio files{first}",
            root.display()
        )));
    }
    let features = Array2::from_shape_vec((labels.len(), dims), data)
        .map_err(|e| Error::Data(format!("feature rows: {e}")))?;
    Ok(Dataset {
        features,
        labels,
        class_names,
        paths,
        skipped,
    })
}

/// Every audio file of a folder-per-class tree with its class index, in sorted order.
pub(crate) type LabelledFiles = Vec<(PathBuf, usize)>;

/// The class names (subfolders of `root`, sorted) and every audio file under them with
/// its class index, in sorted order.
///
/// # Errors
/// [`Error::Io`] if a folder cannot be listed; [`Error::Data`] if `root` has no class
/// folders.
pub(crate) fn list_clips(
    root: &Path,
    extensions: &[String],
) -> Result<(Vec<String>, LabelledFiles)> {
    let class_dirs = sorted_entries(root)?
        .into_iter()
        .filter(|p| p.is_dir() && !is_hidden(p))
        .collect::<Vec<_>>();
    if class_dirs.is_empty() {
        return Err(Error::Data(format!(
            "{}: no class subfolders found",
            root.display()
        )));
    }
    let class_names: Vec<String> = class_dirs
        .iter()
        .map(|d| {
            d.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut files = Vec::new();
    for (label, dir) in class_dirs.iter().enumerate() {
        collect_audio(dir, extensions, &mut |p| files.push((p, label)))?;
    }
    Ok((class_names, files))
}

fn extract_file(
    path: &Path,
    config: &DatasetConfig,
    cache: Option<&FeatureCache>,
    extractor: &mut FeatureExtractor,
) -> Result<Array1<f32>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let dims = config.features.dims();
    if let Some(hit) = cache.and_then(|c| c.get(&bytes, dims)) {
        return Ok(hit);
    }
    let clip = decode(bytes.clone(), path, &config.load)?;
    let row = extractor.extract(&clip.samples, clip.sr)?;
    if let Some(cache) = cache {
        // A cache that cannot be written only costs time on the next run.
        let _ = cache.put(&bytes, &row);
    }
    Ok(row)
}

/// The error's message without a leading "path: ", since the report names the file itself.
pub(crate) fn reason_without_path(e: &Error, path: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix)
        .map(str::to_owned)
        .unwrap_or(text)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(io)?;
    entries.sort();
    Ok(entries)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Visits audio files under `dir`, depth first, in sorted order.
fn collect_audio(dir: &Path, extensions: &[String], visit: &mut impl FnMut(PathBuf)) -> Result<()> {
    for path in sorted_entries(dir)? {
        if is_hidden(&path) {
            continue;
        }
        if path.is_dir() {
            collect_audio(&path, extensions, visit)?;
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
        {
            visit(path);
        }
    }
    Ok(())
}
