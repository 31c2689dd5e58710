//! Atomic file replacement: write a temporary file beside the target, flush it to disk,
//! then rename it over the target, so readers see the old file or the new one, never a
//! torn one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Same directory as the target: a rename across file systems would not be atomic.
    let tmp = path.with_file_name(format!(".{file_name}.tmp{}", std::process::id()));
    let io = |p: &Path| {
        let p: PathBuf = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        // Best effort: the original error is the one worth reporting.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
