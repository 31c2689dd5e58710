//! One batch of bodies through every stage: the expander (parse check, timing, panics),
//! rustc on a crate holding each body and its plain twin (pass 1: what rustc says), rustc
//! on a binary holding those that compiled (pass 2: the lints rustc skips once a crate has
//! errors, such as `overflowing_literals`, and the gradient checks), its run, and the
//! verdicts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::body::Body;
use crate::checks::{Checkable, check_code, checkable, plain_code};
use crate::classify::{Evidence, NOT_COMPILED_MICROS, Verdict, classify};
use crate::expander::{Expanded, Expander, Expansion};
use crate::report::Source;
use crate::scratch::{Build, Diagnostic, Scratch};

pub struct Tested {
    pub body: Body,
    pub expanded: Expanded,
    pub verdict: Verdict,
}

pub struct Pipeline {
    pub scratch: Scratch,
    pub expander: Expander,
    /// Tells this pipeline's scratch crates from those of the others running beside it.
    pub tag: usize,
    /// Diagnostics no module could be named for, and builds that failed without one.
    pub unattributed: Vec<String>,
    /// Seconds spent in rustc, passes 1 and 2.
    pub build_seconds: f64,
    /// How long the last batch's passes took, for the progress line.
    pub timing: String,
}

/// What rustc said about one body.
#[derive(Default)]
struct Seen {
    function: Vec<Diagnostic>,
    twin: Vec<Diagnostic>,
    twin_built: bool,
    crash: Option<String>,
    twin_crash: Option<String>,
}

impl Pipeline {
    pub fn new(scratch: Scratch, expander: Expander, tag: usize) -> Pipeline {
        Pipeline {
            scratch,
            expander,
            tag,
            unattributed: Vec::new(),
            build_seconds: 0.0,
            timing: String::new(),
        }
    }

    /// Expands `candidates`, keeping the first `keep` that parse, and tests those: the
    /// tested bodies, the number discarded, and the seconds spent expanding.
    pub fn run(&mut self, candidates: Vec<Body>, keep: usize) -> (Vec<Tested>, usize, f64) {
        let start = Instant::now();
        let (parsed, discarded) = self.expand(candidates, keep);
        let expanding = start.elapsed().as_secs_f64();
        (self.test(parsed), discarded, expanding)
    }

    /// Expands `candidates`, keeping at most `keep` of those syn reads as functions, in
    /// order; returns them and the number discarded as unparsable.
    pub fn expand(&mut self, candidates: Vec<Body>, keep: usize) -> (Vec<(Body, Expanded)>, usize) {
        let items: Vec<_> = candidates.iter().map(|b| b.item.clone()).collect();
        let mut kept = Vec::new();
        let mut discarded = 0;
        // In slices, so that the surplus is not expanded once enough parse.
        let mut at = 0;
        while at < items.len() && kept.len() < keep {
            let n = (keep - kept.len()).max(8).min(items.len() - at);
            let expanded = self.expander.expand_all(&items[at..at + n]);
            for (body, e) in candidates[at..at + n].iter().zip(expanded) {
                if e.expansion == Expansion::Unparsed || kept.len() >= keep {
                    discarded += usize::from(e.expansion == Expansion::Unparsed);
                } else {
                    kept.push((body.clone(), e));
                }
            }
            at += n;
        }
        (kept, discarded)
    }

