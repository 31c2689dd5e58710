//! Adam, and AdamW (Adam with decoupled weight decay).

use ndarray::Zip;

use super::state::{State, check_shapes, elem};
use super::{Optimizer, check, check_lr};
use crate::ops::tensor::fast::vectorised;
use crate::{Float, Parameters, Result};

/// Hyper-parameters of [`Adam`]; the defaults are those of Kingma & Ba (2015) and
/// PyTorch's `torch.optim.Adam`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate η, `>= 0`.
    pub lr: f64,
    /// Decay of the first-moment estimate, in `[0, 1)`.
    pub beta1: f64,
    /// Decay of the second-moment estimate, in `[0, 1)`.
    pub beta2: f64,
    /// Added to `√v̂` so the step stays finite, `> 0`.
    pub eps: f64,
    /// Decoupled weight decay λ (AdamW): `w -= η·λ·w` before the Adam step, `>= 0`.
    pub weight_decay: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

/// Adam; with `weight_decay > 0`, AdamW (Loshchilov & Hutter, decoupled decay).
///
/// ```text
/// t = t + 1
/// w = w - η·λ·w                              (AdamW only)
/// m = β1·m + (1 - β1)·g
/// v = β2·v + (1 - β2)·g²
/// w = w - η · (m / (1 - β1^t)) / (√(v / (1 - β2^t)) + ε)
/// ```
///
/// ```
/// use cadena::optim::{Adam, Optimizer};
///
/// // The first Adam step moves every weight by about η, whatever the gradient's scale.
/// let mut w = 1.0_f64;
/// let mut adam = Adam::new(0.1)?;
/// adam.step(&mut w, &1234.5)?;
/// assert!((w - 0.9).abs() < 1e-9);
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug)]
pub struct Adam {
    config: AdamConfig,
    t: i32,
    moments: State,
}

impl Adam {
    /// Adam with learning rate `lr` and default betas and epsilon.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming `lr` and its value when
    /// it is negative or not finite.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_config(AdamConfig {
            lr,
            ..AdamConfig::default()
        })
    }

    /// AdamW: Adam with decoupled weight decay `weight_decay`.
    ///
    /// # Errors
    ///
    /// As [`with_config`](Self::with_config).
    pub fn adamw(lr: f64, weight_decay: f64) -> Result<Self> {
        Self::with_config(AdamConfig {
            lr,
            weight_decay,
            ..AdamConfig::default()
        })
    }

    /// Adam with every hyper-parameter given.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming the first
    /// hyper-parameter out of range (`lr`, `beta1`, `beta2`, `eps`, `weight_decay`) and
    /// its value.
    pub fn with_config(config: AdamConfig) -> Result<Self> {
        check_lr(config.lr)?;
        check(
            "beta1",
            config.beta1,
            (0.0..1.0).contains(&config.beta1),
            "in [0, 1)",
        )?;
        check(
            "beta2",
            config.beta2,
            (0.0..1.0).contains(&config.beta2),
            "in [0, 1)",
        )?;
        check("eps", config.eps, config.eps > 0.0, "positive")?;
        check(
            "weight_decay",
            config.weight_decay,
            config.weight_decay >= 0.0,
            "non-negative",
        )?;
        Ok(Self {
            config,
            t: 0,
            moments: State::default(),
        })
    }

    /// The hyper-parameters in use.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// How many steps have been taken since creation or the last reset.
    pub fn steps(&self) -> i32 {
        self.t
    }
}

/// One step's update rule with its constants in the element type.
#[derive(Clone, Copy)]
struct Rule<A> {
    step: A,
    sqrt_bc2: A,
    eps: A,
    decay: A,
    decoupled: bool,
    b1: A,
    b2: A,
    one_b1: A,
    one_b2: A,
}

impl<A: Float> Rule<A> {
    /// The rule of step `t` (1-based). Bias corrections are folded into the step size and
    /// epsilon once per step, in f64.
    fn new(c: &AdamConfig, t: i32) -> Self {
        let bc1 = 1.0 - c.beta1.powi(t);
        let bc2 = 1.0 - c.beta2.powi(t);
        Rule {
            step: elem(c.lr / bc1),
            sqrt_bc2: elem(bc2.sqrt()),
            eps: elem(c.eps),
            decay: elem(1.0 - c.lr * c.weight_decay),
            decoupled: c.weight_decay > 0.0,
            b1: elem(c.beta1),
            b2: elem(c.beta2),
            one_b1: elem(1.0 - c.beta1),
            one_b2: elem(1.0 - c.beta2),
        }
    }

    /// Updates one weight `w` and its moments `m`, `v` from its gradient `g`.
    #[inline(always)]
    fn apply(&self, w: &mut A, g: A, m: &mut A, v: &mut A) {
        if self.decoupled {
            *w *= self.decay;
        }
        *m = self.b1 * *m + self.one_b1 * g;
        *v = self.b2 * *v + self.one_b2 * g * g;
        *w -= self.step * *m / (num_traits::Float::sqrt(*v) / self.sqrt_bc2 + self.eps);
    }
}

impl Optimizer for Adam {
    fn step<P: Parameters>(&mut self, params: &mut P, grads: &P) -> Result<()> {
        check_shapes(params, grads)?;
        let moments = self.moments.buffers(params, 2)?;
        self.t = self.t.saturating_add(1);
        let rule = Rule::new(&self.config, self.t);
        let mut i = 0;
        params.visit_with_grad(grads, &mut |_, mut w, g| {
            let (m, v) = moments[2 * i..2 * i + 2].split_at_mut(1);
            i += 1;
            let (m, v) = (&mut m[0], &mut v[0]);
            match (
                w.as_slice_mut(),
                g.as_slice(),
                m.as_slice_mut(),
                v.as_slice_mut(),
            ) {
                // The usual case, four contiguous buffers in one order: a slice loop that
                // LLVM vectorises (ndarray's four-way `Zip` does not), dispatched to AVX2
                // where the CPU has it, since the square root and the division dominate.
                (Some(w), Some(g), Some(m), Some(v)) => vectorised(
                    #[inline(always)]
                    || {
                        for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m).zip(v) {
                            rule.apply(w, g, m, v);
                        }
                    },
                ),
                _ => Zip::from(&mut w)
                    .and(&g)
                    .and(m)
                    .and(v)
                    .for_each(|w, &g, m, v| rule.apply(w, g, m, v)),
            }
        });
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        check_lr(lr)?;
        self.config.lr = lr;
        Ok(())
    }

    fn reset(&mut self) {
        self.t = 0;
        self.moments.clear();
    }
}
