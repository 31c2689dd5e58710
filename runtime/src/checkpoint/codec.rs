//! Element types to and from safetensors' little-endian bytes, without `unsafe`.

use safetensors::Dtype;

use crate::Float;

/// The dtype a model with elements `A` is stored as.
pub(super) fn dtype<A: Float>() -> Dtype {
    if std::mem::size_of::<A>() == 4 {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

pub(super) fn is_float(dtype: Dtype) -> bool {
    matches!(dtype, Dtype::F32 | Dtype::F64)
}

/// Little-endian bytes of `values` in the width of `A`. Widening an `f32` to `f64` and
/// narrowing it back is exact, so this stores the model's values bit for bit.
pub(super) fn encode<A: Float>(values: impl ExactSizeIterator<Item = A>) -> Vec<u8> {
    let width = std::mem::size_of::<A>();
    let mut out = Vec::with_capacity(values.len() * width);
    for v in values {
        let v = v.to_f64_lossless();
        if width == 4 {
            out.extend_from_slice(&(v as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// The values of an `F32` or `F64` buffer, widened to `f64`.
pub(super) fn decode(dtype: Dtype, bytes: &[u8]) -> impl Iterator<Item = f64> + '_ {
    let width = if dtype == Dtype::F32 { 4 } else { 8 };
    bytes.chunks_exact(width).map(move |c| match c.try_into() {
        Ok(b4) if width == 4 => f64::from(f32::from_le_bytes(b4)),
        _ => f64::from_le_bytes(c.try_into().expect("8-byte chunk")),
    })
}
