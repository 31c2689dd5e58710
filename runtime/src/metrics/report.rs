//! Per-class precision, recall and F1 derived from a confusion matrix.

/// The scores of one class. A ratio whose denominator is zero (no predictions of the
/// class, or no examples of it) is `None` rather than a made-up 0 or 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassReport {
    /// The class's display name.
    pub name: String,
    /// Of the examples predicted as this class, the fraction that are.
    pub precision: Option<f64>,
    /// Of the examples of this class, the fraction predicted as it.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
    /// Number of examples of this class.
    pub support: usize,
}