    /// Tests a batch of expanded bodies.
    pub fn test(&mut self, batch: Vec<(Body, Expanded)>) -> Vec<Tested> {
        // Bodies that may crash rustc or keep it long are built apart, so that the others
        // need not be bisected with them.
        let (mut modules, mut heavy) = (Vec::new(), Vec::new());
        for (i, (body, e)) in batch.iter().enumerate() {
            if e.micros >= NOT_COMPILED_MICROS {
                continue;
            }
            let modules = if body.item.len() > 1500 || e.micros > 300_000 {
                &mut heavy
            } else {
                &mut modules
            };
            match e.expansion {
                Expansion::Accepted => modules.extend([(i, true), (i, false)]),
                // A rejected mutant's twin says nothing the verdict reads; a seed's or a
                // generated body's is remembered for its mutants.
                Expansion::Rejected(_) if Source::of(body) == Source::Mutant => {
                    modules.push((i, true))
                }
                Expansion::Rejected(_) => modules.extend([(i, true), (i, false)]),
                _ => {}
            }
        }
        let mut seen: BTreeMap<usize, Seen> = BTreeMap::new();
        let start = Instant::now();
        self.pass_one(&batch, &modules, &mut seen);
        self.pass_one(&batch, &heavy, &mut seen);
        // A body rustc crashed on, whose twin was not built (a mutant the macro refused):
        // the twin alone tells rustc's own limit from a crash the macro causes.
        let crashed: Vec<(usize, bool)> = (seen.iter())
            .filter(|(_, s)| s.crash.is_some() && !s.twin_built && s.twin_crash.is_none())
            .map(|(&i, _)| (i, false))
            .collect();
        for module in crashed {
            self.pass_one(&batch, &[module], &mut seen);
        }
        let pass_one = start.elapsed().as_secs_f64();
        self.timing = String::new();
        let runs = self.pass_two(&batch, &mut seen);
        self.timing = format!(
            "pass 1 {pass_one:.0} s, pass 2 {:.0} s with {}",
            start.elapsed().as_secs_f64() - pass_one,
            self.timing
        );
        batch
            .into_iter()
            .enumerate()
            .map(|(i, (body, expanded))| {
                let s = seen.remove(&i).unwrap_or_default();
                let (start, end) = body.module().1;
                let written: Vec<String> = body.item.iter().map(|t| t.text.clone()).collect();
                let verdict = classify(&Evidence {
                    expanded: &expanded,
                    crash: s.crash.clone(),
                    twin_crash: s.twin_crash.clone(),
                    diagnostics: &s.function,
                    twin: &s.twin,
                    twin_built: s.twin_built,
                    run: runs.get(&i).cloned(),
                    checkable: checkable(&body).is_some(),
                    parent_twin: &body.parent_twin,
                    attribute_lines: start..end,
                    written: &written,
                });
                Tested {
                    body,
                    expanded,
                    verdict,
                }
            })
            .collect()
    }

    /// Builds `modules` (a body and whether it is the function's module or its twin's),
    /// splitting them in halves while rustc crashes, to pin a crash on one module.
    fn pass_one(
        &mut self,
        batch: &[(Body, Expanded)],
        modules: &[(usize, bool)],
        seen: &mut BTreeMap<usize, Seen>,
    ) {
        if modules.is_empty() {
            return;
        }
        let mut files = Vec::new();
        let mut root = String::new();
        for &(i, function) in modules {
            let (stem, text) = if function {
                (format!("a{i}"), batch[i].0.module().0)
            } else {
                (format!("p{i}"), batch[i].0.twin())
            };
            root.push_str(&format!("mod {stem};\n"));
            files.push((stem, text));
        }
        let dir = self
            .scratch
            .write_crate(&format!("check{}", self.tag), &files, &root, false);
        let build = self.scratch.build(&dir, false);
        self.build_seconds += build.elapsed.as_secs_f64();
        if let Some(crash) = &build.crash {
            if let [(i, function)] = modules {
                let s = seen.entry(*i).or_default();
                *if *function {
                    &mut s.crash
                } else {
                    &mut s.twin_crash
                } = Some(crash.clone());
            } else {
                let (l, r) = modules.split_at(modules.len() / 2);
                self.pass_one(batch, l, seen);
                self.pass_one(batch, r, seen);
            }
            return;
        }
        self.file(&build, seen);
        for &(i, function) in modules {
            let s = seen.entry(i).or_default();
            s.twin_built |= !function;
        }
    }

