//! Scratch crates under `target/fuzz/work/`: many functions to a crate, one module file
//! each, so that rustc reports every function's errors in one run and each diagnostic is
//! mapped back to its function by the file it points at. They are compiled by rustc
//! directly, against the very `cadena` (and the second crate of tests/cross_crate.rs) this
//! example was built with: a scratch cargo workspace would build cadena and its
//! dependencies once more, since cargo tells path dependencies of different workspaces
//! apart. The artifacts' paths come from `cargo build --message-format=json` of this
//! example, which also finds the `syn`, `quote` and `proc-macro2` the expander needs.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The longest a rustc run may take: a batch of 200 bodies takes 10-60 s.
const RUSTC_LIMIT: Duration = Duration::from_secs(300);

use serde_json::Value;

#[derive(Clone)]
pub struct Scratch {
    /// `target/fuzz` or `--out`: the crates, the expander and the report.
    pub dir: PathBuf,
    /// `--extern` paths by crate name: cadena, cadena_test_callee, and the macro's own
    /// dependencies.
    pub externs: BTreeMap<String, PathBuf>,
    /// `-L` arguments: the dependency directory and native libraries' directories.
    search: Vec<String>,
}

/// The crates a scratch crate may name.
const SCRATCH_EXTERNS: &[&str] = &["cadena", "cadena_test_callee"];

impl Scratch {
    /// Finds this example's dependencies with cargo, in the target directory `target`
    /// it was built into (`release` when it was built so).
    pub fn new(repo: &Path, dir: PathBuf, target: &Path, release: bool) -> Result<Scratch, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let target = format!("--target-dir={}", target.display());
        let mut args = vec![
            "build",
            "--quiet",
            "--example",
            "fuzz_macro",
            "--message-format=json",
            &target,
        ];
        if release {
            args.push("--release");
        }
        let out = Command::new(cargo)
            .args(&args)
            .current_dir(repo)
            .output()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let wanted = macro_dependencies(repo)?;
        let mut externs = BTreeMap::new();
        let mut search = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            for p in v["linked_paths"].as_array().into_iter().flatten() {
                search.push(p.as_str().unwrap_or("").to_string());
            }
            let name = v["target"]["name"].as_str().unwrap_or("");
            let is_lib = v["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "lib"));
            let rlib = v["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|f| f.ends_with(".rlib"));
            let (Some(rlib), true) = (rlib, is_lib) else {
                continue;
            };
            let id = v["package_id"].as_str().unwrap_or("");
            let features: Vec<&str> = v["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let fits = match wanted.get(name) {
                Some((version, needs)) => {
                    id.contains(&format!("@{version}."))
                        && needs.iter().all(|f| features.contains(&f.as_str()))
                }
                None => SCRATCH_EXTERNS.contains(&name),
            };
            if fits {
                externs.insert(name.to_string(), PathBuf::from(rlib));
            }
        }
        let deps = externs
            .get("cadena")
            .and_then(|p| p.parent())
            .ok_or("cargo did not name the cadena library this example uses")?;
        search.insert(0, format!("dependency={}", deps.display()));
        for name in SCRATCH_EXTERNS
            .iter()
            .copied()
            .chain(wanted.keys().map(String::as_str))
        {
            if !externs.contains_key(name) {
                return Err(format!("cargo did not name a build of `{name}` to use"));
            }
        }
        Ok(Scratch {
            dir,
            externs,
            search,
        })
    }

    /// Writes crate `name` with `modules` (file stem, source) and `root` (`lib.rs`, or
    /// `main.rs` when `bin`), removing the module files of the last run.
    pub fn write_crate(
        &self,
        name: &str,
        modules: &[(String, String)],
        root: &str,
        bin: bool,
    ) -> PathBuf {
        let dir = self.dir.join("work").join(name);
        let src = dir.join("src");
        let _ = std::fs::remove_dir_all(&src);
        std::fs::create_dir_all(&src).expect("creating a scratch crate");
        std::fs::create_dir_all(dir.join("out")).expect("creating a scratch crate");
        for (stem, text) in modules {
            std::fs::write(src.join(format!("{stem}.rs")), text).expect("writing a scratch module");
        }
        let root_file = if bin { "main.rs" } else { "lib.rs" };
        std::fs::write(src.join(root_file), root).expect("writing a scratch crate root");
        dir
    }

