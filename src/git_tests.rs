use super::*;

fn sh(dir: &Path, script: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with two committed files.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    sh(
        d.path(),
        "git init -q -b main && git config user.email t@example.com && git config user.name T \
         && mkdir -p src && echo one > src/a.py && echo two > b.py && git add . \
         && git commit -qm init",
    );
    d
}

#[test]
fn only_crias_files_are_committed_and_the_users_other_changes_stay() {
    let d = repo();
    sh(
        d.path(),
        "echo mine >> b.py && echo staged > c.txt && git add c.txt",
    );
    let before = dirty_files(d.path()).unwrap();
    assert_eq!(
        before,
        BTreeSet::from(["b.py".to_string(), "c.txt".to_string()])
    );
    // cria's run changes src/a.py and adds a test.
    sh(
        d.path(),
        "echo fixed > src/a.py && echo 'def test(): pass' > test_a.py",
    );
    let files = vec!["src/a.py".to_string(), "test_a.py".to_string()];
    let (subject, body) = message(
        "The parser crashes on empty input.\n\nSteps: …",
        &files,
        "the tests pass",
        "qwen",
    );
    let done = commit(d.path(), &files, &before, (&subject, &body), None).unwrap();
    assert_eq!(done.branch, "main");
    assert_eq!(done.subject, "fix: the parser crashes on empty input");
    let shown = sh(d.path(), "git show --stat --format=%B HEAD");
    assert!(
        shown.contains("src/a.py") && shown.contains("test_a.py"),
        "{shown}"
    );
    assert!(
        !shown.contains("b.py |") && !shown.contains("c.txt"),
        "{shown}"
    );
    assert!(shown.contains("Generated-by: cria (qwen)"), "{shown}");
    let status = sh(d.path(), "git status --porcelain");
    assert!(
        status.contains(" M b.py") && status.contains("A  c.txt"),
        "{status}"
    );
}

#[test]
fn a_file_the_user_had_changed_is_not_committed() {
    let d = repo();
    sh(d.path(), "echo mine >> src/a.py");
    let before = dirty_files(d.path()).unwrap();
    sh(d.path(), "echo fixed >> src/a.py");
    let files = vec!["src/a.py".to_string()];
    let err = commit(d.path(), &files, &before, ("fix: x", ""), None).unwrap_err();
    assert!(
        matches!(&err, GitError::DirtyBefore(f) if f == &files),
        "{err}"
    );
    assert_eq!(sh(d.path(), "git rev-list --count HEAD").trim(), "1");
}

#[test]
fn a_new_branch_holds_the_commit_and_a_subfolder_repository_works() {
    let d = repo();
    let before = dirty_files(d.path()).unwrap();
    sh(d.path(), "echo fixed > src/a.py");
    // cria ran with --repo src: its paths are relative to that folder.
    let files = vec!["a.py".to_string()];
    let done = commit(
        &d.path().join("src"),
        &files,
        &before,
        ("fix: y", "body"),
        Some("cria/fix-y"),
    )
    .unwrap();
    assert_eq!(done.branch, "cria/fix-y");
    assert!(sh(d.path(), "git show --stat HEAD").contains("src/a.py"));
    assert_eq!(
        sh(d.path(), "git rev-list --count main").trim(),
        "1",
        "main is untouched"
    );
}

#[test]
fn outside_a_repository_nothing_happens() {
    let d = tempfile::tempdir().unwrap();
    assert!(matches!(
        dirty_files(d.path()),
        Err(GitError::NotARepository(_))
    ));
}

#[test]
fn subjects_are_short_conventional_and_keep_names() {
    let files = vec!["a".to_string()];
    let (s, _) = message("# HTTP client retries forever when the server closes the connection early during a long upload", &files, "", "m");
    assert!(s.starts_with("fix: HTTP client retries forever"), "{s}");
    assert!(s.ends_with('…') && s.chars().count() <= 70, "{s}");
}

#[test]
fn a_branch_is_written_without_touching_the_work_tree_index_or_head() {
    let d = repo();
    sh(
        d.path(),
        "echo mine >> b.py && echo staged > c.txt && git add c.txt",
    );
    let status_before = sh(d.path(), "git status --porcelain && git rev-parse HEAD");
    // The fixed copy: src/a.py changed, a test added, an executable script.
    let work = tempfile::tempdir().unwrap();
    sh(
        work.path(),
        "mkdir -p src && echo fixed > src/a.py && echo 'def test(): pass' > test_a.py \
         && printf '#!/bin/sh\\n' > run.sh && chmod +x run.sh",
    );
    let files = vec!["src/a.py".into(), "test_a.py".into(), "run.sh".into()];
    let commit = branch_from(
        d.path(),
        "cria/bug-17",
        work.path(),
        &files,
        ("fix: the parser", "body"),
    )
    .unwrap();
    assert_eq!(
        sh(d.path(), "git status --porcelain && git rev-parse HEAD"),
        status_before,
        "work tree, index and HEAD as they were"
    );
    assert_eq!(
        sh(d.path(), "git rev-parse --abbrev-ref HEAD").trim(),
        "main"
    );
    let shown = sh(d.path(), "git show --stat --format=%s cria/bug-17");
    assert!(shown.starts_with("fix: the parser"), "{shown}");
    assert!(sh(d.path(), "git rev-parse cria/bug-17").starts_with(&commit));
    assert_eq!(sh(d.path(), "git show cria/bug-17:src/a.py"), "fixed\n");
    assert_eq!(
        sh(d.path(), "git show cria/bug-17:b.py"),
        "two\n",
        "not the user's edit"
    );
    let tree = sh(d.path(), "git ls-tree -r cria/bug-17");
    assert!(
        tree.contains("100755 blob") && tree.contains("run.sh"),
        "{tree}"
    );
    assert!(!tree.contains("c.txt"), "not the user's staged file");

    // The same name again is refused; so is a file the user had changed.
    let again = branch_from(d.path(), "cria/bug-17", work.path(), &files, ("s", "b"));
    assert!(again.unwrap_err().to_string().contains("exists already"));
    sh(work.path(), "echo fixed > b.py");
    let dirty = branch_from(
        d.path(),
        "cria/other",
        work.path(),
        &["b.py".into()],
        ("s", "b"),
    );
    assert!(matches!(dirty, Err(GitError::DirtyBefore(_))));
    let bad = branch_from(d.path(), "bad..name", work.path(), &files, ("s", "b"));
    assert!(bad.is_err());
}

#[test]
fn a_deleted_file_is_removed_on_the_branch() {
    let d = repo();
    let work = tempfile::tempdir().unwrap();
    branch_from(
        d.path(),
        "cria/rm",
        work.path(),
        &["b.py".into()],
        ("s", "b"),
    )
    .unwrap();
    let tree = sh(d.path(), "git ls-tree -r --name-only cria/rm");
    assert_eq!(tree, "src/a.py\n");
    assert!(d.path().join("b.py").exists());
}
