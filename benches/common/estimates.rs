//! Reads criterion's mean estimate of a benchmark of the current run, so a bench can
//! print ratios of contenders measured in the same run.

/// Criterion's mean estimate (ns per iteration) for `$CARGO_TARGET_DIR/criterion/{path}`
/// (`target/` when unset, as criterion does), e.g. `mlp/grad/generated`. `None` if
/// criterion wrote nothing there (a filtered run).
pub fn mean_ns(path: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let text =
        std::fs::read_to_string(format!("{target}/criterion/{path}/new/estimates.json")).ok()?;
    let mean = &text[text.find("\"mean\"")?..];
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &mean[at..];
    rest[..rest.find(',')?].trim().parse().ok()
}
