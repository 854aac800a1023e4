//! The persistent prompt cache: the KV state of a long prompt prefix saved to disk, so the next
//! run that starts with the same tokens (same system prompt, tools and repository context)
//! restores it instead of processing it again.
//!
//! An entry is two files in the cache folder: `<key>.kv` (llama.cpp's sequence state, which also
//! holds the tokens) and `<key>.tok`, the index, written last so a half-written entry is never
//! picked: a magic line, the state file's length and SHA-256, then the tokens (little-endian
//! u32). llama.cpp aborts the process on a truncated state file, so a state file is loaded only
//! after its length and checksum match. Entries are grouped by a fingerprint of
//! everything that makes KV state incompatible — the model file, context size, KV type and
//! cria's version — and looked up by longest common token prefix. The folder is bounded in
//! size, evicted oldest-used first. A restored entry is checked against its index and dropped
//! when it does not match: the cache is a hint, never trusted.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// Prompts shorter than this are cheap to process again and not worth a file.
pub const MIN_TOKENS: usize = 256;
/// A restored prefix must cover at least this many tokens to be worth loading.
pub const MIN_REUSE: usize = 128;

#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    fingerprint: String,
    max_bytes: u64,
}

const MAGIC: &[u8; 8] = b"criakv1\n";

/// A candidate entry: its files, what its state file must be, and how many tokens it shares
/// with the prompt.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kv: PathBuf,
    pub index: PathBuf,
    pub tokens: Vec<u32>,
    pub common: usize,
    kv_len: u64,
    kv_sha: [u8; 32],
}

impl Hit {
    /// The state file is whole and unchanged since it was saved.
    pub fn verify(&self) -> bool {
        file_digest(&self.kv).is_ok_and(|(len, sha)| len == self.kv_len && sha == self.kv_sha)
    }
}

impl DiskCache {
    /// The cache for `model` at context size `n_ctx` under `dir`.
    pub fn new(dir: PathBuf, model: &Path, n_ctx: usize, max_bytes: u64) -> DiskCache {
        DiskCache {
            dir,
            fingerprint: fingerprint(model, n_ctx),
            max_bytes,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry sharing the longest prefix with `prompt`, if it is worth loading.
    pub fn best(&self, prompt: &[u32]) -> Option<Hit> {
        let prefix = format!("{}-", self.fingerprint);
        let entries = std::fs::read_dir(&self.dir).ok()?;
        let mut best: Option<Hit> = None;
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(stem) = name
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".tok"))
            else {
                continue;
            };
            let Some((kv_len, kv_sha, tokens)) = read_index(&e.path()) else {
                continue;
            };
            let common = tokens
                .iter()
                .zip(prompt)
                .take_while(|(a, b)| a == b)
                .count();
            if common >= MIN_REUSE && best.as_ref().is_none_or(|b| common > b.common) {
                best = Some(Hit {
                    kv: self.dir.join(format!("{prefix}{stem}.kv")),
                    index: e.path(),
                    tokens,
                    common,
                    kv_len,
                    kv_sha,
                });
            }
        }
        if let Some(hit) = &best {
            touch(&hit.index);
        }
        best
    }

    /// Where a new entry for `tokens` goes: (kv file, index file, temp kv file to save to).
    pub fn paths_for(&self, tokens: &[u32]) -> (PathBuf, PathBuf, PathBuf) {
        let mut h = Sha256::new();
        for t in tokens {
            h.update(t.to_le_bytes());
        }
        let key: String = h
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let base = format!("{}-{key}", self.fingerprint);
        (
            self.dir.join(format!("{base}.kv")),
            self.dir.join(format!("{base}.tok")),
            self.dir
                .join(format!(".{base}.kv.{}.tmp", std::process::id())),
        )
    }

    /// Finish an entry whose state was saved to `tmp`: move it into place, write the index,
    /// then evict the oldest entries beyond the size bound.
    pub fn commit(
        &self,
        tmp: &Path,
        kv: &Path,
        index: &Path,
        tokens: &[u32],
    ) -> std::io::Result<()> {
        let (len, sha) = file_digest(tmp)?;
        std::fs::rename(tmp, kv)?;
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&sha);
        bytes.extend(tokens.iter().flat_map(|t| t.to_le_bytes()));
        let tmp_index = index.with_extension(format!("tok.{}.tmp", std::process::id()));
        std::fs::write(&tmp_index, bytes)?;
        std::fs::rename(&tmp_index, index)?;
        self.evict();
        Ok(())
    }

    /// Remove an entry (it failed to load or did not match its index).
    pub fn forget(&self, hit: &Hit) {
        let _ = std::fs::remove_file(&hit.index);
        let _ = std::fs::remove_file(&hit.kv);
    }

    /// Delete least recently used entries until the folder fits `max_bytes`.
    fn evict(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let entries: Vec<_> = entries.filter_map(Result::ok).collect();
        // Temp files of runs that died while saving.
        for e in &entries {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if e.file_name().to_string_lossy().ends_with(".tmp") && stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
        // (last use, bytes, files) per entry, keyed by the index file.
        let mut all: Vec<(SystemTime, u64, PathBuf, PathBuf)> = entries
            .iter()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tok"))
            .filter_map(|e| {
                let index = e.path();
                let kv = index.with_extension("kv");
                let used = e.metadata().ok()?.modified().ok()?;
                let bytes = std::fs::metadata(&kv).map(|m| m.len()).unwrap_or(0)
                    + e.metadata().map(|m| m.len()).unwrap_or(0);
                Some((used, bytes, index, kv))
            })
            .collect();
        all.sort_by_key(|(used, ..)| *used);
        let mut total: u64 = all.iter().map(|(_, b, ..)| b).sum();
        for (_, bytes, index, kv) in all {
            if total <= self.max_bytes {
                break;
            }
            let _ = std::fs::remove_file(index);
            let _ = std::fs::remove_file(kv);
            total = total.saturating_sub(bytes);
        }
    }
}

