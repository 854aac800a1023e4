//! Every edit scenario in `fixtures/edits/NNN_name/`: `input/` is copied to a scratch folder,
//! `response.txt` is piped to `cria apply`, and then either the folder equals `expected/` (exit 0)
//! or, when the scenario has an `error` file, apply exits 1 with that text on stderr and the
//! folder still equals `input/` (nothing written).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

fn tree(root: &Path) -> BTreeMap<String, (Vec<u8>, bool)> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, bool)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let ft = entry.file_type().unwrap();
            if ft.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, (target.to_string_lossy().as_bytes().to_vec(), false));
            } else if ft.is_dir() {
                walk(root, &path, out);
            } else {
                use std::os::unix::fs::PermissionsExt;
                let exec = entry.metadata().unwrap().permissions().mode() & 0o111 != 0;
                out.insert(rel, (std::fs::read(&path).unwrap(), exec));
            }
        }
    }
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, _) in tree(from) {
        let src = from.join(&rel);
        let dst = to.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        let meta = std::fs::symlink_metadata(&src).unwrap();
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn show(t: &BTreeMap<String, (Vec<u8>, bool)>) -> String {
    t.iter()
        .map(|(k, (v, x))| {
            format!(
                "== {k}{}\n{}",
                if *x { " (exec)" } else { "" },
                String::from_utf8_lossy(v)
            )
        })
        .collect()
}

#[test]
fn every_edit_scenario() {
    let dir = common::fixture("edits");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 60, "only {} scenarios", names.len());
    let mut failures = Vec::new();
    for scenario in &names {
        let name = scenario.file_name().unwrap().to_string_lossy().into_owned();
        let s = common::Scratch::empty();
        let input = scenario.join("input");
        copy_tree(&input, s.path());
        let response = std::fs::read(scenario.join("response.txt")).unwrap();
        let out = s
            .cria()
            .arg("apply")
            .arg("--repo")
            .arg(s.path())
            .write_stdin(response)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let got = tree(s.path());
        if let Ok(error) = std::fs::read_to_string(scenario.join("error")) {
            if out.status.code() != Some(1) {
                failures.push(format!(
                    "{name}: expected exit 1, got {:?}; stderr: {stderr}",
                    out.status.code()
                ));
            } else if !stderr.contains(error.trim()) {
                failures.push(format!(
                    "{name}: stderr lacks {:?}:\n{stderr}",
                    error.trim()
                ));
            } else if got != tree(&input) {
                failures.push(format!(
                    "{name}: a refused apply changed files:\n{}",
                    show(&got)
                ));
            }
        } else {
            let expected = tree(&scenario.join("expected"));
            if out.status.code() != Some(0) {
                failures.push(format!(
                    "{name}: expected exit 0, got {:?}; stderr: {stderr}",
                    out.status.code()
                ));
            } else if got != expected {
                failures.push(format!(
                    "{name}: result differs.\n-- got:\n{}-- expected:\n{}",
                    show(&got),
                    show(&expected)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}
