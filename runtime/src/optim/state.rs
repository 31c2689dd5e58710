//! Per-tensor optimiser state, kept in visit order and checked against the model.
//!
//! The state is stored type-erased so that `Sgd` and `Adam` need no element type
//! parameter: one optimiser value works with `f32` and `f64` models alike, and the
//! downcast costs one comparison per step, not per tensor.

use std::any::Any;

use ndarray::ArrayD;

use crate::{Error, Float, Parameters, Result};

/// `slots` buffers per tensor (1 for momentum, 2 for Adam's moments).
#[derive(Default)]
pub(crate) struct State {
    buffers: Option<Box<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.buffers.is_some() {
            "State(initialised)"
        } else {
            "State(empty)"
        })
    }
}

impl State {
    pub(crate) fn clear(&mut self) {
        self.buffers = None;
    }

    /// The buffers for `params`, created as zeros on first use. Each tensor `i` owns
    /// buffers `i * slots .. (i + 1) * slots`.
    pub(crate) fn buffers<P: Parameters>(
        &mut self,
        params: &P,
        slots: usize,
    ) -> Result<&mut Vec<ArrayD<P::Elem>>> {
        let fresh = match &self.buffers {
            None => true,
            Some(b) => !b.is::<Vec<ArrayD<P::Elem>>>(),
        };
        if fresh {
            let mut v: Vec<ArrayD<P::Elem>> = Vec::new();
            params.visit(&mut |_, t| {
                for _ in 0..slots {
                    v.push(ArrayD::zeros(t.raw_dim()));
                }
            });
            self.buffers = Some(Box::new(v));
        }
        let v = self
            .buffers
            .as_mut()
            .and_then(|b| b.downcast_mut::<Vec<ArrayD<P::Elem>>>())
            .expect("state buffers were just created with this element type");
        let mut i = 0;
        let mut fits = true;
        params.visit(&mut |_, t| {
            fits &= v.get(i * slots).is_some_and(|s| s.shape() == t.shape());
            i += 1;
        });
        if !fits || v.len() != i * slots {
            return Err(Error::InvalidConfig {
                name: "optimizer",
                reason: "its state was built for a model with other tensors; call reset() before \
                         stepping a different model"
                    .into(),
            });
        }
        Ok(v)
    }
}

/// Checks that every gradient tensor has its parameter's shape, before anything moves.
pub(crate) fn check_shapes<P: Parameters>(params: &mut P, grads: &P) -> Result<()> {
    let mut bad = None;
    params.visit_with_grad(grads, &mut |_, p, g| {
        if bad.is_none() && p.shape() != g.shape() {
            bad = Some((p.shape().to_vec(), g.shape().to_vec()));
        }
    });
    match bad {
        None => Ok(()),
        Some((left, right)) => Err(Error::Shape {
            op: "optimizer step (parameter vs gradient)",
            left,
            right,
        }),
    }
}

/// Converts a hyper-parameter to the model's element type.
pub(crate) fn elem<A: Float>(x: f64) -> A {
    A::of(x)
}
