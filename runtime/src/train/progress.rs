//! The progress bar, and the rule for when it is shown. Without the `progress` feature
//! the bar is a stand-in with the same methods that draws nothing, so the loop reads the
//! same either way.

#[cfg(feature = "progress")]
pub(crate) use indicatif::ProgressBar as Bar;

/// A bar over `batches` steps, or a hidden one when `wanted` is false, stderr is not a
/// terminal (logs, pipes, test harnesses) or `CI` is set (CI logs are files that would
/// fill with redraws).
#[cfg(feature = "progress")]
pub(crate) fn bar(wanted: bool, batches: usize) -> Bar {
    use std::io::IsTerminal;

    use indicatif::{ProgressDrawTarget, ProgressStyle};

    let visible = wanted && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !visible {
        return Bar::hidden();
    }
    let bar = Bar::with_draw_target(Some(batches as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} batches {elapsed} {msg}")
            .expect("the template is a valid constant")
            .progress_chars("=> "),
    );
    bar
}

/// Never shown: the `progress` feature, which draws bars, is off.
#[cfg(not(feature = "progress"))]
pub(crate) fn bar(_wanted: bool, _batches: usize) -> Bar {
    Bar
}

/// indicatif's `ProgressBar` methods the loop calls, doing nothing.
#[cfg(not(feature = "progress"))]
pub(crate) struct Bar;

#[cfg(not(feature = "progress"))]
impl Bar {
    pub(crate) fn set_prefix(&self, _: String) {}
    pub(crate) fn set_message(&self, _: String) {}
    pub(crate) fn inc(&self, _: u64) {}
    pub(crate) fn abandon(&self) {}
    pub(crate) fn finish_and_clear(&self) {}
}
