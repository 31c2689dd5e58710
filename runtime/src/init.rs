//! Seeded weight initialisation: Xavier/Glorot and He (Kaiming), uniform and normal.
//!
//! Weights are laid out `fan_in × fan_out`, the shape `x.dot(&w)` multiplies by. All
//! randomness comes from the `rng` passed in; [`seeded`] makes the `StdRng` (ChaCha12)
//! that the rest of cadena uses, so the same seed gives the same weights on every
//! platform.
//!
//! ```
//! use cadena::init::{Init, seeded};
//!
//! let mut rng = seeded(42);
//! let w = Init::HeNormal.array2::<f32, _>(40, 128, &mut rng);
//! assert_eq!(w.dim(), (40, 128));
//! assert_eq!(w, Init::HeNormal.array2::<f32, _>(40, 128, &mut seeded(42)));
//! ```

use ndarray::{Array, Array2, Dimension, ShapeBuilder};
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

use crate::Float;

/// A `StdRng` seeded from `seed`: the generator for reproducible runs.
pub fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A weight initialisation scheme.
///
/// ```text
/// XavierUniform  U(-a, a),  a = √(6 / (fan_in + fan_out))
/// XavierNormal   N(0, σ²),  σ = √(2 / (fan_in + fan_out))
/// HeUniform      U(-a, a),  a = √(6 / fan_in)
/// HeNormal       N(0, σ²),  σ = √(2 / fan_in)
/// ```
///
/// Xavier suits tanh and sigmoid layers, He suits ReLU layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Glorot & Bengio (2010), uniform.
    XavierUniform,
    /// Glorot & Bengio (2010), normal.
    XavierNormal,
    /// He et al. (2015), uniform.
    HeUniform,
    /// He et al. (2015), normal.
    HeNormal,
}

impl Init {
    /// The standard deviation of the weights this scheme draws.
    ///
    /// ```
    /// use cadena::init::Init;
    /// assert_eq!(Init::HeNormal.std(8, 100), 0.5);
    /// ```
    pub fn std(self, fan_in: usize, fan_out: usize) -> f64 {
        let fan = match self {
            Init::XavierUniform | Init::XavierNormal => (fan_in + fan_out) as f64 / 2.0,
            Init::HeUniform | Init::HeNormal => fan_in as f64,
        };
        (2.0 / fan.max(1.0)).sqrt()
    }

    /// A `fan_in × fan_out` weight matrix.
    pub fn array2<A: Float, R: Rng + ?Sized>(
        self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut R,
    ) -> Array2<A> {
        self.array((fan_in, fan_out), fan_in, fan_out, rng)
    }

    /// An array of any shape with explicit fans (for convolution kernels and the like).
    /// Elements are drawn in row-major order.
    pub fn array<A: Float, Sh: ShapeBuilder, R: Rng + ?Sized>(
        self,
        shape: Sh,
        fan_in: usize,
        fan_out: usize,
        rng: &mut R,
    ) -> Array<A, Sh::Dim>
    where
        Sh::Dim: Dimension,
    {
        let std = self.std(fan_in, fan_out);
        // A uniform U(-a, a) has standard deviation a/√3.
        let limit = std * 3f64.sqrt();
        let uniform = matches!(self, Init::XavierUniform | Init::HeUniform);
        Array::from_shape_simple_fn(shape, || {
            A::of(if uniform {
                limit * (2.0 * rng.random::<f64>() - 1.0)
            } else {
                std * standard_normal(rng)
            })
        })
    }
}

/// One draw from N(0, 1) by the Box–Muller transform (one of the pair is discarded, so
/// each draw consumes exactly two uniforms and results do not depend on call history).
fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 1 - U lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}
