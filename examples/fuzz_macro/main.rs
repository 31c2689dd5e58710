//! A syntax fuzzer of `#[differentiable]` (issue 26): valid bodies, mutated, through the
//! macro and rustc, each classified.
//!
//! ```text
//! cargo run --example fuzz_macro -- [--seed S] [--bodies N] [--minutes M] [--seeds K]
//!                                   [--batch B] [--jobs J] [--minimize G]
//!                                   [--minimize-seconds T] [--out DIR] [--strict]
//! ```
//!
//! Bodies come from every free `#[differentiable]` function of `tests/`, `tests/ui/`,
//! `tests/ui-pass/`, `examples/` and `examples/common/` (the seeds, tested once unmutated
//! first), from a small grammar of valid scalar and tensor bodies, and from mutations of
//! both (tokens deleted, duplicated and swapped, types changed, names undefined, odd
//! attributes, deep expressions, long bodies, odd literals, statements from other bodies;
//! see `mutate.rs`). Each body is expanded alone by the macro's own code (`expander.rs`:
//! syntax check, time, panics), then compiled with its plain twin (the same module without
//! the attribute), many to a scratch crate under `target/fuzz/work/`, by rustc against this
//! example's own `cadena` (`scratch.rs`); what compiles is built again into a binary that
//! checks each scalar or tensor function's value against its twin and its gradient against
//! central differences. Classes (`classify.rs`): compiles, clean spanned error, error
//! inside generated code, invalid body accepted, wrong gradient, wrong value, generated
//! code panics, proc-macro panic, compiler or expander crash, expansion too slow to compile
//! (2 s or more); and slow expansions (1 s or more) beside the class. The first body of
//! each kind of finding is minimised (`minimize.rs`) and everything goes to
//! `DIR/report.md` (default `target/fuzz`), with the seeds outside `tests/ui/` that do
//! not compile (an extraction to fix). While a run goes, the report so far (unminimised)
//! is rewritten every five minutes, so a run stopped early keeps what it found.
//!
//! Runs stop at N bodies besides the seeds (default 300) or M minutes, whichever comes
//! first. `--seeds K` tests K seeds chosen at random rather than all (a quicker start);
//! `--batch` is the number of bodies per scratch crate (100); `--jobs J` runs J batches at
//! once (1), each with its own expander and crates; `--minimize G` minimises the G most
//! serious kinds of finding (wrong results first; 10), at most T seconds each
//! (`--minimize-seconds`, 90) and G × max(T, 60) s in all. The exit code is 0 unless
//! `--strict` is given and there is a finding.

mod body;
mod checks;
mod classify;
mod expander;
// The checks the scratch crates run (written into them as text), compiled here too for
// their unit tests.
#[cfg(test)]
#[allow(clippy::type_complexity)]
mod fz;
mod grammar;
mod minimize;
mod mutate;
mod pipeline;
mod report;
mod scratch;
mod seeds;
mod tokens;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

use crate::body::Body;
use crate::classify::Class;
use crate::pipeline::{Pipeline, Tested};
use crate::report::{Source, Stats};
use crate::scratch::Scratch;

struct Options {
    seed: u64,
    bodies: usize,
    minutes: Option<f64>,
    seeds: Option<usize>,
    batch: usize,
    minimize: usize,
    minimize_seconds: u64,
    jobs: usize,
    out: Option<PathBuf>,
    strict: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        seed: 1,
        bodies: 300,
        minutes: None,
        seeds: None,
        batch: 100,
        minimize: 10,
        minimize_seconds: 90,
        jobs: 1,
        out: None,
        strict: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number = |s: String| s.parse::<f64>().map_err(|e| format!("{s}: {e}"));
        match a.as_str() {
            "--seed" => o.seed = number(value("--seed")?)? as u64,
            "--bodies" => o.bodies = number(value("--bodies")?)? as usize,
            "--minutes" => o.minutes = Some(number(value("--minutes")?)?),
            "--seeds" => o.seeds = Some(number(value("--seeds")?)? as usize),
            "--batch" => o.batch = (number(value("--batch")?)? as usize).max(1),
            "--minimize" => o.minimize = number(value("--minimize")?)? as usize,
            "--minimize-seconds" => {
                o.minimize_seconds = number(value("--minimize-seconds")?)? as u64
            }
            "--jobs" => o.jobs = (number(value("--jobs")?)? as usize).max(1),
            "--out" => o.out = Some(PathBuf::from(value("--out")?)),
            "--strict" => o.strict = true,
            other => {
                return Err(format!(
                    "unknown argument `{other}` (see the example's docs)"
                ));
            }
        }
    }
    Ok(o)
}

