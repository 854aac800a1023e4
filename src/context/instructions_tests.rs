//! Unit tests for `instructions`.

use super::*;

#[test]
fn outermost_first_up_to_the_git_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("top");
    let sub = top.join("pkg");
    std::fs::create_dir_all(sub.join("x")).unwrap();
    std::fs::create_dir_all(top.join(".git")).unwrap();
    std::fs::write(dir.path().join("AGENTS.md"), "outside the repo").unwrap();
    std::fs::write(top.join("AGENTS.md"), "use tabs").unwrap();
    std::fs::write(sub.join("CONVENTIONS.md"), "no unwrap").unwrap();
    let text = project_instructions(&sub).unwrap();
    let tabs = text.find("use tabs").unwrap();
    let unwrap = text.find("no unwrap").unwrap();
    assert!(tabs < unwrap, "{text}");
    assert!(text.contains("From pkg/CONVENTIONS.md:"), "{text}");
    assert!(!text.contains("outside the repo"));
    assert!(project_instructions(&sub.join("x")).is_some());
    let lone = tempfile::tempdir().unwrap();
    assert!(project_instructions(lone.path()).is_none());
}