    /// rustc on the crate at `dir`: a library checked (metadata only), or a binary built,
    /// its diagnostics mapped to module files.
    pub fn build(&self, dir: &Path, bin: bool) -> Build {
        let name = dir
            .file_name()
            .map_or("scratch".into(), |n| n.to_string_lossy().replace('-', "_"));
        let exe = dir.join("out").join(&name);
        let mut args: Vec<String> = vec![
            "--edition=2024".into(),
            format!("--crate-name=fuzz_{name}"),
            "--error-format=json".into(),
            "-Cdebuginfo=0".into(),
        ];
        if bin {
            args.extend([
                "--crate-type=bin".into(),
                "src/main.rs".into(),
                "-o".into(),
                exe.display().to_string(),
            ]);
        } else {
            args.extend([
                "--crate-type=lib".into(),
                "--emit=metadata".into(),
                "--out-dir=out".into(),
                "src/lib.rs".into(),
            ]);
        }
        for name in SCRATCH_EXTERNS {
            args.push(format!("--extern={name}={}", self.externs[*name].display()));
        }
        let start = Instant::now();
        let out = self.rustc(dir, &args);
        let elapsed = start.elapsed();
        let (status, stderr) = match out {
            Ok(out) => (
                out.status,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
            Err(e) => {
                return Build {
                    success: false,
                    diagnostics: Vec::new(),
                    crash: Some(format!("rustc did not run: {e}")),
                    elapsed,
                    executable: None,
                };
            }
        };
        let mut diagnostics = Vec::new();
        let mut crash = None;
        for line in stderr.lines() {
            match serde_json::from_str::<Value>(line) {
                Ok(v) if v["$message_type"] == "diagnostic" || v.get("level").is_some() => {
                    let d = Diagnostic::from_json(&v);
                    if d.level.contains("internal compiler error")
                        || d.message.contains("internal compiler error")
                    {
                        crash = Some(d.message.clone());
                    }
                    diagnostics.push(d);
                }
                _ if [
                    "unexpectedly panicked",
                    "overflowed its stack",
                    "internal compiler error",
                ]
                .iter()
                .any(|m| line.contains(m)) =>
                {
                    crash.get_or_insert_with(|| line.trim().to_string());
                }
                _ => {}
            }
        }
        if crash.is_none()
            && let Some(signal) = status.signal()
        {
            crash = Some(match elapsed >= RUSTC_LIMIT {
                true => format!("rustc ran {} s and was stopped", RUSTC_LIMIT.as_secs()),
                false => format!("rustc was killed by signal {signal}"),
            });
        }
        let errors = diagnostics.iter().any(|d| d.level == "error");
        if crash.is_none() && !status.success() && !errors {
            crash = Some(format!(
                "rustc failed without a diagnostic: {}",
                last_line(&stderr)
            ));
        }
        Build {
            success: status.success(),
            diagnostics,
            crash,
            elapsed,
            executable: (bin && status.success()).then_some(exe),
        }
    }

    /// Runs rustc in `dir` with the dependency search paths.
    /// rustc on `args`, stopped (killed, so reported as a crash and bisected like one)
    /// after [`RUSTC_LIMIT`]: a body that keeps rustc for ever must not stop the run.
    pub fn rustc(&self, dir: &Path, args: &[String]) -> std::io::Result<std::process::Output> {
        use std::io::Read;
        use std::process::Stdio;
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let search: Vec<String> = self.search.iter().map(|s| format!("-L{s}")).collect();
        let mut child = Command::new(rustc)
            .args(args)
            .args(search)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // Read both pipes on threads, so that a full pipe cannot stall rustc.
        let read = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                buf
            })
        };
        let stdout = read(Box::new(child.stdout.take().expect("piped")));
        let stderr = read(Box::new(child.stderr.take().expect("piped")));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if start.elapsed() >= RUSTC_LIMIT {
                let _ = child.kill();
                break child.wait()?;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Ok(std::process::Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }
}

/// The macro crate's dependencies (`syn`, `quote`, `proc-macro2`) as crate names, each with
/// its major version and the features it needs, read from macros/Cargo.toml.
fn macro_dependencies(repo: &Path) -> Result<BTreeMap<String, (String, Vec<String>)>, String> {
    let manifest =
        std::fs::read_to_string(repo.join("macros/Cargo.toml")).map_err(|e| e.to_string())?;
    let section = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .ok_or("macros/Cargo.toml has no [dependencies]")?;
    let mut out = BTreeMap::new();
    for line in section.lines().filter(|l| l.contains('=')) {
        let (name, spec) = line.split_once('=').unwrap_or_default();
        let quoted: Vec<&str> = spec.split('"').skip(1).step_by(2).collect();
        let (version, features) = if spec.trim_start().starts_with('{') {
            let version = spec
                .split("version")
                .nth(1)
                .and_then(|v| v.split('"').nth(1))
                .unwrap_or("");
            (
                version,
                quoted
                    .iter()
                    .filter(|q| **q != version)
                    .map(|q| q.to_string())
                    .collect(),
            )
        } else {
            (quoted.first().copied().unwrap_or(""), Vec::new())
        };
        let major = version.split('.').next().unwrap_or("").to_string();
        out.insert(name.trim().replace('-', "_"), (major, features));
    }
    Ok(out)
}

fn last_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