/// The cargo target directory this example was built into (`target/debug/examples/..`),
/// and whether it is a release build.
fn target_dir() -> (PathBuf, bool) {
    let exe = std::env::current_exe().unwrap_or_default();
    let release = exe
        .ancestors()
        .nth(2)
        .and_then(Path::file_name)
        .is_some_and(|n| n == "release");
    let target = exe
        .ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    (target, release)
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fuzz_macro: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `DIR/report.md`: the run's figures and findings; `minimizing` is `None` for a report
/// of a run still going (its findings not minimised yet).
fn write_report(
    out: &Path,
    stats: &Stats,
    workers: &[Pipeline],
    o: &Options,
    seconds: f64,
    minimizing: Option<f64>,
) -> Result<PathBuf, String> {
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let command = format!("cargo run --example fuzz_macro -- {command}");
    let report = out.join("report.md");
    report::write(
        &report,
        stats,
        &report::Run {
            command: command.trim(),
            seed: o.seed,
            seconds,
            rustc_seconds: workers.iter().map(|w| w.build_seconds).sum(),
            minimizing_seconds: minimizing,
            unattributed: &workers
                .iter()
                .flat_map(|w| w.unattributed.clone())
                .collect::<Vec<_>>(),
        },
    )
    .map_err(|e| format!("{}: {e}", report.display()))?;
    Ok(report)
}

/// The largest body tested, in tokens: 600 lets or 800 nested calls are a few
/// thousand.
const MAX_TOKENS: usize = 40_000;

fn run() -> Result<ExitCode, String> {
    let o = options()?;
    let start = Instant::now();
    let budget = o.minutes.map(|m| Duration::from_secs_f64(m * 60.0));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (target, release) = target_dir();
    let out = o.out.clone().unwrap_or_else(|| target.join("fuzz"));
    let scratch = Scratch::new(&repo, out.clone(), &target, release)?;
    eprintln!("fuzz_macro: building the expander");
    let expander = expander::Expander::build(&scratch, &repo)?;
    eprintln!(
        "fuzz_macro: reading the seeds ({:.0} s)",
        start.elapsed().as_secs_f64()
    );
    let mut rng = StdRng::seed_from_u64(o.seed);
    let mut seeds = seeds::load(&scratch, &repo)?;
    if let Some(k) = o.seeds {
        seeds.shuffle(&mut rng);
        seeds.truncate(k);
    }
    eprintln!(
        "fuzz_macro: testing {} seeds ({:.0} s)",
        seeds.len(),
        start.elapsed().as_secs_f64()
    );
    let mut workers: Vec<Pipeline> = (0..o.jobs)
        .map(|tag| Pipeline::new(scratch.clone(), expander.another(), tag))
        .collect();
    let mut stats = Stats::default();

    // The seeds, unmutated: those that compile or fail cleanly are the first parents,
    // with what their twins did.
    let mut parents: Vec<Body> = Vec::new();
    let chunks: Vec<Vec<Body>> = seeds.chunks(o.batch).map(<[Body]>::to_vec).collect();
    for round in chunks.chunks(o.jobs) {
        let jobs = round.iter().map(|c| (c.clone(), c.len())).collect();
        for (tested, discarded, _) in in_parallel(&mut workers, jobs) {
            stats.discarded += discarded;
            for t in &tested {
                adopt(t, &mut parents);
                stats.record(t);
            }
        }
    }
    eprintln!(
        "fuzz_macro: {} seeds are parents ({:.0} s)",
        parents.len(),
        start.elapsed().as_secs_f64()
    );

    // Rounds of one batch per worker, all generated from the parents known before the
    // round, their results taken in order: the bodies depend on the seed alone.
    let mut made = 0;
    let mut reported = Instant::now();
    let over = |made: usize| made >= o.bodies || budget.is_some_and(|b| start.elapsed() >= b);
    while !over(made) && !parents.is_empty() {
        let round_start = Instant::now();
        let mut jobs = Vec::new();
        let mut planned = made;
        for _ in 0..o.jobs {
            let want = o.batch.min(o.bodies - planned);
            if want == 0 {
                break;
            }
            let candidates: Vec<Body> = (0..want * 2)
                .map(|k| {
                    let n = planned + k;
                    // Generated bodies always parse, mutants about half the time: these
                    // shares make about one tested body in seven a generated one.
                    match rng.random_range(0..100) {
                        0..6 => grammar::scalar(&mut rng, n),
                        6..9 => grammar::tensor(&mut rng, n),
                        _ => {
                            let parent = parents.choose(&mut rng).expect("parents");
                            let donor = parents.choose(&mut rng).expect("parents");
                            mutate::mutate(&mut rng, parent, donor)
                        }
                    }
                })
                // A deep mutation of a deep body (150 terms in each of 150 terms) is
                // megabytes, on whose plain twin rustc alone spends many minutes.
                .filter(|b| b.item.len() <= MAX_TOKENS)
                .collect();
            planned += want;
            jobs.push((candidates, want));
        }
        let mut line = BTreeCount::default();
        let mut expanding = 0.0;
        for (tested, discarded, seconds) in in_parallel(&mut workers, jobs) {
            stats.discarded += discarded;
            expanding += seconds;
            made += tested.len();
            for t in &tested {
                adopt(t, &mut parents);
                stats.record(t);
                line.add(t.verdict.class);
            }
        }
        eprintln!(
            "fuzz_macro: {made} bodies ({}); round {:.0} s (expanding {expanding:.0} s, {}), total {:.0} s",
            line.text(),
            round_start.elapsed().as_secs_f64(),
            workers[0].timing,
            start.elapsed().as_secs_f64()
        );
        // A long run stopped by hand (or by a time limit) keeps what it found: the
        // report so far, unminimised, rewritten every few minutes.
        if reported.elapsed() >= Duration::from_secs(300) && !over(made) {
            reported = Instant::now();
            let seconds = start.elapsed().as_secs_f64();
            write_report(&out, &stats, &workers, &o, seconds, None)?;
        }
    }

    let fuzzing = start.elapsed().as_secs_f64();
    let pipeline = &mut workers[0];
    let minimize_until =
        Instant::now() + Duration::from_secs(60.max(o.minimize_seconds) * o.minimize as u64);
    let keys: Vec<String> = stats
        .ordered()
        .into_iter()
        .take(o.minimize)
        .map(|(k, _)| k.clone())
        .collect();
    for key in keys {
        if Instant::now() >= minimize_until {
            break;
        }
        eprintln!("fuzz_macro: minimising `{key}`");
        let per_group =
            (Instant::now() + Duration::from_secs(o.minimize_seconds)).min(minimize_until);
        let g = &stats.groups[&key];
        let minimal = minimize::minimize(pipeline, &g.first, g.slow, per_group);
        if let Some(g) = stats.groups.get_mut(&key) {
            g.minimal = minimal;
        }
    }

    let minimizing = start.elapsed().as_secs_f64() - fuzzing;
    let report = write_report(&out, &stats, &workers, &o, fuzzing, Some(minimizing))?;
    eprintln!(
        "\n{}\n{}\nfuzz_macro: report in {}",
        stats.table(),
        stats.figures(),
        report.display()
    );
    for (key, g) in stats.ordered() {
        eprintln!("finding: {key} ({} bodies)", g.count);
    }
    if !stats.broken_seeds.is_empty() {
        eprintln!(
            "fuzz_macro: {} seeds outside tests/ui/ do not compile (listed in the report)",
            stats.broken_seeds.len()
        );
    }
    Ok(if o.strict && stats.failures() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs one job (candidates, how many to keep) on each worker at once, results in order.
fn in_parallel(
    workers: &mut [Pipeline],
    jobs: Vec<(Vec<Body>, usize)>,
) -> Vec<(Vec<Tested>, usize, f64)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = workers
            .iter_mut()
            .zip(jobs)
            .map(|(w, (candidates, keep))| s.spawn(move || w.run(candidates, keep)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker panicked"))
            .collect()
    })
}

/// Generated bodies and seeds that compile or fail cleanly become parents of mutants.
fn adopt(t: &Tested, parents: &mut Vec<Body>) {
    if Source::of(&t.body) != Source::Mutant
        && matches!(t.verdict.class, Class::Ok | Class::CleanError)
    {
        let mut b = t.body.clone();
        b.parent_twin = t.verdict.twin.clone();
        parents.push(b);
    }
}

/// Per-class counts of one batch, for the progress line.
#[derive(Default)]
struct BTreeCount(std::collections::BTreeMap<Class, usize>);

impl BTreeCount {
    fn add(&mut self, c: Class) {
        *self.0.entry(c).or_default() += 1;
    }

    fn text(&self) -> String {
        self.0
            .iter()
            .map(|(c, n)| format!("{}: {n}", c.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
