//! Minimal NumPy `.npy` reading and writing for 2-D float arrays: enough to hand MFCC
//! matrices to Python and to read librosa's reference outputs back.

use std::io::Write;
use std::path::Path;

use ndarray::Array2;

use crate::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Writes `array` as a version 1.0 `.npy` file: little-endian float32, C order.
///
/// ```
/// let path = std::env::temp_dir().join("cadena_npy_doc.npy");
/// let a = ndarray::array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// cadena::audio::npy::write(&path, &a)?;
/// assert_eq!(cadena::audio::npy::read(&path)?, a);
/// # Ok::<(), cadena::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if the file cannot be written.
pub fn write(path: impl AsRef<Path>, array: &Array2<f32>) -> Result<()> {
    let path = path.as_ref();
    let (rows, cols) = array.dim();
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // Pad so magic + version + length + header + '\n' is a multiple of 64 bytes.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut bytes = Vec::with_capacity(unpadded + 64 + array.len() * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in array.iter() {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(io)
}

/// Reads a C-order little-endian float32 or float64 `.npy` file of 1 or 2 dimensions as
/// an `f32` matrix (a 1-D array becomes one row).
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::Data`] if it is not such an array.
pub fn read(path: impl AsRef<Path>) -> Result<Array2<f32>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&bytes).map_err(|reason| Error::Data(format!("{}: {reason}", path.display())))
}

fn parse(bytes: &[u8]) -> std::result::Result<Array2<f32>, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated header")?;
    if header.contains("'fortran_order': True") {
        return Err("Fortran-order arrays are not supported".into());
    }
    let width = if header.contains("'<f4'") {
        4
    } else if header.contains("'<f8'") {
        8
    } else {
        return Err(format!("only <f4 and <f8 arrays are supported: {header}"));
    };
    let shape_text = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or("no shape in header")?;
    let dims: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad shape {shape_text}")))
        .collect::<std::result::Result<_, _>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (1, n),
        [r, c] => (r, c),
        _ => return Err(format!("expected 1 or 2 dimensions, got {dims:?}")),
    };
    let data = &bytes[start + header_len..];
    if data.len() < rows * cols * width {
        return Err("truncated data".into());
    }
    let values = data
        .chunks_exact(width)
        .take(rows * cols)
        .map(|c| match width {
            4 => f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            _ => f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32,
        })
        .collect();
    Array2::from_shape_vec((rows, cols), values).map_err(|e| e.to_string())
}
