//! Writing the CA's files so that no reader ever sees half of one, and no key file is
//! ever readable by others, not even for a moment.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Permissions of a file that holds a private key: its owner may read and write it.
pub(super) const PRIVATE: u32 = 0o600;
/// Permissions of a certificate: anyone may read it.
pub(super) const PUBLIC: u32 = 0o644;

/// Creates `path` with `contents` unless it exists. False when another process (or
/// thread) created it first: its file is kept and ours is thrown away.
pub(super) fn create_new(path: &Path, contents: &[u8], mode: u32) -> io::Result<bool> {
    let temp = write_temp(path, contents, mode)?;
    // A hard link appears whole and fails if the name is taken: the first writer wins.
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(in_file(path, e)),
    }
}

/// Replaces `path` with `contents` in one step: readers see the old file or the new one.
pub(super) fn replace(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let temp = write_temp(path, contents, mode)?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        in_file(path, e)
    })
}

/// Writes `contents` to a new temporary file beside `path`, created with `mode`.
fn write_temp(path: &Path, contents: &[u8], mode: u32) -> io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&temp).map_err(|e| in_file(&temp, e))?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(in_file(&temp, e));
    }
    Ok(temp)
}

/// Creates `dir` and its missing parents, readable by their owner only.
pub(super) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| in_file(dir, e))
}

/// Adds the path to an error, so that the message says which file failed.
pub(super) fn in_file(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
