//! Checkpoints: any [`Parameters`] value saved to and loaded from a
//! [safetensors](https://huggingface.co/docs/safetensors) file.
//!
//! Each tensor is stored under its field path (`w1`, `enc.w1`, ...; a bare scalar or
//! array model, whose path is empty, under [`ROOT_NAME`]), little-endian, as `F32` or
//! `F64` like the model. Files are written to a temporary file beside the target and
//! renamed over it, so a crash never leaves a half-written checkpoint.
//!
//! ```
//! use cadena::checkpoint::{load, save};
//! use cadena::ndarray::{Array1, Array2};
//! use cadena::prelude::*;
//!
//! #[derive(Parameters, Clone, Debug, PartialEq)]
//! struct Mlp { w1: Array2<f32>, b1: Array1<f32> }
//!
//! let path = std::env::temp_dir().join(format!("cadena-doc-{}.safetensors", std::process::id()));
//! let trained = Mlp { w1: Array2::from_elem((2, 3), 0.5), b1: Array1::from_elem(3, -1.0) };
//! save(&trained, &path)?;
//! let mut fresh = trained.zeros_like();
//! load(&mut fresh, &path)?;
//! assert_eq!(fresh, trained);
//! # std::fs::remove_file(&path).unwrap();
//! # Ok::<(), cadena::Error>(())
//! ```

mod atomic;
mod codec;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use safetensors::SafeTensors;
use safetensors::tensor::TensorView;

use crate::{Error, Float as _, Parameters, Result};

/// The tensor name used for a model that is a single scalar or array (whose field path
/// is empty).
pub const ROOT_NAME: &str = "value";

fn tensor_name(path: &str) -> &str {
    if path.is_empty() { ROOT_NAME } else { path }
}

/// Writes every tensor of `params` to `path` as safetensors, atomically.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be written or renamed into place;
/// [`Error::Checkpoint`] when the safetensors encoder rejects the data.
pub fn save<P: Parameters>(params: &P, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let dtype = codec::dtype::<P::Elem>();
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    params.visit(&mut |name, t| {
        tensors.push((
            tensor_name(name).to_string(),
            t.shape().to_vec(),
            codec::encode(t.iter().copied()),
        ));
    });
    let checkpoint_error = |e: safetensors::SafeTensorError| Error::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            Ok((
                name.as_str(),
                TensorView::new(dtype, shape.clone(), bytes).map_err(checkpoint_error)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = HashMap::from([("format".to_string(), "cadena".to_string())]);
    let bytes = safetensors::serialize(views, Some(metadata)).map_err(checkpoint_error)?;
    atomic::write(path, &bytes)
}

/// Reads `path` into `params`, whose tensors must all be in the file with the same
/// shapes. `F32` and `F64` files load into either precision (`F64` into `f32` rounds to
/// nearest).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Checkpoint`] when it is not
/// safetensors, or when tensors are missing, mis-shaped, of a non-float dtype or not
/// part of the model — naming every such tensor. On error `params` is unchanged.
pub fn load<P: Parameters>(params: &mut P, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file = SafeTensors::deserialize(&bytes).map_err(|e| Error::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    check_fits(params, &file).map_err(|reason| Error::Checkpoint {
        path: path.to_path_buf(),
        reason,
    })?;
    params.visit_mut(&mut |name, mut t| {
        let view = file.tensor(tensor_name(name)).expect("checked above");
        for (dst, v) in t.iter_mut().zip(codec::decode(view.dtype(), view.data())) {
            *dst = P::Elem::of(v);
        }
    });
    Ok(())
}

/// Every reason the file cannot fill `params`, joined into one message.
fn check_fits<P: Parameters>(
    params: &P,
    file: &SafeTensors<'_>,
) -> std::result::Result<(), String> {
    let mut missing = Vec::new();
    let mut misshaped = Vec::new();
    let mut bad_dtype = Vec::new();
    let mut expected = BTreeSet::new();
    params.visit(&mut |name, t| {
        let name = tensor_name(name);
        expected.insert(name.to_string());
        match file.tensor(name) {
            Err(_) => missing.push(name.to_string()),
            Ok(view) if view.shape() != t.shape() => {
                misshaped.push(format!(
                    "{name} (file {:?}, model {:?})",
                    view.shape(),
                    t.shape()
                ));
            }
            Ok(view) if !codec::is_float(view.dtype()) => {
                bad_dtype.push(format!("{name} ({:?})", view.dtype()));
            }
            Ok(_) => {}
        }
    });
    let mut unexpected: Vec<&str> = file
        .names()
        .into_iter()
        .filter(|n| !expected.contains(*n))
        .collect();
    unexpected.sort_unstable();
    let mut problems = Vec::new();
    for (what, list) in [
        ("missing tensors", missing),
        ("mis-shaped tensors", misshaped),
        ("tensors that are not F32 or F64", bad_dtype),
        (
            "tensors the model does not have",
            unexpected.into_iter().map(String::from).collect(),
        ),
    ] {
        if !list.is_empty() {
            problems.push(format!("{what}: {}", list.join(", ")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
