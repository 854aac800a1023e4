//! The commit path under faults: a multi-file apply interrupted between writes leaves the tree
//! entirely old (rolled back at once, or by the journal on the next run after a crash); undo is
//! byte-exact and refuses when a file changed since; a second writer waits for the first.

use std::path::Path;

use cria::edit::commit::{commit_with, recover, undo_last};
use cria::edit::{apply_text, Mode};
use cria::sandbox::paths::Root;

fn setup() -> (tempfile::TempDir, tempfile::TempDir) {
    let repo = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    // The state dir is process-wide; every test in this file uses its own.
    std::env::set_var("CRIA_STATE_DIR", state.path());
    for (name, text) in [
        ("a.txt", "alpha\n"),
        ("b.txt", "beta\n"),
        ("c.txt", "gamma\n"),
    ] {
        std::fs::write(repo.path().join(name), text).unwrap();
    }
    (repo, state)
}

fn three_file_plan(root: &Root) -> cria::edit::Plan {
    let text = "a.txt\n<<<<<<< SEARCH\nalpha\n=======\nALPHA\n>>>>>>> REPLACE\nb.txt\n<<<<<<< SEARCH\nbeta\n=======\nBETA\n>>>>>>> REPLACE\nc.txt\n<<<<<<< SEARCH\ngamma\n=======\nGAMMA\n>>>>>>> REPLACE\nnew/deep/new.txt\n<<<<<<< SEARCH\n=======\nnew\n>>>>>>> REPLACE\n";
    let edits = cria::edit::parse_edits(text).unwrap();
    cria::edit::plan::plan(root, &edits).unwrap()
}

fn contents(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

// One test function so the process-wide state dir variable is never shared between threads.
#[test]
fn faults_crashes_and_undo() {
    let (repo, _state) = setup();
    let root = Root::new(repo.path()).unwrap();
    let before = contents(repo.path());

    // 1. A write fails after two files are already replaced: everything is restored at once.
    let plan = three_file_plan(&root);
    let err = commit_with(root.path(), &plan, true, |i| {
        if i == 2 {
            Err(std::io::Error::other("disk full"))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(contents(repo.path()), before, "failed commit rolled back");
    assert!(
        !repo.path().join("new").exists(),
        "its new folders went too"
    );

    // 2. The process dies between writes (a panic unwinds past the commit, leaving the
    //    journal): the next run's recovery puts the old tree back.
    let plan = three_file_plan(&root);
    let crashed = std::panic::catch_unwind(|| {
        let _ = commit_with(root.path(), &plan, true, |i| {
            if i == 2 {
                panic!("killed");
            }
            Ok(())
        });
    });
    assert!(crashed.is_err());
    assert_ne!(
        contents(repo.path()),
        before,
        "the crash left a half-written tree"
    );
    assert!(
        recover(root.path()).unwrap().is_some(),
        "a journal was left behind"
    );
    assert_eq!(
        contents(repo.path()),
        before,
        "recovery restored every file"
    );
    assert!(
        !repo.path().join("new").exists(),
        "and removed the new folders"
    );
    assert!(
        recover(root.path()).unwrap().is_none(),
        "the journal is gone after recovery"
    );

    // 3. A full commit, then undo: byte-exact, the created file and its new folders removed.
    let plan = three_file_plan(&root);
    commit_with(root.path(), &plan, true, |_| Ok(())).unwrap();
    assert_eq!(
        std::fs::read_to_string(repo.path().join("new/deep/new.txt")).unwrap(),
        "new\n"
    );
    let restored = undo_last(root.path()).unwrap();
    assert_eq!(restored.len(), 4);
    assert_eq!(contents(repo.path()), before);
    assert!(
        !repo.path().join("new").exists(),
        "undo leaves no empty folder behind"
    );

    // 4. Undo refuses when a file changed after cria wrote it, and writes nothing.
    let report = apply_text(
        &root,
        "a.txt\n<<<<<<< SEARCH\nalpha\n=======\nA\n>>>>>>> REPLACE\n",
        Mode::Commit,
    );
    assert!(report.applied());
    std::fs::write(repo.path().join("a.txt"), "edited by hand\n").unwrap();
    let err = undo_last(root.path()).unwrap_err();
    assert!(err.to_string().contains("a.txt changed since"), "{err}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("a.txt")).unwrap(),
        "edited by hand\n"
    );

    // 5. A hard-linked file is refused (editing it would change another path too).
    std::fs::hard_link(repo.path().join("b.txt"), repo.path().join("b-link.txt")).unwrap();
    let report = apply_text(
        &root,
        "b.txt\n<<<<<<< SEARCH\nbeta\n=======\nB\n>>>>>>> REPLACE\n",
        Mode::Commit,
    );
    assert!(!report.applied());
    assert!(
        report.failures[0].contains("hard link"),
        "{:?}",
        report.failures
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("b.txt")).unwrap(),
        "beta\n"
    );

    // 6. One writer at a time: while another cria holds the repository's lock, a commit waits
    //    (and cannot roll the other's change back half-way); it goes through once released.
    std::fs::remove_file(repo.path().join("b-link.txt")).unwrap();
    std::fs::write(repo.path().join("a.txt"), "alpha\n").unwrap();
    let lock = cria::edit::commit::WriterLock::acquire(root.path()).unwrap();
    let writer = {
        let root = root.clone();
        let plan = three_file_plan(&root);
        std::thread::spawn(move || commit_with(root.path(), &plan, false, |_| Ok(())))
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !writer.is_finished(),
        "the commit did not wait for the lock"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("c.txt")).unwrap(),
        "gamma\n"
    );
    drop(lock);
    writer.join().unwrap().unwrap();
    assert_eq!(
        std::fs::read_to_string(repo.path().join("c.txt")).unwrap(),
        "GAMMA\n"
    );
}
