//! Reads criterion's mean estimate of a benchmark of the current run, so a bench can
//! print ratios of contenders measured in the same run.

/// Criterion's mean estimate (ns per iteration) for `target/criterion/{path}`, e.g.
/// `mlp/grad/generated`. `None` if criterion wrote nothing there (a filtered run).
pub fn mean_ns(path: &str) -> Option<f64> {
    let text =
        std::fs::read_to_string(format!("target/criterion/{path}/new/estimates.json")).ok()?;
    let mean = &text[text.find("\"mean\"")?..];
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &mean[at..];
    rest[..rest.find(',')?].trim().parse().ok()
}
