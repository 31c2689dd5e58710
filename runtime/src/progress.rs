//! Progress bars on stderr (the training loop's batches, an audio data set's clips) and
//! the rule for when one is shown. Without the `progress` feature a bar is a stand-in
//! with the same methods that draws nothing, so callers read the same either way.

/// What a bar counts, which sets how it is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting {
    /// Mini-batches of a training run, with the epoch as prefix and a summary as message.
    Batches,
    /// Audio clips whose features are being extracted.
    #[cfg(feature = "audio")]
    Clips,
}

#[cfg(feature = "progress")]
impl Counting {
    /// The bar's template, in indicatif's syntax.
    fn template(self) -> &'static str {
        match self {
            Counting::Batches => "{prefix} [{bar:30}] {pos}/{len} batches {elapsed} {msg}",
            #[cfg(feature = "audio")]
            Counting::Clips => "[{bar:40}] {pos}/{len} clips, {per_sec}, eta {eta}",
        }
    }
}

/// Whether a bar the caller wants is drawn: only when stderr is a terminal (not a log, a
/// pipe or a test harness) and `CI` is unset (CI logs are files that would fill with
/// redraws).
#[cfg(feature = "progress")]
fn visible(wanted: bool) -> bool {
    use std::io::IsTerminal;

    wanted && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

#[cfg(feature = "progress")]
pub(crate) use indicatif::ProgressBar as Bar;

/// A bar over `len` steps, hidden unless [`visible`].
#[cfg(feature = "progress")]
pub(crate) fn bar(wanted: bool, len: usize, counting: Counting) -> Bar {
    use indicatif::{ProgressDrawTarget, ProgressStyle};

    if !visible(wanted) {
        return Bar::hidden();
    }
    let bar = Bar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(counting.template())
            .expect("the templates are valid constants, checked by a test")
            .progress_chars("=> "),
    );
    bar
}

/// Never shown: the `progress` feature, which draws bars, is off.
#[cfg(not(feature = "progress"))]
pub(crate) fn bar(_wanted: bool, _len: usize, _counting: Counting) -> Bar {
    Bar
}

/// The `indicatif::ProgressBar` methods cadena calls, doing nothing.
#[cfg(not(feature = "progress"))]
#[derive(Debug)]
pub(crate) struct Bar;

#[cfg(not(feature = "progress"))]
impl Bar {
    pub(crate) fn set_prefix(&self, _: String) {}
    pub(crate) fn set_message(&self, _: String) {}
    pub(crate) fn inc(&self, _: u64) {}
    pub(crate) fn abandon(&self) {}
    pub(crate) fn finish_and_clear(&self) {}
}

#[cfg(all(test, feature = "progress"))]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let all = [
            Counting::Batches,
            #[cfg(feature = "audio")]
            Counting::Clips,
        ];
        for counting in all {
            assert!(indicatif::ProgressStyle::with_template(counting.template()).is_ok());
        }
    }
}