    /// Files each diagnostic of `build` under its body; returns the bodies with errors in
    /// the function's module (first) and in the twin's (second).
    fn file(
        &mut self,
        build: &Build,
        seen: &mut BTreeMap<usize, Seen>,
    ) -> (BTreeSet<usize>, BTreeSet<usize>) {
        let (mut function, mut twin) = (BTreeSet::new(), BTreeSet::new());
        for d in &build.diagnostics {
            let target = d.module.as_deref().and_then(|m| {
                let (kind, n) = m.split_at(1);
                n.parse::<usize>().ok().map(|n| (kind == "a", n))
            });
            match target {
                Some((is_function, n)) => {
                    let s = seen.entry(n).or_default();
                    if d.level == "error" {
                        if is_function {
                            &mut function
                        } else {
                            &mut twin
                        }
                        .insert(n);
                    }
                    if is_function {
                        &mut s.function
                    } else {
                        &mut s.twin
                    }
                    .push(d.clone());
                }
                None if d.level == "error"
                    && !d.message.starts_with("aborting")
                    && !d.message.contains("previous error") =>
                {
                    self.unattributed.push(d.message.clone())
                }
                None => {}
            }
        }
        if !build.success && build.diagnostics.iter().all(|d| d.level != "error") {
            self.unattributed.push(
                build
                    .crash
                    .clone()
                    .unwrap_or_else(|| "a build failed without errors".into()),
            );
        }
        (function, twin)
    }

    /// Builds what compiled in pass 1 as one binary with the gradient checks, dropping
    /// what fails there (its errors join its evidence), and runs the checks.
    fn pass_two(
        &mut self,
        batch: &[(Body, Expanded)],
        seen: &mut BTreeMap<usize, Seen>,
    ) -> BTreeMap<usize, (String, String)> {
        let has_errors = |ds: &[Diagnostic]| ds.iter().any(|d| d.level == "error");
        let mut functions: BTreeSet<usize> = seen
            .iter()
            .filter(|(_, s)| s.crash.is_none() && !has_errors(&s.function))
            .map(|(&i, _)| i)
            .collect();
        let mut twins: BTreeSet<usize> = seen
            .iter()
            .filter(|(_, s)| s.twin_built && s.twin_crash.is_none() && !has_errors(&s.twin))
            .map(|(&i, _)| i)
            .collect();
        let mut checks: BTreeMap<usize, Checkable> = functions
            .iter()
            .filter_map(|&i| checkable(&batch[i].0).map(|c| (i, c)))
            .collect();
        let mut runs = BTreeMap::new();
        for _ in 0..4 {
            if functions.is_empty() && twins.is_empty() {
                return runs;
            }
            let mut modules = Vec::new();
            let mut check_lines = BTreeMap::new();
            let mut root = String::from("mod fz;\n");
            for &i in &functions {
                let (mut text, _) = batch[i].0.module();
                if let Some(c) = checks.get(&i) {
                    check_lines.insert(i, text.lines().count() + 1);
                    let twin = twins.contains(&i).then(|| format!("p{i}"));
                    text.push_str(&check_code(c, twin.as_deref()));
                }
                modules.push((format!("a{i}"), text));
                root.push_str(&format!("mod a{i};\n"));
            }
            for &i in &twins {
                let mut text = batch[i].0.twin();
                if let Some(c) = checks.get(&i) {
                    text.push_str(&plain_code(c, &format!("a{i}")));
                }
                modules.push((format!("p{i}"), text));
                root.push_str(&format!("mod p{i};\n"));
            }
            modules.push(("fz".into(), include_str!("fz.rs").into()));
            let table: Vec<String> = checks
                .keys()
                .map(|i| format!("({i}, a{i}::fuzz_check)"))
                .collect();
            root.push_str(&format!(
                "\nfn main() {{\n    fz::main(&[{}]);\n}}\n",
                table.join(", ")
            ));
            let dir = self
                .scratch
                .write_crate(&format!("run{}", self.tag), &modules, &root, true);
            let build = self.scratch.build(&dir, true);
            self.build_seconds += build.elapsed.as_secs_f64();
            if let Some(crash) = &build.crash {
                // Rare enough to not bisect: every function of the build is blamed.
                for &i in &functions {
                    seen.entry(i).or_default().crash =
                        Some(format!("building the check binary: {crash}"));
                }
                return runs;
            }
            // Errors in the appended check code are the fuzzer's, not the body's.
            let mut check_failed = BTreeSet::new();
            let mut scratch_seen: BTreeMap<usize, Seen> = BTreeMap::new();
            let (bad_functions, bad_twins) = self.file(&build, &mut scratch_seen);
            for (i, s) in scratch_seen {
                let line = check_lines.get(&i).copied().unwrap_or(usize::MAX);
                let entry = seen.entry(i).or_default();
                for d in s.function {
                    if d.level == "error" && d.line >= line {
                        check_failed.insert(i);
                    } else if d.level == "error" {
                        entry.function.push(d);
                    }
                }
                entry
                    .twin
                    .extend(s.twin.into_iter().filter(|d| d.level == "error"));
            }
            let bad_functions: BTreeSet<usize> =
                bad_functions.difference(&check_failed).copied().collect();
            if build.success {
                if let Some(exe) = &build.executable {
                    let start = Instant::now();
                    runs = run_checks(exe, checks.keys().copied().collect());
                    self.timing = format!("running checks {:.0} s", start.elapsed().as_secs_f64());
                }
                return runs;
            }
            if bad_functions.is_empty() && bad_twins.is_empty() && check_failed.is_empty() {
                // Failed with nothing to drop (an error no module could be named for).
                for &i in checks.keys() {
                    runs.insert(
                        i,
                        ("unchecked".into(), "the check binary did not build".into()),
                    );
                }
                return runs;
            }
            for i in &check_failed {
                checks.remove(i);
                runs.insert(
                    *i,
                    ("unchecked".into(), "the check code did not compile".into()),
                );
            }
            for i in &bad_functions {
                functions.remove(i);
                checks.remove(i);
            }
            for i in &bad_twins {
                twins.remove(i);
            }
        }
        runs
    }
}

