//! Counts per class, findings grouped by kind (one representative each, to minimise), and
//! the report: `report.md` in the output directory, and the table on stderr.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io::{Read, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::body::Body;
use crate::classify::{Check, Class};
use crate::minimize::key;
use crate::pipeline::Tested;
use crate::tokens::render;

/// Where a body came from.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Source {
    Seed,
    Generated,
    Mutant,
}

impl Source {
    pub fn of(body: &Body) -> Source {
        if !body.mutations.is_empty() {
            Source::Mutant
        } else if body.origin.starts_with("grammar") {
            Source::Generated
        } else {
            Source::Seed
        }
    }
}

/// Findings of one kind: how many bodies, and the first, to minimise and show.
pub struct Group {
    pub count: usize,
    pub first: Tested,
    /// A slow expansion rather than the class.
    pub slow: bool,
    /// The smallest body found that shows the same finding, with its verdict.
    pub minimal: Option<Tested>,
    /// The next few bodies of the kind: wrong values and gradients are one kind each, and
    /// may be several bugs.
    pub others: Vec<Tested>,
}

/// How many bodies besides the first a kind of finding shows, each in full: one kind
/// (rustc's "mismatched types") may hold bodies of several causes.
const OTHERS: usize = 8;

#[derive(Default)]
pub struct Stats {
    pub counts: BTreeMap<(Class, Source), usize>,
    pub discarded: usize,
    pub micros: Vec<u64>,
    pub checked: usize,
    /// Why compiled functions of a checkable signature were not checked, with counts.
    pub unchecked: BTreeMap<String, usize>,
    pub warnings: BTreeMap<String, (usize, String)>,
    pub groups: BTreeMap<String, Group>,
    /// Seeds outside tests/ui/ that do not compile, with their first message.
    pub broken_seeds: Vec<String>,
    /// Generated bodies (valid by construction) that do not compile: how many, and the
    /// first few with their body and first message. A valid body refused.
    pub refused_generated: (usize, Vec<String>),
}

impl Stats {
    pub fn record(&mut self, t: &Tested) {
        let v = &t.verdict;
        // A seed of a file meant to compile that does not: its extraction (the items of
        // its file it needs) is wrong, or the test itself is.
        if Source::of(&t.body) == Source::Seed
            && v.class != Class::Ok
            && !t.body.origin.starts_with("tests/ui/")
        {
            self.broken_seeds.push(format!(
                "{}: {}",
                t.body.origin,
                v.detail.lines().next().unwrap_or("")
            ));
        }
        if Source::of(&t.body) == Source::Generated && v.class != Class::Ok {
            self.refused_generated.0 += 1;
            if self.refused_generated.1.len() < 5 {
                self.refused_generated.1.push(format!(
                    "{}: {}

```rust
{}
```
",
                    t.body.origin,
                    v.detail.lines().next().unwrap_or(""),
                    crate::tokens::render(&t.body.item).trim()
                ));
            }
        }
        *self
            .counts
            .entry((v.class, Source::of(&t.body)))
            .or_default() += 1;
        if t.expanded.micros > 0 {
            self.micros.push(t.expanded.micros);
        }
        match v.check {
            _ if v.class != Class::Ok => {}
            Check::Checked => self.checked += 1,
            Check::Unchecked(ref why) => {
                *self
                    .unchecked
                    .entry(crate::body::normalise(why))
                    .or_default() += 1
            }
            Check::NotCheckable => {}
        }
        if let Some(w) = &v.warning {
            let e = self
                .warnings
                .entry(crate::body::normalise(w))
                .or_insert((0, t.body.describe()));
            e.0 += 1;
        }
        if v.class.is_finding() {
            self.group(key(t), t, false);
        }
        if v.slow {
            self.group("slow expansion (1 s or more)".into(), t, true);
        }
    }

    fn group(&mut self, key: String, t: &Tested, slow: bool) {
        match self.groups.get_mut(&key) {
            Some(g) => {
                g.count += 1;
                if g.others.len() < OTHERS {
                    g.others.push(Tested {
                        body: t.body.clone(),
                        expanded: t.expanded.clone(),
                        verdict: t.verdict.clone(),
                    });
                }
            }
            None => {
                let first = Tested {
                    body: t.body.clone(),
                    expanded: t.expanded.clone(),
                    verdict: t.verdict.clone(),
                };
                self.groups.insert(
                    key,
                    Group {
                        count: 1,
                        first,
                        slow,
                        minimal: None,
                        others: Vec::new(),
                    },
                );
            }
        }
    }

