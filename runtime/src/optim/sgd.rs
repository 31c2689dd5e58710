//! Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay.

use ndarray::Zip;

use super::state::{State, check_shapes, elem};
use super::{Optimizer, check, check_lr};
use crate::{Parameters, Result};

/// Hyper-parameters of [`Sgd`]; the defaults are PyTorch's `torch.optim.SGD` with `lr = 0.01`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate η, `>= 0`.
    pub lr: f64,
    /// Momentum μ in `[0, 1)`; `0` is plain gradient descent.
    pub momentum: f64,
    /// Use Nesterov's look-ahead form (needs `momentum > 0`).
    pub nesterov: bool,
    /// L2 penalty λ added to the gradient (`g + λ·w`), `>= 0`.
    pub weight_decay: f64,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }
}

/// Stochastic gradient descent.
///
/// ```text
/// g = ∇L + λ·w
/// v = μ·v + g                      (v starts at 0)
/// w = w - η·(g + μ·v)  if nesterov, else  w = w - η·v
/// ```
///
/// With `μ = 0` this is `w = w - η·∇L`, the course's gradient-descent rule.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::optim::{Optimizer, Sgd, SgdConfig};
///
/// let mut w = array![1.0_f64, 2.0];
/// let mut opt = Sgd::with_config(SgdConfig { lr: 0.5, momentum: 0.9, ..Default::default() })?;
/// opt.step(&mut w, &array![1.0, 1.0])?; // v = 1
/// opt.step(&mut w, &array![1.0, 1.0])?; // v = 0.9 + 1 = 1.9
/// assert_eq!(w, array![1.0 - 0.5 - 0.95, 2.0 - 0.5 - 0.95]);
/// # Ok::<(), cadena::Error>(())
/// ```
#[derive(Debug)]
pub struct Sgd {
    config: SgdConfig,
    velocity: State,
}

impl Sgd {
    /// Plain gradient descent with learning rate `lr`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming `lr` and its value when
    /// it is negative or not finite.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_config(SgdConfig {
            lr,
            ..SgdConfig::default()
        })
    }

    /// SGD with every hyper-parameter given.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming the first
    /// hyper-parameter out of range (`lr`, `momentum`, `weight_decay`, or `nesterov`
    /// without momentum) and its value.
    pub fn with_config(config: SgdConfig) -> Result<Self> {
        check_lr(config.lr)?;
        check(
            "momentum",
            config.momentum,
            (0.0..1.0).contains(&config.momentum),
            "in [0, 1)",
        )?;
        check(
            "weight_decay",
            config.weight_decay,
            config.weight_decay >= 0.0,
            "non-negative",
        )?;
        if config.nesterov && config.momentum == 0.0 {
            return Err(crate::Error::InvalidConfig {
                name: "nesterov",
                reason: "Nesterov momentum needs momentum > 0, got 0".into(),
            });
        }
        Ok(Self {
            config,
            velocity: State::default(),
        })
    }

    /// The hyper-parameters in use.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
}

impl Optimizer for Sgd {
    fn step<P: Parameters>(&mut self, params: &mut P, grads: &P) -> Result<()> {
        check_shapes(params, grads)?;
        let c = self.config;
        let lr = elem::<P::Elem>(c.lr);
        let wd = elem::<P::Elem>(c.weight_decay);
        let mu = elem::<P::Elem>(c.momentum);
        if c.momentum == 0.0 {
            // No state to keep: the common case stays a single fused pass.
            params.visit_with_grad(grads, &mut |_, mut w, g| {
                Zip::from(&mut w)
                    .and(&g)
                    .for_each(|w, &g| *w = *w - lr * (g + wd * *w));
            });
            return Ok(());
        }
        let velocity = self.velocity.buffers(params, 1)?;
        let mut i = 0;
        params.visit_with_grad(grads, &mut |_, mut w, g| {
            let v = &mut velocity[i];
            i += 1;
            Zip::from(&mut w).and(&g).and(v).for_each(|w, &g, v| {
                let g = g + wd * *w;
                *v = mu * *v + g;
                let update = if c.nesterov { g + mu * *v } else { *v };
                *w -= lr * update;
            });
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
        self.velocity.clear();
    }
}