/// A file's length and SHA-256, read in pieces (state files run to hundreds of MB).
fn file_digest(path: &Path) -> std::io::Result<(u64, [u8; 32])> {
    let mut hasher = Sha256::new();
    let len = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((len, hasher.finalize().into()))
}

/// An index file: (state file length, its SHA-256, tokens).
fn read_index(path: &Path) -> Option<(u64, [u8; 32], Vec<u32>)> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (sha, tokens) = rest.split_first_chunk::<32>()?;
    if tokens.len() % 4 != 0 {
        return None;
    }
    let len = u64::from_le_bytes(*len);
    let tokens = tokens
        .chunks_exact(4)
        .filter_map(|c| Some(u32::from_le_bytes(c.try_into().ok()?)))
        .collect();
    let sha = *sha;
    Some((len, sha, tokens))
}

/// Mark an entry as just used (eviction goes by modification time).
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// What makes saved KV state usable: the same model file (path, size, modification time and its
/// first MiB), the same context size and KV type, the same cria.
fn fingerprint(model: &Path, n_ctx: usize) -> String {
    let mut h = Sha256::new();
    h.update(model.to_string_lossy().as_bytes());
    if let Ok(m) = std::fs::metadata(model) {
        h.update(m.len().to_le_bytes());
        if let Ok(t) = m.modified() {
            let secs = t
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            h.update(secs.to_le_bytes());
        }
    }
    if let Ok(f) = std::fs::File::open(model) {
        let mut head = Vec::with_capacity(1 << 20);
        let _ = f.take(1 << 20).read_to_end(&mut head);
        h.update(&head);
    }
    h.update(format!("n_ctx={n_ctx};kv=f16;cria={}", env!("CARGO_PKG_VERSION")).as_bytes());
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
#[path = "kv_disk_tests.rs"]
mod tests;
