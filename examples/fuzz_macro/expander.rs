//! The expander: the macro's own source (`macros/src/`) copied into a scratch binary crate
//! and run in-process on one function at a time (`expander_main.rs`). It answers three
//! questions rustc cannot answer per function: does the mutant parse as a function at all
//! (those that do not are discarded, as rustc's parser would stop them before the macro),
//! how long did this one expansion take, and did the macro reject it (its `compile_error!`
//! messages) or panic. A crash of the process (a stack overflow) is pinned on the function
//! it was expanding, and the expander is started again for the rest.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::scratch::Scratch;
use crate::tokens::{Kind, Token, attributes, items, lex, render};

/// What the macro did with one function, seen from inside.
#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    /// syn does not read it as a function: not a test of the macro.
    Unparsed,
    Accepted,
    /// The macro's own error messages.
    Rejected(Vec<String>),
    Panicked(String),
    /// The expander died (stack overflow, abort) on this function.
    Crashed(String),
    /// No answer within 5 s.
    TimedOut,
}

#[derive(Clone, Debug)]
pub struct Expanded {
    pub expansion: Expansion,
    pub micros: u64,
}

pub struct Expander {
    binary: PathBuf,
    process: Option<Process>,
}

impl Expander {
    /// Another expander running the same binary, in a process of its own.
    pub fn another(&self) -> Expander {
        Expander {
            binary: self.binary.clone(),
            process: None,
        }
    }

    /// Writes the expander crate under `scratch.dir`, builds it and returns it ready.
    pub fn build(scratch: &Scratch, repo: &Path) -> Result<Expander, String> {
        let dir = scratch.dir.join("expander");
        let src = dir.join("src");
        let _ = std::fs::remove_dir_all(&src);
        copy_dir(&repo.join("macros/src"), &src).map_err(|e| format!("copying macros/src: {e}"))?;
        copy_dir(&repo.join("macros/doc"), &dir.join("doc"))
            .map_err(|e| format!("copying macros/doc: {e}"))?;
        let lib = std::fs::read_to_string(src.join("lib.rs")).map_err(|e| e.to_string())?;
        std::fs::remove_file(src.join("lib.rs")).map_err(|e| e.to_string())?;
        let mods: String = items(&lex(&lib))
            .iter()
            .filter(|i| i.keyword == "mod" && !i.has_attribute("cfg"))
            .filter_map(|i| i.name.as_ref())
            .map(|m| format!("mod {m};\n"))
            .collect();
        let main = format!(
            "#![allow(dead_code, unused)]\n{mods}\n{}",
            include_str!("expander_main.rs")
        );
        std::fs::write(src.join("main.rs"), main).map_err(|e| e.to_string())?;
        // The macro's own crate is not optimised in this workspace: the expander is not
        // either, so its times are those a `cargo build` of the tests sees.
        let binary = dir.join("cadena-fuzz-expander");
        let mut args: Vec<String> = vec![
            "--edition=2024".into(),
            "--crate-name=cadena_fuzz_expander".into(),
            "--crate-type=bin".into(),
            "-Copt-level=0".into(),
            "-Cdebuginfo=0".into(),
            "src/main.rs".into(),
            "-o".into(),
            binary.display().to_string(),
        ];
        for (name, path) in scratch
            .externs
            .iter()
            .filter(|(n, _)| !n.starts_with("cadena"))
        {
            args.push(format!("--extern={name}={}", path.display()));
        }
        let out = scratch
            .rustc(&dir, &args)
            .map_err(|e| format!("running rustc: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "building the expander failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(Expander {
            binary,
            process: None,
        })
    }

    /// Expands every item (whole functions with their attributes) in order.
    pub fn expand_all(&mut self, functions: &[Vec<Token>]) -> Vec<Expanded> {
        let mut out = Vec::with_capacity(functions.len());
        while out.len() < functions.len() {
            let done = out.len();
            if let Err(expansion) = self.run(&functions[done..], &mut out) {
                if let Some(mut p) = self.process.take() {
                    let _ = p.child.kill();
                    let _ = p.child.wait();
                }
                let micros = if expansion == Expansion::TimedOut {
                    TIMEOUT.as_micros() as u64
                } else {
                    0
                };
                out.push(Expanded { expansion, micros });
            }
        }
        out
    }

    /// Sends `functions` and reads their answers into `out`; an error is the death of the
    /// process, or a time-out, on the next function.
    fn run(&mut self, functions: &[Vec<Token>], out: &mut Vec<Expanded>) -> Result<(), Expansion> {
        if self.process.is_none() {
            self.process = Some(Process::start(&self.binary).map_err(Expansion::Crashed)?);
        }
        let p = self
            .process
            .as_mut()
            .ok_or_else(|| Expansion::Crashed("no expander".into()))?;
        // One at a time: the answer to a function must be read before the next is written
        // if the process may die on it.
        for f in functions {
            let Some((attr, item)) = split_attribute(f) else {
                out.push(Expanded {
                    expansion: Expansion::Unparsed,
                    micros: 0,
                });
                continue;
            };
            let sent = write!(p.stdin, "{} {}\n{attr}{item}", attr.len(), item.len())
                .and_then(|()| p.stdin.flush());
            match sent.map(|()| p.lines.recv_timeout(TIMEOUT)) {
                Ok(Ok(line)) => out.push(parse_answer(&line)),
                Ok(Err(RecvTimeoutError::Timeout)) => return Err(Expansion::TimedOut),
                _ => {
                    let _ = p.child.wait();
                    let mut err = String::new();
                    if let Some(mut e) = p.child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    return Err(Expansion::Crashed(last_lines(&err, 3)));
                }
            }
        }
        Ok(())
    }
}

/// Expansions taking longer are stopped: a body is not worth more of the run.
const TIMEOUT: Duration = Duration::from_secs(5);

struct Process {
    child: Child,
    stdin: ChildStdin,
    /// Answer lines, read on a thread so that a wait can time out.
    lines: Receiver<String>,
}

impl Process {
    fn start(binary: &Path) -> Result<Process, String> {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting the expander: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Process {
            child,
            stdin,
            lines,
        })
    }
}

fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    let text = lines[lines.len().saturating_sub(n)..].join("\n");
    if text.is_empty() {
        "the expander died without a message".into()
    } else {
        text
    }
}

