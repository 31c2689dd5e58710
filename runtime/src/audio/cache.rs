//! On-disk cache of feature vectors and matrices, keyed by a file's bytes and the exact configuration,
//! so a second pass over a data set skips decoding and extraction.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

/// Bumped whenever feature computation changes, so stale entries stop matching.
const FORMAT_VERSION: u32 = 1;

/// A directory of cached feature vectors, one little-endian `f32` file per entry.
#[derive(Debug, Clone)]
pub(crate) struct FeatureCache {
    dir: PathBuf,
    fingerprint: String,
}

impl FeatureCache {
    /// A cache in `dir` for vectors computed under `fingerprint` (a full description of
    /// the configuration, e.g. its `Debug` text).
    pub(crate) fn new(dir: &Path, fingerprint: String) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            fingerprint,
        })
    }

    /// The entry's file: two independent 64-bit hashes of version, configuration and
    /// content, so an accidental collision needs 128 bits to line up.
    fn entry(&self, bytes: &[u8]) -> PathBuf {
        let digest = |salt: u64| {
            let mut h = DefaultHasher::new();
            (salt, FORMAT_VERSION, &self.fingerprint, bytes.len(), bytes).hash(&mut h);
            h.finish()
        };
        self.dir.join(format!(
            "{:016x}{:016x}.f32",
            digest(0x5eed),
            digest(0xca11)
        ))
    }

    /// The cached vector for a file with these bytes, if one of the expected length exists.
    pub(crate) fn get(&self, bytes: &[u8], dims: usize) -> Option<Array1<f32>> {
        let values = self.read(bytes)?;
        (values.len() == dims).then(|| Array1::from(values))
    }

    /// The cached matrix of `rows` rows (row-major, any number of columns) for a file with
    /// these bytes, if one exists.
    pub(crate) fn get_matrix(&self, bytes: &[u8], rows: usize) -> Option<Array2<f32>> {
        let values = self.read(bytes)?;
        if rows == 0 || values.is_empty() || values.len() % rows != 0 {
            return None;
        }
        Array2::from_shape_vec((rows, values.len() / rows), values).ok()
    }

    fn read(&self, bytes: &[u8]) -> Option<Vec<f32>> {
        let data = std::fs::read(self.entry(bytes)).ok()?;
        (data.len() % 4 == 0).then(|| {
            data.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
    }

    /// Stores a vector. Written to a temporary name and renamed, so a concurrent reader or
    /// an interrupted run never sees half an entry.
    pub(crate) fn put<'a>(
        &self,
        bytes: &[u8],
        features: impl IntoIterator<Item = &'a f32>,
    ) -> std::io::Result<()> {
        let path = self.entry(bytes);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let data: Vec<u8> = features.into_iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&tmp, data)?;
        std::fs::rename(&tmp, &path)
    }
}
