//! Summaries of interleaved timings (A B A B …): on a shared machine the load drifts, and
//! contenders timed in alternation see the same drift, so their medians compare fairly.

/// Sorts `times` (seconds) and returns their median; afterwards `times[0]` is the fastest,
/// the figure least disturbed by other work on the machine.
pub fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
