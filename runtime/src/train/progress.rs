//! The progress bar, and the rule for when it is shown.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `batches` steps, or a hidden one when `wanted` is false, stderr is not a
/// terminal (logs, pipes, test harnesses) or `CI` is set (CI logs are files that would
/// fill with redraws).
pub(crate) fn bar(wanted: bool, batches: usize) -> ProgressBar {
    let visible = wanted && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(batches as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} batches {elapsed} {msg}")
            .expect("the template is a valid constant")
            .progress_chars("=> "),
    );
    bar
}
