//! `cria apply` and `cria undo`.

use std::io::Read;
use std::path::Path;

use crate::edit::{self, Mode};
use crate::exit::ExitCode;
use crate::sandbox::paths::Root;

pub fn apply(repo: &Path, dry_run: bool, show_diff: bool) -> ExitCode {
    let root = match Root::new(repo) {
        Ok(r) if r.path().is_dir() => r,
        _ => {
            eprintln!("cria: {} is not a directory", repo.display());
            return ExitCode::Usage;
        }
    };
    edit::commit::recover_and_report(root.path());
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("cria: reading stdin: {e}");
        return ExitCode::Usage;
    }
    let report = edit::apply_text(
        &root,
        &text,
        if dry_run { Mode::DryRun } else { Mode::Commit },
    );
    if report.blocks == 0 {
        eprintln!("cria: no edit blocks found on stdin");
        return ExitCode::NotFixed;
    }
    if !report.failures.is_empty() {
        eprintln!(
            "cria: nothing was written; {} of the edits cannot be applied:",
            report.failures.len()
        );
        for f in &report.failures {
            eprintln!("  {f}");
        }
        return ExitCode::NotFixed;
    }
    let verb = if dry_run { "would change" } else { "changed" };
    for c in &report.changes {
        println!("{verb} {}", c.rel);
    }
    for n in &report.notes {
        println!("note: {n}");
    }
    if report.changes.is_empty() {
        println!(
            "all {} edit(s) already applied; nothing to change",
            report.blocks
        );
    }
    if show_diff {
        print!("{}", report.diff());
    }
    ExitCode::Fixed
}

pub fn undo(repo: &Path) -> ExitCode {
    let Ok(root) = Root::new(repo) else {
        eprintln!("cria: {} is not a directory", repo.display());
        return ExitCode::Usage;
    };
    match edit::undo(root.path()) {
        Ok(files) => {
            for f in files {
                println!("restored {f}");
            }
            ExitCode::Fixed
        }
        Err(e) => {
            eprintln!("cria: {e}");
            ExitCode::NotFixed
        }
    }
}