fn parse_answer(line: &str) -> Expanded {
    let mut parts = line.splitn(3, '\t');
    let status = parts.next().unwrap_or("");
    let micros = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let detail = unescape(parts.next().unwrap_or(""));
    let expansion = match status {
        "accepted" => Expansion::Accepted,
        "rejected" => Expansion::Rejected(detail.lines().map(String::from).collect()),
        "panicked" => Expansion::Panicked(detail),
        _ => Expansion::Unparsed,
    };
    Expanded { expansion, micros }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first `#[differentiable..]` attribute's arguments, and the function without it,
/// as rustc hands them to the macro; `None` without such an attribute (the macro would not
/// run).
pub fn split_attribute(item: &[Token]) -> Option<(String, String)> {
    let (start, end) = differentiable_attribute(item)?;
    let args = &item[start + 3..end - 1];
    let inner = match args.first() {
        Some(t) if t.kind == Kind::Open => &args[1..args.len() - 1],
        _ => args,
    };
    let rest: Vec<Token> = item[..start].iter().chain(&item[end..]).cloned().collect();
    Some((render(inner), render(&rest)))
}

/// The token range of the first outer `#[differentiable]` or `#[differentiable(..)]`.
pub fn differentiable_attribute(item: &[Token]) -> Option<(usize, usize)> {
    attributes(item).into_iter().find(|&(s, e)| {
        item[s + 2].is("differentiable") && (e - s == 4 || item[s + 3].kind == Kind::Open)
    })
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
