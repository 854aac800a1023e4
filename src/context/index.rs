//! The repository's tags, cached on disk by file content: a second run on an unchanged
//! repository reads each file and its hash, and parses nothing.
//!
//! The cache is one JSON file per repository in cria's state folder (never in the repository).
//! A missing, stale or unreadable cache is rebuilt, never an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::tags::{self, Tag};

/// Files larger than this are not parsed (generated or vendored, most likely).
pub const MAX_FILE_BYTES: u64 = 512 * 1024;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileEntry {
    pub hash: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TagIndex {
    version: u32,
    pub files: BTreeMap<String, FileEntry>,
}

/// What building the index did (for `cria bench`-style reports and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub files: usize,
    pub parsed: usize,
    pub reused: usize,
}

const VERSION: u32 = 1;

fn cache_path(root: &Path) -> PathBuf {
    crate::state::repo_state_dir(root).join("tags.json")
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tags of every supported file under `root` (cria's walking rules), from the cache where
/// the content is unchanged; the cache (in cria's state folder) is updated.
pub fn build(root: &Path) -> (TagIndex, IndexStats) {
    build_with_cache(root, &cache_path(root))
}

/// [`build`] with the cache file at `path`.
pub fn build_with_cache(root: &Path, path: &Path) -> (TagIndex, IndexStats) {
    let old: TagIndex = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|i: &TagIndex| i.version == VERSION)
        .unwrap_or_default();
    let mut index = TagIndex {
        version: VERSION,
        files: BTreeMap::new(),
    };
    let mut stats = IndexStats::default();
    for rel in super::scan::list_files(root) {
        if !tags::supported(&rel) {
            continue;
        }
        let abs = root.join(&rel);
        if std::fs::metadata(&abs).map_or(true, |m| m.len() > MAX_FILE_BYTES) {
            continue;
        }
        let Ok(bytes) = crate::sandbox::beneath::read(root, &rel) else {
            continue;
        };
        let h = hash(&bytes);
        stats.files += 1;
        let entry = match old.files.get(&rel) {
            Some(e) if e.hash == h => {
                stats.reused += 1;
                e.clone()
            }
            _ => {
                stats.parsed += 1;
                FileEntry {
                    hash: h,
                    tags: tags::file_tags(&rel, &bytes),
                }
            }
        };
        index.files.insert(rel, entry);
    }
    if stats.parsed > 0 || index.files.len() != old.files.len() {
        save(path, &index);
    }
    (index, stats)
}

fn save(path: &Path, index: &TagIndex) {
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    if let Ok(bytes) = serde_json::to_vec(index) {
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}
