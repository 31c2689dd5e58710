//! Computes `librosa.feature.mfcc(y=y, sr=sr)` for one audio file and writes it as a
//! float32 C-order `.npy` of shape (n_mfcc, frames), to check parity on any file:
//!
//! ```text
//! cargo run --release --example mfcc -- INPUT --out OUT.npy [--n-mfcc N] [--n-fft N]
//!     [--hop-length N] [--n-mels N] [--sr RATE]
//! ```
//!
//! The file is read at its native rate unless `--sr` is given (librosa equivalent:
//! `y, sr = librosa.load(INPUT, sr=None)`). Unreadable input or bad arguments: exit code 1
//! and a one-line error on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use cadena::audio::mfcc::{MfccConfig, mfcc};
use cadena::audio::{LoadConfig, load_with, npy};

const USAGE: &str = "usage: mfcc INPUT --out OUT.npy [--n-mfcc N] [--n-fft N] [--hop-length N] [--n-mels N] [--sr RATE]";

struct Args {
    input: PathBuf,
    out: PathBuf,
    sr: Option<u32>,
    config: MfccConfig,
}

fn parse(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut input = None;
    let mut out = None;
    let mut sr = None;
    let mut config = MfccConfig::default();
    while let Some(arg) = raw.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let v = raw.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name} expects a non-negative integer, got {v:?}"))
        };
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(raw.next().ok_or("--out needs a path")?)),
            "--n-mfcc" => config.n_mfcc = value("--n-mfcc")?,
            "--n-fft" => config.stft.n_fft = value("--n-fft")?,
            "--hop-length" => config.stft.hop_length = Some(value("--hop-length")?),
            "--n-mels" => config.mel.n_mels = value("--n-mels")?,
            "--sr" => {
                let rate = value("--sr")?;
                sr = Some(u32::try_from(rate).map_err(|_| format!("--sr {rate} is too large"))?);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}; {USAGE}"));
            }
            path if input.is_none() => input = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra:?}; {USAGE}")),
        }
    }
    Ok(Args {
        input: input.ok_or(USAGE)?,
        out: out.ok_or(format!("--out is required; {USAGE}"))?,
        sr,
        config,
    })
}

fn run() -> Result<(), String> {
    let args = parse(std::env::args().skip(1))?;
    let clip = load_with(&args.input, &LoadConfig { sr: args.sr }).map_err(|e| e.to_string())?;
    let m = mfcc(&clip.samples, clip.sr, &args.config).map_err(|e| e.to_string())?;
    npy::write(&args.out, &m).map_err(|e| e.to_string())?;
    eprintln!(
        "{}: {} Hz, {:.2} s -> {} ({} x {})",
        args.input.display(),
        clip.sr,
        clip.duration(),
        args.out.display(),
        m.nrows(),
        m.ncols()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
