//! `cria fix --commit` end to end (the binary, a scripted model, a real git repository): a
//! verified fix is committed alone; a run that is not fixed commits nothing.

mod common;

use std::process::Command;

use common::Scratch;

const FIX: &str = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";
const EXAMPLES: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten_percent(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0, 1)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";
const ISSUE: &str =
    "Applying a 10% discount to a cart worth 200.00 gives 190.00 instead of 180.00.";

fn sh(s: &Scratch, script: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(s.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> Scratch {
    let s = Scratch::task("py-cart-discount");
    sh(
        &s,
        "git init -q -b main && git config user.email t@example.com && git config user.name T \
         && git add . && git commit -qm init && echo 'notes' > NOTES.txt",
    );
    s
}

#[test]
fn a_verified_fix_is_committed_alone_on_the_branch_asked_for() {
    let s = repo();
    let script = s.script(&["The cause is the discount.", FIX, EXAMPLES]);
    let out = s
        .cria()
        .arg("--script")
        .arg(&script)
        .args(["fix", "--branch", "cria/discount", "--repo"])
        .arg(s.path())
        .arg(ISSUE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("committed ") && stderr.contains("on cria/discount"),
        "{stderr}"
    );
    let head = sh(&s, "git show --stat --format='%s%n%b' HEAD");
    assert!(head.starts_with("fix: applying a 10% discount"), "{head}");
    assert!(head.contains("shop/cart.py"), "{head}");
    assert!(!head.contains("NOTES.txt"), "{head}");
    assert!(sh(&s, "git status --porcelain").contains("?? NOTES.txt"));
}

#[test]
fn a_run_that_is_not_fixed_commits_nothing() {
    let s = repo();
    let script = s.script(&["I do not know."]);
    let out = s
        .cria()
        .arg("--script")
        .arg(&script)
        .args(["fix", "--commit", "--max-steps", "1", "--repo"])
        .arg(s.path())
        .arg(ISSUE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("nothing committed: the outcome is not fixed"),
        "{stderr}"
    );
    assert_eq!(sh(&s, "git rev-list --count HEAD").trim(), "1");
}

#[test]
fn commit_outside_a_repository_is_refused_before_the_model_runs() {
    let s = Scratch::task("py-cart-discount");
    let script = s.script(&[]);
    let out = s
        .cria()
        .arg("--script")
        .arg(&script)
        .args(["fix", "--commit", "--repo"])
        .arg(s.path())
        .arg(ISSUE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
}
