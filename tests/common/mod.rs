//! What several test files share: a small seeded generator of arrays.

use cadena::ndarray::{Array, ShapeBuilder};

/// Xorshift-multiply: uniform values in [-0.5, 0.5), the same from run to run.
pub struct Rng(pub u64);

impl Rng {
    pub fn array<Sh: ShapeBuilder>(&mut self, shape: Sh) -> Array<f64, Sh::Dim> {
        Array::from_shape_simple_fn(shape, || {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let u = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
            u - 0.5
        })
    }
}
