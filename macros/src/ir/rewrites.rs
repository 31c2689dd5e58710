//! Which groups of rewrites run: a setting every stage may carry (a loop body keeps the
//! function's), read by the optimiser.

/// Which switch enables a law.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Exact clean-up, always on.
    Algebra,
    /// Replaces an unstable composition by a stable function of the same value.
    StableForm,
    /// Exact only for finite values: opt-in with `#[differentiable(assume_finite)]`.
    AssumeFinite,
}

/// Which groups of rewrites run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rewrites {
    /// Exact clean-up: constant folding, identities, double negation.
    pub algebra: bool,
    /// Stable forms: `bce(sigmoid(z), y)` from logits, `ln(sigmoid(z))` as softplus.
    pub stable_forms: bool,
    /// Laws that are exact only for finite values (`x * 0 == 0`); opt-in.
    pub assume_finite: bool,
}

impl Rewrites {
    /// No rewriting: the graph is exactly what the user wrote.
    pub const NONE: Rewrites = Rewrites {
        algebra: false,
        stable_forms: false,
        assume_finite: false,
    };
    /// Clean-up without changing which functions are computed (for the chain-rule view).
    pub const ALGEBRA: Rewrites = Rewrites {
        algebra: true,
        stable_forms: false,
        assume_finite: false,
    };
    /// Everything that is exact in IEEE arithmetic.
    pub const EXACT: Rewrites = Rewrites {
        algebra: true,
        stable_forms: true,
        assume_finite: false,
    };

    pub fn runs(&self, group: Group) -> bool {
        match group {
            Group::Algebra => self.algebra,
            Group::StableForm => self.stable_forms,
            Group::AssumeFinite => self.assume_finite,
        }
    }
}
