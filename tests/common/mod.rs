//! Helpers shared by the integration tests: scratch copies of fixture repositories and a
//! command for the real binary with cria's state kept out of the user's home.

#![allow(dead_code)]

pub mod agent;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() == "target" || entry.file_name() == "__pycache__" {
                continue;
            }
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A scratch copy of `fixtures/tasks/<task>/repo`, and a state dir for cria.
pub struct Scratch {
    pub dir: tempfile::TempDir,
    pub state: tempfile::TempDir,
}

impl Scratch {
    pub fn task(task: &str) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture("tasks").join(task).join("repo"), dir.path());
        Scratch {
            dir,
            state: tempfile::tempdir().unwrap(),
        }
    }

    pub fn empty() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
            state: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// `cria` with its state in this scratch's state dir.
    pub fn cria(&self) -> Command {
        let mut cmd = Command::cargo_bin("cria").unwrap();
        cmd.env("CRIA_STATE_DIR", self.state.path())
            .env("CRIA_CACHE_DIR", self.state.path().join("cache"))
            .env_remove("CRIA_MODEL");
        cmd
    }

    /// `cria fix --json --script SCRIPT --repo REPO ISSUE` with `replies` as the model: the
    /// output and its events.
    pub fn fix_json(
        &self,
        issue: &str,
        replies: &[&str],
    ) -> (std::process::Output, Vec<serde_json::Value>) {
        self.fix_json_with(&[], issue, replies)
    }

    /// [`Scratch::fix_json`] with `extra` options (`--max-steps 4`).
    pub fn fix_json_with(
        &self,
        extra: &[&str],
        issue: &str,
        replies: &[&str],
    ) -> (std::process::Output, Vec<serde_json::Value>) {
        let script = self.script(replies);
        let out = self
            .cria()
            .args(["fix", "--json"])
            .args(extra)
            .arg("--script")
            .arg(&script)
            .arg("--repo")
            .arg(self.path())
            .arg(issue)
            .output()
            .unwrap();
        let ev = events(&out.stdout);
        (out, ev)
    }

    /// Write a script of model replies and return its path.
    pub fn script(&self, replies: &[&str]) -> PathBuf {
        let p = self.state.path().join("script.json");
        std::fs::write(&p, serde_json::to_string(replies).unwrap()).unwrap();
        p
    }
}

/// Parse JSONL events from stdout.
pub fn events(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad event line {l:?}: {e}")))
        .collect()
}

/// The GGUF file of a model tier, which `make test` fetches; missing is a failure, never a skip.
pub fn model(tier: &str) -> PathBuf {
    let (path, _) = cria::model::tiers::resolve(tier);
    assert!(
        path.exists(),
        "{} is missing: run `scripts/fetch-model {tier}` (make test does)",
        path.display()
    );
    path
}