    /// The kinds of finding, most serious first: wrong results (gradient, value, a panic
    /// at run time), then the macro or rustc dying, errors inside generated code, invalid
    /// bodies accepted, and slow expansions last; the more bodies, the earlier, within a
    /// class.
    pub fn ordered(&self) -> Vec<(&String, &Group)> {
        let rank = |g: &Group| {
            if g.slow {
                return 10;
            }
            match g.first.verdict.class {
                Class::WrongGradient => 0,
                Class::WrongValue => 1,
                Class::RuntimePanic => 2,
                Class::MacroPanic => 3,
                Class::Crash => 4,
                Class::GeneratedError => 5,
                Class::InvalidAccepted => 6,
                Class::Dialect => 7,
                Class::RustcLimit => 8,
                _ => 9,
            }
        };
        let mut out: Vec<(&String, &Group)> = self.groups.iter().collect();
        out.sort_by_key(|(_, g)| (rank(g), std::cmp::Reverse(g.count)));
        out
    }

    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn slow(&self) -> usize {
        self.groups
            .values()
            .filter(|g| g.slow)
            .map(|g| g.count)
            .sum()
    }

    /// Findings that fail `--strict`: any class but compiles and clean errors, and slow
    /// expansions.
    pub fn failures(&self) -> usize {
        self.groups.values().map(|g| g.count).sum()
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut m = self.micros.clone();
        m.sort_unstable();
        let i = ((m.len() as f64 - 1.0) * p).round() as usize;
        m.get(i).map_or(0.0, |&u| u as f64 / 1000.0)
    }

    /// The table of classes by source, in Markdown.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| class | seeds | generated | mutants | total |\n|---|--:|--:|--:|--:|\n",
        );
        for class in Class::ALL {
            let n = |s: Source| self.counts.get(&(class, s)).copied().unwrap_or(0);
            let (a, b, c) = (n(Source::Seed), n(Source::Generated), n(Source::Mutant));
            let _ = writeln!(
                out,
                "| {} | {a} | {b} | {c} | {} |",
                class.label(),
                a + b + c
            );
        }
        let n = |s: Source| {
            self.counts
                .iter()
                .filter(|((_, src), _)| *src == s)
                .map(|(_, n)| n)
                .sum::<usize>()
        };
        let _ = writeln!(
            out,
            "| **all bodies** | {} | {} | {} | {} |",
            n(Source::Seed),
            n(Source::Generated),
            n(Source::Mutant),
            self.total()
        );
        let _ = writeln!(
            out,
            "| slow expansion (1 s or more) | | | | {} |",
            self.slow()
        );
        out
    }

    /// Expansion times and checks, one line each.
    pub fn figures(&self) -> String {
        let mut why: Vec<(&String, &usize)> = self.unchecked.iter().collect();
        why.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
        let why: Vec<String> = why
            .iter()
            .take(4)
            .map(|(w, n)| format!("{n} {w}"))
            .collect();
        format!(
            "- expansion time (the macro alone, in-process, debug build): median {:.2} ms, 99th percentile {:.1} ms, max {:.1} ms\n\
             - values and gradients checked at run time: {} bodies; not decided: {} ({})\n\
             - mutants discarded before testing because syn does not read them as a function: {}\n\
             - warnings from generated code: {}\n",
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(1.0),
            self.checked,
            self.unchecked.values().sum::<usize>(),
            why.join("; "),
            self.discarded,
            self.warnings.values().map(|(n, _)| n).sum::<usize>(),
        )
    }
}

/// `body` through rustfmt, or as the fuzzer prints it where rustfmt fails or takes more
/// than 5 s (deeply nested expressions can keep it busy for minutes).
pub fn pretty(body: &Body) -> String {
    let text = render(&body.item);
    let Ok(mut child) = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return text;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    // Read on a thread: a large output would fill the pipe and stall rustfmt.
    let reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut out = String::new();
            let _ = stdout.read_to_string(&mut out);
            out
        })
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => {
                let out = reader.and_then(|r| r.join().ok()).unwrap_or_default();
                return if out.is_empty() { text } else { out };
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            _ => return text,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    text
}

fn message(t: &Tested, slow: bool) -> String {
    if slow {
        format!("the expansion took {:.2} s", t.expanded.micros as f64 / 1e6)
    } else {
        t.verdict.detail.trim_end().to_string()
    }
}

/// A long body's first 30 and last 10 lines.
fn shorten(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 50 {
        return text.to_string();
    }
    let omitted = format!("// ... {} lines omitted ...", lines.len() - 40);
    let kept: Vec<&str> = lines[..30]
        .iter()
        .copied()
        .chain([omitted.as_str()])
        .chain(lines[lines.len() - 10..].iter().copied())
        .collect();
    kept.join("\n") + "\n"
}

