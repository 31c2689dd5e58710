//! Scratch crates under `target/fuzz/`: many functions to a crate, one module file each, so
//! that rustc reports every function's errors in one run and each diagnostic is mapped back
//! to its function by the file it points at. The crates depend on this checkout's `cadena`
//! by path, have their own `[workspace]`, and build into the course package's own target
//! directory with its profile settings, so the dependencies the tests built are reused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Scratch {
    /// `target/fuzz` or `--out`: the crates, the expander and the report.
    pub dir: PathBuf,
    /// The cargo target directory the scratch crates build into.
    pub target: PathBuf,
    pub repo: PathBuf,
    /// `[workspace]` and the course package's profile settings, for every scratch manifest.
    pub workspace_tail: String,
}

impl Scratch {
    pub fn new(repo: &Path, dir: PathBuf, target: PathBuf) -> Result<Scratch, String> {
        let manifest =
            std::fs::read_to_string(repo.join("Cargo.toml")).map_err(|e| e.to_string())?;
        let profiles = manifest.find("\n[profile.").map_or("", |i| &manifest[i..]);
        let workspace_tail = format!("\n[workspace]\n{profiles}");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch {
            dir,
            target,
            repo: repo.to_path_buf(),
            workspace_tail,
        })
    }

    /// Writes crate `name` with `modules` (file stem, source) and `root` (the text of
    /// `lib.rs`, or of `main.rs` when `bin`), removing the module files of the last run.
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
        let path = |p: &str| format!("{:?}", self.repo.join(p).display().to_string());
        // cadena, its macros and the second crate of tests/cross_crate.rs are members of
        // the course workspace, built without the optimisation its profile gives
        // dependencies: the same here, so their builds are shared.
        let members = ["cadena", "cadena-macros", "cadena-test-callee"]
            .iter()
            .filter(|p| {
                !self
                    .workspace_tail
                    .contains(&format!("[profile.dev.package.{p}]"))
            })
            .map(|p| format!("\n[profile.dev.package.{p}]\nopt-level = 0\n"))
            .collect::<String>();
        let toml = format!(
            "[package]\nname = \"fuzz-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ncadena = {{ path = {} }}\ncadena-test-callee = {{ path = {} }}\n{}{members}",
            path("runtime"),
            path("tests/callee"),
            self.workspace_tail
        );
        std::fs::write(dir.join("Cargo.toml"), toml).expect("writing a scratch manifest");
        if !dir.join("Cargo.lock").exists() {
            let _ = std::fs::copy(self.repo.join("Cargo.lock"), dir.join("Cargo.lock"));
        }
        for (stem, text) in modules {
            std::fs::write(src.join(format!("{stem}.rs")), text).expect("writing a scratch module");
        }
        let root_file = if bin { "main.rs" } else { "lib.rs" };
        std::fs::write(src.join(root_file), root).expect("writing a scratch crate root");
        dir
    }

    /// `cargo build` of the crate at `dir`, its diagnostics mapped to module files.
    pub fn build(&self, dir: &Path) -> Build {
        let start = Instant::now();
        let out = cargo(self, dir, &["build", "--message-format=json"]);
        let elapsed = start.elapsed();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                return Build {
                    success: false,
                    diagnostics: Vec::new(),
                    crash: Some(format!("cargo did not run: {e}")),
                    elapsed,
                    executable: None,
                };
            }
        };
        let mut diagnostics = Vec::new();
        let mut executable = None;
        let mut crash = None;
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let ours = v["manifest_path"]
                .as_str()
                .is_some_and(|m| Path::new(m).starts_with(dir));
            match v["reason"].as_str() {
                Some("compiler-message") if ours => {
                    let d = Diagnostic::from_json(&v["message"]);
                    if d.level.contains("internal compiler error")
                        || d.message.contains("internal compiler error")
                    {
                        crash = Some(d.message.clone());
                    }
                    diagnostics.push(d);
                }
                Some("compiler-artifact") if ours => {
                    executable = v["executable"].as_str().map(PathBuf::from);
                }
                _ => {}
            }
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let crashed = [
            "internal compiler error",
            "unexpectedly panicked",
            "overflowed its stack",
            "(signal:",
        ]
        .iter()
        .find(|m| stderr.contains(*m));
        if crash.is_none()
            && let Some(m) = crashed
        {
            let line = stderr.lines().find(|l| l.contains(m)).unwrap_or(m);
            crash = Some(line.trim().to_string());
        }
        let errors = diagnostics.iter().any(|d| d.level == "error");
        if crash.is_none() && !out.status.success() && !errors {
            crash = Some(format!(
                "cargo failed without a diagnostic: {}",
                last_line(&stderr)
            ));
        }
        Build {
            success: out.status.success(),
            diagnostics,
            crash,
            elapsed,
            executable,
        }
    }
}

fn last_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Runs cargo in `dir` on the shared target directory, quietly and without incremental
/// state (every scratch crate is new source).
pub fn cargo(scratch: &Scratch, dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &scratch.target)
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .output()
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
                if attribute
                    && exp["macro_decl_name"]
                        .as_str()
                        .is_some_and(|n| n.contains("differentiable"))
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