pub struct Build {
    pub success: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// An internal compiler error or a crashed rustc.
    pub crash: Option<String>,
    pub elapsed: Duration,
    pub executable: Option<PathBuf>,
}

impl Build {
    /// The diagnostics of each module file, by file stem.
    pub fn by_module(&self) -> BTreeMap<String, Vec<&Diagnostic>> {
        let mut out: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
        for d in &self.diagnostics {
            if let Some(m) = &d.module {
                out.entry(m.clone()).or_default().push(d);
            }
        }
        out
    }
}

/// One rustc diagnostic, reduced to what the classification reads.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub level: String,
    pub message: String,
    /// `E0308` for a rustc error, the lint's name for a lint, none for `compile_error!`
    /// and parse errors.
    pub code: Option<String>,
    /// The module file (stem) it points at, following macro call sites out of other files.
    pub module: Option<String>,
    /// Line of the primary span in that file.
    pub line: usize,
    /// The primary span lies in code a `#[differentiable]` expansion produced (spanned on
    /// the attribute or hygienic), not on tokens the user wrote.
    pub generated: bool,
    /// Message, labels and notes: what the user reads.
    pub text: String,
    pub rendered: String,
}

impl Diagnostic {
    /// A rustc error with a number (`E0308`), not a lint, a parse error or a
    /// `compile_error!`.
    pub fn numbered(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.starts_with('E') && c[1..].chars().all(|c| c.is_ascii_digit()))
    }

    /// A lint about unused code: the fuzzer's modules call nothing, so a twin whose body
    /// denies them fails where the function, used by its generated items, does not.
    pub fn unused_lint(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.starts_with("unused") || c == "dead_code")
    }

    fn from_json(m: &Value) -> Diagnostic {
        let level = m["level"].as_str().unwrap_or("").to_string();
        let message = m["message"].as_str().unwrap_or("").to_string();
        let code = m["code"]["code"].as_str().map(String::from);
        let rendered = m["rendered"].as_str().unwrap_or("").to_string();
        let spans = m["spans"].as_array().cloned().unwrap_or_default();
        let primary = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .or(spans.first());
        let mut text = message.clone();
        collect_text(m, &mut text);
        let (mut module, mut line, mut generated) = (None, 0, false);
        if let Some(p) = primary {
            // Code a `#[differentiable]` expansion wrote with its own spans (call site,
            // mixed site) points at the attribute; the user's tokens it passes on keep
            // their own spans, even through the macro_rules! that hand bodies to callers.
            let attribute = highlighted(p).starts_with("#[");
            let mut span = p;
            loop {
                if module.is_none()
                    && let Some(stem) = module_of(span)
                {
                    module = Some(stem);
                    line = span["line_start"].as_u64().unwrap_or(0) as usize;
                }
                let exp = &span["expansion"];
                if exp.is_null() {
                    break;
                }
                // The attribute of the expansion itself, not one the user wrote inside
                // the body (a `#[differentiable]` on a statement, refused on its tokens).
                let at = |s: &Value| (s["line_start"].clone(), s["column_start"].clone());
                if attribute
                    && exp["macro_decl_name"]
                        .as_str()
                        .is_some_and(|n| n.contains("differentiable"))
                    && at(&exp["span"]) == at(p)
                {
                    generated = true;
                }
                span = &exp["span"];
            }
        }
        if module.is_none() {
            module = all_spans(m).iter().find_map(module_of);
        }
        Diagnostic {
            level,
            message,
            code,
            module,
            line,
            generated,
            text,
            rendered,
        }
    }
}

/// The text a span highlights on its first line.
fn highlighted(span: &Value) -> String {
    let Some(first) = span["text"].get(0) else {
        return String::new();
    };
    let line = first["text"].as_str().unwrap_or("");
    let start = first["highlight_start"]
        .as_u64()
        .unwrap_or(1)
        .saturating_sub(1) as usize;
    line.chars().skip(start).collect()
}

fn module_of(span: &Value) -> Option<String> {
    let file = span["file_name"].as_str()?;
    let stem = file.strip_prefix("src/")?.strip_suffix(".rs")?;
    (!stem.contains('/') && stem != "lib" && stem != "main").then(|| stem.to_string())
}

fn collect_text(m: &Value, out: &mut String) {
    for s in m["spans"].as_array().into_iter().flatten() {
        if let Some(l) = s["label"].as_str() {
            out.push('\n');
            out.push_str(l);
        }
    }
    for c in m["children"].as_array().into_iter().flatten() {
        out.push('\n');
        out.push_str(c["message"].as_str().unwrap_or(""));
        collect_text(c, out);
    }
}

fn all_spans(m: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = m["spans"].as_array().cloned().unwrap_or_default();
    for c in m["children"].as_array().into_iter().flatten() {
        out.extend(all_spans(c));
    }
    out
}
