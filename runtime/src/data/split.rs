//! Train/validation/test splits, seeded, optionally stratified by class.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::Dataset;
use crate::optim::check;
use crate::{Error, Float, Result};

/// How to split a [`Dataset`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitConfig {
    /// Fraction of examples for validation, in `[0, 1)`.
    pub validation: f64,
    /// Fraction of examples for testing, in `[0, 1)`.
    pub test: f64,
    /// Split each class separately, so every split keeps the class proportions
    /// (classification sets only).
    pub stratified: bool,
    /// Seed of the shuffle that assigns examples to splits.
    pub seed: u64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            validation: 0.15,
            test: 0.15,
            stratified: true,
            seed: 0,
        }
    }
}

/// The three parts of a split data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Splits<A> {
    /// Examples to fit on.
    pub train: Dataset<A>,
    /// Examples for model selection (early stopping).
    pub validation: Dataset<A>,
    /// Examples held out until the end.
    pub test: Dataset<A>,
}

impl<A: Float> Dataset<A> {
    /// Splits into train, validation and test sets. Examples are shuffled with a
    /// `StdRng` seeded from `config.seed`, so the same seed gives the same split. With
    /// `stratified`, each class contributes `round(fraction × class size)` examples to
    /// validation and test; otherwise the whole set does.
    ///
    /// ```
    /// use cadena::data::{Dataset, SplitConfig};
    /// use cadena::ndarray::Array2;
    ///
    /// let labels: Vec<usize> = (0..40).map(|i| usize::from(i < 10)).collect(); // 30 vs 10
    /// let d = Dataset::classification(Array2::<f32>::zeros((40, 2)), labels, 2)?;
    /// let s = d.split(&SplitConfig { validation: 0.2, test: 0.2, ..Default::default() })?;
    /// let ones = |d: &Dataset<f32>| d.labels.as_ref().unwrap().iter().filter(|&&c| c == 1).count();
    /// assert_eq!((ones(&s.train), ones(&s.validation), ones(&s.test)), (6, 2, 2));
    /// # Ok::<(), cadena::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming `validation` or `test` when a fraction is outside
    /// `[0, 1)` or they sum to 1 or more; [`Error::Data`] when `stratified` is asked of a
    /// set without labels or the training part would be empty.
    pub fn split(&self, config: &SplitConfig) -> Result<Splits<A>> {
        let (v, t) = (config.validation, config.test);
        check(
            "validation",
            v,
            (0.0..1.0).contains(&v),
            "a fraction in [0, 1)",
        )?;
        check(
            "test",
            t,
            (0.0..1.0).contains(&t) && v + t < 1.0,
            "a fraction in [0, 1) with validation + test < 1",
        )?;
        let mut rng = StdRng::seed_from_u64(config.seed);
        let groups: Vec<Vec<usize>> = match (&self.labels, config.stratified) {
            (Some(labels), true) => {
                let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
                let mut g = vec![Vec::new(); n_classes];
                for (i, &c) in labels.iter().enumerate() {
                    g[c].push(i);
                }
                g
            }
            (None, true) => {
                return Err(Error::Data(
                    "a stratified split needs class labels; use Dataset::classification or \
                     set stratified: false"
                        .into(),
                ));
            }
            (_, false) => vec![(0..self.len()).collect()],
        };
        let (mut train, mut val, mut test) = (Vec::new(), Vec::new(), Vec::new());
        for mut g in groups {
            g.shuffle(&mut rng);
            let n_test = (g.len() as f64 * t).round() as usize;
            let n_val = ((g.len() as f64 * v).round() as usize).min(g.len() - n_test);
            test.extend_from_slice(&g[..n_test]);
            val.extend_from_slice(&g[n_test..n_test + n_val]);
            train.extend_from_slice(&g[n_test + n_val..]);
        }
        if train.is_empty() {
            return Err(Error::Data(format!(
                "no training examples left from {} after the split",
                self.len()
            )));
        }
        // Classes were appended one after another; mix them again.
        for part in [&mut train, &mut val, &mut test] {
            part.shuffle(&mut rng);
        }
        Ok(Splits {
            train: self.select(&train),
            validation: self.select(&val),
            test: self.select(&test),
        })
    }
}
