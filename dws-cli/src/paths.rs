//! Local path containment (reference §4.1): `@file` inputs, `--client-secret @file` and `-o` must resolve (symlinks
//! included) inside the working directory or a root listed in `DWS_INPUT_ROOTS`. Inputs must be regular files; the
//! opened handle is checked to be the file that was resolved, so a symlink swapped in between is caught. Outputs
//! are written atomically (temp file + rename, mode 0600) and never through a symlink.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::exit::CliError;

/// Largest input file (8 MiB).
pub(crate) const MAX_INPUT: u64 = 8 << 20;

fn unsafe_path(flag: &str, message: String) -> CliError {
    CliError::validation("input_unsafe", message)
        .param(flag)
        .hint("paths must stay inside the working directory or a root in DWS_INPUT_ROOTS")
}

/// The containment roots: the working directory and every entry of `DWS_INPUT_ROOTS` (`:` or `,` separated).
fn roots() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .into_iter()
        .collect();
    if let Some(list) = crate::env::var(crate::env::INPUT_ROOTS) {
        out.extend(
            list.split([':', ','])
                .filter(|s| !s.trim().is_empty())
                .filter_map(|s| std::fs::canonicalize(s.trim()).ok()),
        );
    }
    out
}

fn check_contained(flag: &str, shown: &str, resolved: &Path) -> Result<(), CliError> {
    if roots().iter().any(|r| resolved.starts_with(r)) {
        Ok(())
    } else {
        Err(unsafe_path(
            flag,
            format!("--{flag}: {shown} resolves outside the working directory and DWS_INPUT_ROOTS"),
        ))
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// Reads the contained regular file `path` for `--flag` (at most [`MAX_INPUT`] bytes, BOM dropped, CRLF → LF).
pub(crate) fn read_input_file(flag: &str, path: &str) -> Result<String, CliError> {
    let resolved = std::fs::canonicalize(path).map_err(|_| {
        CliError::validation("input_file_not_found", format!("--{flag}: file {path} not found"))
            .param(flag)
            .hint("use @@ for a literal @")
    })?;
    check_contained(flag, path, &resolved)?;
    let before =
        std::fs::metadata(&resolved).map_err(|e| unsafe_path(flag, format!("--{flag}: {path}: {e}")))?;
    if !before.is_file() {
        return Err(unsafe_path(
            flag,
            format!("--{flag}: {path} is not a regular file"),
        ));
    }
    let file = File::open(&resolved).map_err(|e| unsafe_path(flag, format!("--{flag}: {path}: {e}")))?;
    let opened = file
        .metadata()
        .map_err(|e| unsafe_path(flag, format!("--{flag}: {path}: {e}")))?;
    if !opened.is_file() || !same_file(&before, &opened) {
        return Err(unsafe_path(
            flag,
            format!("--{flag}: {path} changed while it was opened"),
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unsafe_path(flag, format!("--{flag}: {path}: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(
            CliError::validation("input_too_large", format!("--{flag}: {path} exceeds 8 MiB")).param(flag),
        );
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::validation("input_unsafe", format!("--{flag}: {path} is not UTF-8")).param(flag)
    })?;
    Ok(text.trim_start_matches('\u{feff}').replace("\r\n", "\n"))
}

/// Checks that `path` may be written by `-o`: its directory is contained and the file is not a symlink.
pub(crate) fn output_target(path: &str) -> Result<PathBuf, CliError> {
    let p = Path::new(path);
    let name = p
        .file_name()
        .ok_or_else(|| unsafe_path("output", format!("--output: {path} names no file")))?;
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(parent)
        .map_err(|e| unsafe_path("output", format!("--output: {}: {e}", parent.display())))?;
    let target = dir.join(name);
    check_contained("output", path, &target)?;
    if let Ok(meta) = std::fs::symlink_metadata(&target)
        && !meta.is_file()
    {
        return Err(unsafe_path(
            "output",
            format!("--output: {path} is a symlink or not a regular file"),
        ));
    }
    Ok(target)
}

/// Writes `bytes` to `target` atomically with mode 0600.
pub(crate) fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".dws-out-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::validation("invalid_argument", format!("--output: {}: {e}", target.display()))
            .param("output")
    })
}
