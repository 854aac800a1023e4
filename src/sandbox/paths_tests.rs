//! Unit tests for `paths`.

use super::*;

#[test]
fn refuses_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let root = Root::new(dir.path()).unwrap();
    assert!(root.resolve("../x").is_err());
    assert!(root.resolve("a/../../x").is_err());
    assert!(root.resolve("/etc/passwd").is_err());
    assert!(root.resolve(".git/config").is_err());
    assert!(root.resolve("sub/.git/hooks/pre-commit").is_err());
    assert!(root.resolve("a/../b.txt").is_ok());
}

#[cfg(unix)]
#[test]
fn refuses_symlink_out() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
    let root = Root::new(dir.path()).unwrap();
    assert!(matches!(
        root.resolve("link/new.txt"),
        Err(PathError::SymlinkEscape(_))
    ));
}
