//! `cria batch` and `cria eval` on the real binary with the scripted backend: isolation, resume,
//! shards, valid patches, --apply with undo; eval's counting and its second try.

mod common;

use std::path::Path;

use common::{copy_dir, fixture, Scratch};

const CART_FIX: &str = "The discount is subtracted as an amount.\nshop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n```\n";
const USELESS: &str = "shop/cart.py\n<<<<<<< SEARCH\n        subtotal = self.subtotal()\n=======\n        subtotal = self.subtotal() + 0\n>>>>>>> REPLACE\n";

fn results(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("results.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Two source repositories and a tasks file naming them plus a broken entry.
fn batch_setup(s: &Scratch) -> std::path::PathBuf {
    let cart = s.path().join("src-cart");
    let conf = s.path().join("src-config");
    copy_dir(&fixture("tasks/py-cart-discount/repo"), &cart);
    copy_dir(&fixture("tasks/py-config-empty/repo"), &conf);
    let lines = [
        serde_json::json!({"id": "cart", "repo": cart, "issue": "10% discount gives 190 instead of 180"}),
        serde_json::json!({"id": "config", "repo": conf, "issue": "parse_config crashes on empty input", "test_cmd": "python3 -m unittest"}),
        serde_json::json!({"id": "missing", "repo": s.path().join("nope"), "issue": "x"}),
    ];
    let tasks = s.path().join("tasks.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect::<String>() + "{not json}\n";
    std::fs::write(&tasks, text).unwrap();
    tasks
}

#[test]
fn batch_isolates_resumes_shards_and_writes_valid_patches() {
    let s = Scratch::empty();
    let tasks = batch_setup(&s);
    let script = s.script(&[CART_FIX, "I cannot fix this."]);
    let out = s.path().join("out");
    let cart_before = std::fs::read_to_string(s.path().join("src-cart/shop/cart.py")).unwrap();

    let run = |out: &Path, extra: &[&str]| {
        s.cria()
            .arg("batch")
            .arg(&tasks)
            .arg("--out")
            .arg(out)
            .args(extra)
            .arg("--script")
            .arg(&script)
            .arg("--max-steps")
            .arg("2")
            .output()
            .unwrap()
    };
    let o = run(&out, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = results(&out);
    let status: Vec<(&str, &str)> = r
        .iter()
        .map(|v| (v["id"].as_str().unwrap(), v["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("cart", "fixed"),
            ("config", "not_fixed"),
            ("missing", "error"),
            ("line-4", "error")
        ]
    );
    assert!(r[2]["reason"]
        .as_str()
        .unwrap()
        .contains("is not a directory"));
    assert_eq!(r[0]["tests_before"], false);
    assert_eq!(r[0]["tests_after"], true);
    assert_eq!(r[0]["files_changed"][0], "shop/cart.py");
    // Isolation: the source repository is untouched.
    assert_eq!(
        std::fs::read_to_string(s.path().join("src-cart/shop/cart.py")).unwrap(),
        cart_before
    );
    // The patch applies with git to a fresh copy and fixes it.
    let fresh = s.path().join("fresh");
    copy_dir(&s.path().join("src-cart"), &fresh);
    let git = std::process::Command::new("git")
        .arg("apply")
        .arg(out.join("cart.patch"))
        .current_dir(&fresh)
        .status()
        .unwrap();
    assert!(git.success(), "git apply accepts the patch");
    let check = std::process::Command::new("sh")
        .arg(fixture("tasks/py-cart-discount/check.sh"))
        .current_dir(&fresh)
        .status()
        .unwrap();
    assert!(check.success(), "the patched copy passes its check");
    // Resume: nothing left to do, nothing appended.
    let o = run(&out, &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 task(s) to run"));
    assert_eq!(results(&out).len(), 4);
    // Shards: 1/2 takes the second and fourth lines only.
    let shard = s.path().join("shard");
    run(&shard, &["--shard", "1/2"]);
    let ids: Vec<String> = results(&shard)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["config", "line-4"]);
    let o = run(&s.path().join("bad"), &["--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn batch_apply_changes_the_source_and_undo_reverts_it() {
    let s = Scratch::empty();
    let src = s.path().join("src-cart");
    copy_dir(&fixture("tasks/py-cart-discount/repo"), &src);
    let before = std::fs::read_to_string(src.join("shop/cart.py")).unwrap();
    let tasks = s.path().join("tasks.jsonl");
    std::fs::write(
        &tasks,
        format!(
            "{}\n",
            serde_json::json!({"id": "cart", "repo": src, "issue": "discount"})
        ),
    )
    .unwrap();
    let script = s.script(&[CART_FIX]);
    let o = s
        .cria()
        .arg("batch")
        .arg(&tasks)
        .arg("--out")
        .arg(s.path().join("out"))
        .arg("--apply")
        .arg("--script")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(results(&s.path().join("out"))[0]["applied_to_source"], true);
    assert!(std::fs::read_to_string(src.join("shop/cart.py"))
        .unwrap()
        .contains("(1 - self.discount_percent / 100)"));
    s.cria()
        .arg("undo")
        .arg("--repo")
        .arg(&src)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(src.join("shop/cart.py")).unwrap(),
        before
    );
}

#[test]
fn eval_counts_tries_and_never_touches_the_task_repo() {
    let s = Scratch::empty();
    let tasks = s.path().join("tasks");
    copy_dir(&fixture("tasks/py-cart-discount"), &tasks.join("cart"));
    copy_dir(&fixture("tasks/py-config-empty"), &tasks.join("config"));
    let before = std::fs::read_to_string(tasks.join("cart/repo/shop/cart.py")).unwrap();
    // Per task: try 1 makes a useless edit (one step), try 2 fixes the cart. The config task
    // never gets a usable edit.
    let script = s.script(&[USELESS, CART_FIX]);
    // A relative task folder (check.sh must still be found from inside the scratch copy).
    let o = s
        .cria()
        .current_dir(s.path())
        .arg("eval")
        .arg("tasks")
        .args(["--json", "--max-steps", "1", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["task"], "cart");
    assert_eq!(lines[0]["solved_on_try"], 2);
    assert_eq!(lines[0]["edits_applied"], 2);
    assert_eq!(lines[1]["task"], "config");
    assert_eq!(lines[1]["solved"], false);
    assert_eq!(lines[1]["tries"], 2);
    assert!(lines[1]["edits_refused"].as_u64().unwrap() >= 1);
    let summary = &lines[2];
    assert_eq!(summary["tasks"], 2);
    assert_eq!(summary["solved"], 1);
    assert_eq!(summary["solved_try1"], 0);
    assert_eq!(summary["solved_try2"], 1);
    assert_eq!(
        std::fs::read_to_string(tasks.join("cart/repo/shop/cart.py")).unwrap(),
        before
    );
}

/// `cria eval --json` on `tasks`, one try of one step, every task answered with the cart fix:
/// its JSON lines and its stderr.
fn eval_cart_fix(s: &Scratch, tasks: &Path) -> (Vec<serde_json::Value>, String) {
    let script = s.script(&[CART_FIX]);
    let o = s
        .cria()
        .arg("eval")
        .arg(tasks)
        .args(["--json", "--tries", "1", "--max-steps", "1", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    (
        common::events(&o.stdout),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A check written for bash runs by its `#!` line (under sh it would fail on `[[`), and a task
/// that cria calls fixed while its check fails is counted as a false "fixed".
#[test]
fn eval_runs_checks_by_their_shebang_and_counts_false_fixed_claims() {
    let s = Scratch::empty();
    let tasks = s.path().join("tasks");
    copy_dir(&fixture("tasks/py-cart-discount"), &tasks.join("bash"));
    copy_dir(&fixture("tasks/py-cart-discount"), &tasks.join("strict"));
    let bash_check = "#!/bin/bash\nhere=\"$(dirname \"${BASH_SOURCE[0]}\")\"\n[[ -d \"$here/repo\" ]] || exit 3\ncd \"${1:-.}\" && python3 -m unittest -q 2>&1\n";
    let bash = tasks.join("bash/check.sh");
    std::fs::write(&bash, bash_check).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bash, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A check that disagrees with the visible tests (as hidden tests can).
    std::fs::write(tasks.join("strict/check.sh"), "exit 1\n").unwrap();
    let (lines, stderr) = eval_cart_fix(&s, &tasks);
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(lines[0]["task"], "bash");
    assert_eq!(lines[0]["solved"], true, "{}", lines[0]);
    assert_eq!(lines[0]["outcome"], "fixed");
    assert_eq!(lines[0]["stop"]["kind"], "tests_pass", "{}", lines[0]);
    assert_eq!(lines[1]["task"], "strict");
    assert_eq!(lines[1]["solved"], false);
    assert_eq!(lines[1]["false_fixed"], true);
    assert_eq!(lines[2]["false_fixed"], 1);
    assert_eq!(lines[2]["unverified"], 0);
}

/// A task folder that is a link to one outside the folder eval is given keeps its own name and
/// has its check run where the link points (the sandbox grants the real folder, not the link).
#[test]
fn eval_runs_the_check_of_a_task_folder_that_is_a_link() {
    let s = Scratch::empty();
    let tasks = s.path().join("tasks");
    std::fs::create_dir_all(&tasks).unwrap();
    let elsewhere = s.path().join("elsewhere/py-cart-discount");
    copy_dir(&fixture("tasks/py-cart-discount"), &elsewhere);
    std::os::unix::fs::symlink(&elsewhere, tasks.join("cart")).unwrap();
    let (lines, stderr) = eval_cart_fix(&s, &tasks);
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0]["task"], "cart");
    assert_eq!(lines[0]["solved"], true, "{}", lines[0]);
    assert_eq!(lines[0]["false_fixed"], false, "{}", lines[0]);
}

/// When the rewrite stage runs on a task with a reference fix, eval reports where it ranked a
/// definition the reference changes.
#[test]
fn eval_reports_the_rank_of_the_definition_the_reference_fix_changes() {
    let s = Scratch::empty();
    let tasks = s.path().join("tasks");
    copy_dir(&fixture("tasks/py-cart-discount"), &tasks.join("cart"));
    let reference = "--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -34,3 +34,3 @@\n     def total(self) -> float:\n         subtotal = self.subtotal()\n-        return round(subtotal - self.discount_percent, 2)\n+        return round(subtotal * (1 - self.discount_percent / 100), 2)\n";
    std::fs::write(tasks.join("cart/reference.patch"), reference).unwrap();
    let rewrite = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), 2)\n```";
    let examples = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten_percent(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0, 1)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";
    let script = s.script(&["The cause is in the total.", rewrite, examples]);
    let o = s
        .cria()
        .arg("eval")
        .arg(&tasks)
        .args(["--json", "--tries", "1", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    let lines = common::events(&o.stdout);
    assert_eq!(lines.len(), 2, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(lines[0]["solved"], true, "{}", lines[0]);
    assert_eq!(lines[0]["definition_judged"], true, "{}", lines[0]);
    assert_eq!(lines[0]["definition_rank"], 1, "{}", lines[0]);
    assert_eq!(lines[1]["definition_tasks"], 1);
    assert_eq!(lines[1]["definition_first"], 1);
}

/// A line of invalid UTF-8 fails that line alone, and a repeated id is refused (its patch would
/// overwrite the first one's).
#[test]
fn batch_fails_a_bad_line_alone_and_refuses_duplicate_ids() {
    let s = Scratch::empty();
    let cart = s.path().join("src-cart");
    copy_dir(&fixture("tasks/py-cart-discount/repo"), &cart);
    let task = serde_json::json!({"id": "cart", "repo": cart, "issue": "10% discount gives 190 instead of 180"});
    let mut bytes = format!("{task}\n").into_bytes();
    bytes.extend_from_slice(b"{\"id\": \"bad\xff\"}\n");
    bytes.extend_from_slice(format!("{task}\n").as_bytes());
    let tasks = s.path().join("tasks.jsonl");
    std::fs::write(&tasks, bytes).unwrap();
    let script = s.script(&[CART_FIX]);
    let out = s.path().join("out");
    let o = s
        .cria()
        .arg("batch")
        .arg(&tasks)
        .arg("--out")
        .arg(&out)
        .args(["--max-steps", "1", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = results(&out);
    let status: Vec<(&str, &str)> = r
        .iter()
        .map(|v| (v["id"].as_str().unwrap(), v["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [("cart", "fixed"), ("line-2", "error"), ("line-3", "error")]
    );
    assert!(
        r[1]["reason"].as_str().unwrap().contains("not UTF-8"),
        "{}",
        r[1]
    );
    assert!(
        r[2]["reason"]
            .as_str()
            .unwrap()
            .contains("duplicate id `cart`"),
        "{}",
        r[2]
    );
}

#[test]
fn batch_branch_per_task_writes_a_branch_and_leaves_the_checkout_alone() {
    let s = Scratch::empty();
    let src = s.path().join("src-cart");
    copy_dir(&fixture("tasks/py-cart-discount/repo"), &src);
    let git = |args: &str| {
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("git {args}")])
            .current_dir(&src)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git("init -q -b main");
    git("-c user.email=t@example.com -c user.name=T add .");
    git("-c user.email=t@example.com -c user.name=T commit -qm init");
    let before = std::fs::read_to_string(src.join("shop/cart.py")).unwrap();
    let tasks = s.path().join("tasks.jsonl");
    let task = serde_json::json!({"id": "cart 1", "repo": src, "issue": "10% discount gives 190 instead of 180"});
    std::fs::write(&tasks, format!("{task}\n")).unwrap();
    let script = s.script(&[CART_FIX]);
    let o = s
        .cria()
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .args(["batch", "--branch-per-task", "--script"])
        .arg(&script)
        .arg(&tasks)
        .arg("--out")
        .arg(s.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let result = &results(&s.path().join("out"))[0];
    assert_eq!(result["branch"], "cria/cart_1", "{result}");
    assert_eq!(
        std::fs::read_to_string(src.join("shop/cart.py")).unwrap(),
        before
    );
    assert_eq!(git("rev-parse --abbrev-ref HEAD").trim(), "main");
    assert_eq!(git("status --porcelain"), "");
    assert!(git("show cria/cart_1:shop/cart.py").contains("(1 - self.discount_percent / 100)"));
    assert!(git("log -1 --format=%s cria/cart_1").starts_with("fix: "));
    assert!(
        s.path().join("out/cart_1.patch").exists(),
        "the patch as well"
    );
}
