//! Unit tests for `beneath`.

use super::*;

fn root() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

#[test]
fn writes_reads_and_removes_inside_the_root() {
    let (_d, root) = root();
    write(&root, "a/b/c.txt", b"hello").unwrap();
    assert_eq!(read(&root, "a/b/c.txt").unwrap(), b"hello");
    write(&root, "a/b/c.txt", b"again").unwrap();
    assert_eq!(std::fs::read(root.join("a/b/c.txt")).unwrap(), b"again");
    remove(&root, "a/b/c.txt").unwrap();
    assert!(!root.join("a/b/c.txt").exists());
    remove(&root, "a/b/c.txt").unwrap();
    assert_eq!(
        read(&root, "missing").unwrap_err().kind(),
        io::ErrorKind::NotFound
    );
}

#[test]
fn removing_a_file_removes_the_folders_it_leaves_empty_and_no_others() {
    let (_d, root) = root();
    std::fs::create_dir_all(root.join("kept/other")).unwrap();
    std::fs::write(root.join("kept/other/x.txt"), "x").unwrap();
    write(&root, "kept/new/deeper/f.rs", b"f").unwrap();
    remove(&root, "kept/new/deeper/f.rs").unwrap();
    assert!(!root.join("kept/new").exists());
    assert!(root.join("kept/other/x.txt").exists());
    write(&root, "solo/f.rs", b"f").unwrap();
    write(&root, "solo/g.rs", b"g").unwrap();
    remove(&root, "solo/f.rs").unwrap();
    assert!(root.join("solo/g.rs").exists());
    remove(&root, "solo/g.rs").unwrap();
    assert!(!root.join("solo").exists());
    std::fs::create_dir(root.join("was_empty")).unwrap();
    remove(&root, "was_empty/missing.rs").unwrap();
    assert!(
        root.join("was_empty").is_dir(),
        "nothing removed, nothing pruned"
    );
    assert!(root.exists());
}

#[test]
fn pruning_never_follows_a_link_to_an_empty_folder_outside() {
    let (_d, root) = root();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(outside.path().join("empty")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("empty"), root.join("sub/link")).unwrap();
    remove(&root, "sub/link/f.rs").unwrap_err();
    assert!(outside.path().join("empty").is_dir());
    assert!(root.join("sub/link").is_symlink());
}

#[test]
fn a_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, root) = root();
    std::fs::write(root.join("run.sh"), "x").unwrap();
    std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o750)).unwrap();
    write(&root, "run.sh", b"y").unwrap();
    let mode = std::fs::metadata(root.join("run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
}

#[test]
fn a_symlinked_folder_is_never_followed() {
    let (_d, root) = root();
    let (_o, outside) = self::root();
    std::os::unix::fs::symlink(&outside, root.join("sub")).unwrap();
    let err = write(&root, "sub/x.txt", b"escape").unwrap_err();
    assert!(err.to_string().contains("symlink"), "{err}");
    assert!(!outside.join("x.txt").exists());
    assert!(read(&root, "sub/x.txt").is_err());
    assert!(remove(&root, "sub/x.txt").is_err());
}

#[test]
fn a_symlinked_file_is_not_written_through() {
    let (_d, root) = root();
    let (_o, outside) = self::root();
    std::fs::write(outside.join("target"), "keep").unwrap();
    std::os::unix::fs::symlink(outside.join("target"), root.join("f")).unwrap();
    assert!(write(&root, "f", b"escape").is_err());
    assert_eq!(std::fs::read(outside.join("target")).unwrap(), b"keep");
    assert!(read(&root, "f").is_err());
}

#[test]
fn a_fifo_is_refused_at_once() {
    let (_d, root) = root();
    let fifo = CString::new(root.join("pipe").as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let err = read(&root, "pipe").unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(read_regular(&root.join("pipe")).is_err());
    assert!(write(&root, "pipe", b"x").is_err());
}

#[test]
fn paths_that_leave_the_root_are_refused() {
    let (_d, root) = root();
    assert!(write(&root, "../x", b"x").is_err());
    assert!(write(&root, "/etc/x", b"x").is_err());
    assert!(read(&root, "").is_err());
}
