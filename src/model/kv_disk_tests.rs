//! Unit tests for `kv_disk` (the file layout and policies; restoring real KV state is covered
//! by the real-model tests).

use super::*;

fn cache(dir: &Path, max_bytes: u64) -> DiskCache {
    let model = dir.join("model.gguf");
    std::fs::write(&model, b"GGUF fake model").unwrap();
    DiskCache::new(dir.join("kv"), &model, 4096, max_bytes)
}

fn store(c: &DiskCache, tokens: &[u32], kv_bytes: usize) -> PathBuf {
    std::fs::create_dir_all(c.dir()).unwrap();
    let (kv, index, tmp) = c.paths_for(tokens);
    std::fs::write(&tmp, vec![0u8; kv_bytes]).unwrap();
    c.commit(&tmp, &kv, &index, tokens).unwrap();
    index
}

#[test]
fn the_longest_shared_prefix_wins_and_short_ones_are_not_worth_loading() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), u64::MAX);
    let base: Vec<u32> = (0..600).collect();
    let mut other = base.clone();
    other[400] = 99_999;
    store(&c, &base[..300], 10);
    store(&c, &other, 10);
    let hit = c.best(&base).unwrap();
    assert_eq!(hit.common, 400);
    let unrelated: Vec<u32> = (0..600).rev().collect();
    assert!(c.best(&unrelated).is_none());
    let short = &base[..MIN_REUSE - 1];
    assert!(c.best(short).is_none());
}

#[test]
fn another_model_or_context_size_never_matches() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), u64::MAX);
    let tokens: Vec<u32> = (0..500).collect();
    store(&c, &tokens, 10);
    let model = dir.path().join("model.gguf");
    let other_ctx = DiskCache::new(c.dir().to_path_buf(), &model, 8192, u64::MAX);
    assert!(other_ctx.best(&tokens).is_none());
    std::fs::write(&model, b"GGUF another model").unwrap();
    let other_model = DiskCache::new(c.dir().to_path_buf(), &model, 4096, u64::MAX);
    assert!(other_model.best(&tokens).is_none());
}

#[test]
fn a_corrupt_index_is_skipped_and_forget_removes_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), u64::MAX);
    let tokens: Vec<u32> = (0..500).collect();
    let index = store(&c, &tokens, 10);
    std::fs::write(&index, [1u8, 2, 3]).unwrap();
    assert!(c.best(&tokens).is_none());
    let index = store(&c, &tokens, 10);
    let hit = c.best(&tokens).unwrap();
    assert!(hit.verify());
    // A state file changed or cut after saving is never handed to llama.cpp.
    let kv = index.with_extension("kv");
    std::fs::write(&kv, vec![1u8; 10]).unwrap();
    assert!(!c.best(&tokens).unwrap().verify());
    std::fs::write(&kv, vec![0u8; 5]).unwrap();
    assert!(!c.best(&tokens).unwrap().verify());
    c.forget(&hit);
    assert!(!hit.kv.exists() && !hit.index.exists());
}

#[test]
fn the_folder_stays_within_its_bound_evicting_the_least_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    // Each entry is 1,000 state bytes and a 1,248-byte index: two fit, three do not.
    let c = cache(dir.path(), 6_000);
    let a: Vec<u32> = (0..300).collect();
    let b: Vec<u32> = (1000..1300).collect();
    let d: Vec<u32> = (2000..2300).collect();
    store(&c, &a, 1000);
    std::thread::sleep(std::time::Duration::from_millis(20));
    store(&c, &b, 1000);
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(c.best(&a).is_some()); // a is now the most recently used
    std::thread::sleep(std::time::Duration::from_millis(20));
    store(&c, &d, 1000);
    assert!(c.best(&a).is_some());
    assert!(c.best(&b).is_none(), "b was the least recently used");
    assert!(c.best(&d).is_some());
}