/// Runs the check binary over `checks`, again from the next one after a hang (10 s
/// without an answer) or a death.
fn run_checks(exe: &std::path::Path, checks: Vec<usize>) -> BTreeMap<usize, (String, String)> {
    let mut out = BTreeMap::new();
    let mut from = 0;
    while let Some(&first) = checks.iter().find(|&&i| i >= from) {
        let Ok(mut child) = Command::new(exe)
            .args(["--from", &first.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        else {
            return out;
        };
        let Some(stdout) = child.stdout.take() else {
            return out;
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut current = None;
        loop {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(line)) => {
                    if let Some(i) = line.strip_prefix("start ") {
                        current = i.parse::<usize>().ok();
                    } else {
                        let mut parts = line.splitn(3, '\t');
                        if let (Some(i), Some(kind)) =
                            (parts.next().and_then(|i| i.parse().ok()), parts.next())
                        {
                            out.insert(
                                i,
                                (kind.to_string(), parts.next().unwrap_or("").to_string()),
                            );
                            current = None;
                        }
                    }
                }
                Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    match current {
                        Some(i) => {
                            let why = err
                                .lines()
                                .rev()
                                .find(|l| !l.trim().is_empty())
                                .unwrap_or("")
                                .to_string();
                            out.insert(
                                i,
                                (
                                    "panicked".into(),
                                    format!("the check process died ({status}): {why}"),
                                ),
                            );
                            from = i + 1;
                        }
                        None => return out,
                    }
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let i = current.unwrap_or(first);
                    out.insert(
                        i,
                        ("unchecked".into(), "no answer within ten seconds".into()),
                    );
                    from = i + 1;
                    break;
                }
            }
        }
    }
    out
}