pub struct Run<'a> {
    pub command: &'a str,
    pub seed: u64,
    /// Wall time of the fuzzing, and of it in rustc; then of the minimising.
    pub seconds: f64,
    pub rustc_seconds: f64,
    /// `None` while the run is still going: a report so far.
    pub minimizing_seconds: Option<f64>,
    pub unattributed: &'a [String],
}

pub fn write(path: &std::path::Path, stats: &Stats, run: &Run) -> std::io::Result<()> {
    let mut md = String::from("# Fuzzing `#[differentiable]`\n\n");
    let then = match run.minimizing_seconds {
        Some(m) => format!("then {m:.0} s minimising findings"),
        None => "**still running**: the bodies so far, findings not minimised".to_string(),
    };
    let _ = writeln!(
        md,
        "`{}` (seed {}): {} bodies in {:.0} s of wall time ({:.0} s of it in rustc), {then}.\n",
        run.command,
        run.seed,
        stats.total(),
        run.seconds,
        run.rustc_seconds,
    );
    md.push_str(&stats.table());
    md.push('\n');
    md.push_str(&stats.figures());
    if !run.unattributed.is_empty() {
        let _ = writeln!(
            md,
            "- diagnostics no body could be named for: {}",
            run.unattributed.len()
        );
        for u in run.unattributed.iter().take(5) {
            let _ = writeln!(md, "  - {}", u.lines().next().unwrap_or(""));
        }
    }
    if !stats.broken_seeds.is_empty() {
        let _ = writeln!(
            md,
            "- seeds outside tests/ui/ that do not compile (a seed extraction to fix): {}",
            stats.broken_seeds.len()
        );
        for b in &stats.broken_seeds {
            let _ = writeln!(md, "  - {b}");
        }
    }
    if stats.refused_generated.0 > 0 {
        let _ = writeln!(
            md,
            "- generated bodies (valid by construction) that do not compile: {}; the first:",
            stats.refused_generated.0
        );
        for b in &stats.refused_generated.1 {
            let _ = writeln!(md, "\n  - {b}");
        }
    }
    md.push_str("\n## Findings\n\n");
    if stats.groups.is_empty() {
        md.push_str("None.\n");
    }
    for (i, (key, g)) in stats.ordered().into_iter().enumerate() {
        let t = &g.first;
        let _ = writeln!(md, "### {}. {key}\n", i + 1);
        let _ = writeln!(md, "{} bodies; the first: {}\n", g.count, t.body.describe());
        let full = pretty(&t.body);
        let short = shorten(&full);
        let _ = writeln!(md, "Body (as found):\n\n```rust\n{short}```\n");
        // A long body, shortened here, is kept whole beside the report: a compiler
        // crash on it is otherwise not reproducible without rerunning the seed.
        if short != full
            && let Some(dir) = path.parent()
        {
            let name = format!("finding-{}.rs", i + 1);
            std::fs::create_dir_all(dir.join("findings"))?;
            std::fs::write(dir.join("findings").join(&name), &full)?;
            let _ = writeln!(md, "The whole body: `findings/{name}`.\n");
        }
        let _ = writeln!(md, "Message:\n\n```text\n{}\n```\n", message(t, g.slow));
        if let Some(m) = &g.minimal {
            let _ = writeln!(
                md,
                "Minimised:\n\n```rust\n{}```\n",
                shorten(&pretty(&m.body))
            );
            let _ = writeln!(md, "Its message:\n\n```text\n{}\n```\n", message(m, g.slow));
        }
        if !g.others.is_empty() {
            md.push_str("Other bodies of this kind:\n\n");
        }
        for o in &g.others {
            let first = message(o, g.slow);
            let first = first.lines().next().unwrap_or("");
            let _ = writeln!(md, "- {}: `` {first} ``", o.body.describe());
            if !g.slow {
                let _ = writeln!(md, "\n  ```rust");
                for line in shorten(&pretty(&o.body)).lines() {
                    let _ = writeln!(md, "  {line}");
                }
                let _ = writeln!(md, "  ```\n");
            }
        }
        if !g.others.is_empty() {
            md.push('\n');
        }
    }
    if !stats.warnings.is_empty() {
        md.push_str("## Warnings from generated code\n\n");
        for (w, (n, first)) in &stats.warnings {
            let _ = writeln!(md, "- {n}× `{w}` (first: {first})");
        }
    }
    std::fs::write(path, md)
}
