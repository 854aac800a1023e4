//! The repository map and packer on generated repositories: the right file ranked first in each
//! of eight languages for an issue that names a behaviour but not the file; the budget never
//! exceeded and mostly used; a small repository sent whole; a needle found in 1,500 files; the
//! tag cache reused; and `cria context --json` counting with the model's own tokenizer.

mod common;

use std::path::Path;

use cria::context::{index, pack, rank, scan};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn estimate(text: &str) -> usize {
    text.len().div_ceil(4)
}

/// The tag index, cached beside the repository (not in the user's state folder).
fn build(root: &Path) -> (index::TagIndex, index::IndexStats) {
    index::build_with_cache(root, &root.with_extension("tags.json"))
}

fn ranked(root: &Path, focus: &str) -> Vec<rank::Ranked> {
    let (tags, _) = build(root);
    rank::rank(root, &tags, &scan::list_files(root), focus)
}

/// Distractor files for a language: ordinary code with ordinary names.
fn distractors(root: &Path, ext: &str, make: impl Fn(&str) -> String) {
    for name in [
        "users", "orders", "report", "storage", "network", "settings",
    ] {
        write(root, &format!("src/{name}.{ext}"), &make(name));
    }
}

#[test]
fn the_file_behind_a_described_behaviour_ranks_first_in_eight_languages() {
    let issue = "Overdue invoices get the late penalty applied twice when the grace period ends";
    type Case = (&'static str, &'static str, &'static str, fn(&str) -> String);
    let cases: [Case; 8] = [
        ("py", "src/billing.py",
         "def apply_late_penalty(invoice, grace_period):\n    if invoice.overdue(grace_period):\n        invoice.total += penalty(invoice)\n        invoice.total += penalty(invoice)\n",
         |n| format!("def load_{n}(db):\n    return db.fetch('{n}')\n\ndef save_{n}(db, item):\n    db.store('{n}', item)\n")),
        ("js", "src/billing.js",
         "function applyLatePenalty(invoice, gracePeriod) {\n  if (invoice.overdue(gracePeriod)) { invoice.total += penalty(invoice); }\n}\n",
         |n| format!("function load_{n}(db) {{ return db.fetch('{n}'); }}\nfunction save_{n}(db, item) {{ db.store('{n}', item); }}\n")),
        ("ts", "src/billing.ts",
         "export function applyLatePenalty(invoice: Invoice, gracePeriod: number): void {\n  if (invoice.overdue(gracePeriod)) { invoice.total += penalty(invoice); }\n}\n",
         |n| format!("export function load_{n}(db: Db): Item {{ return db.fetch('{n}'); }}\n")),
        ("go", "src/billing.go",
         "package billing\n\nfunc ApplyLatePenalty(inv *Invoice, gracePeriod int) {\n\tif inv.Overdue(gracePeriod) {\n\t\tinv.Total += Penalty(inv)\n\t}\n}\n",
         |n| format!("package store\n\nfunc Load_{n}(db *DB) Item {{ return db.Fetch(\"{n}\") }}\n")),
        ("c", "src/billing.c",
         "void apply_late_penalty(struct invoice *inv, int grace_period) {\n    if (overdue(inv, grace_period)) inv->total += penalty(inv);\n}\n",
         |n| format!("int load_{n}(struct db *db) {{ return fetch(db, \"{n}\"); }}\n")),
        ("cpp", "src/billing.cpp",
         "class Billing {\npublic:\n  void applyLatePenalty(Invoice& inv, int gracePeriod);\n};\nvoid Billing::applyLatePenalty(Invoice& inv, int gracePeriod) { if (inv.overdue(gracePeriod)) inv.total += penalty(inv); }\n",
         |n| format!("class Store_{n} {{\npublic:\n  int load(Db& db);\n}};\n")),
        ("java", "src/Billing.java",
         "class Billing {\n  void applyLatePenalty(Invoice invoice, int gracePeriod) {\n    if (invoice.overdue(gracePeriod)) { invoice.total += penalty(invoice); }\n  }\n}\n",
         |n| format!("class Store_{n} {{\n  Item load(Db db) {{ return db.fetch(\"{n}\"); }}\n}}\n")),
        ("rs", "src/billing.rs",
         "pub fn apply_late_penalty(invoice: &mut Invoice, grace_period: u32) {\n    if invoice.overdue(grace_period) {\n        invoice.total += penalty(invoice);\n    }\n}\n",
         |n| format!("pub fn load_{n}(db: &Db) -> Item {{\n    db.fetch(\"{n}\")\n}}\n")),
    ];
    for (ext, target, code, make) in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        write(&root, target, code);
        distractors(&root, ext, make);
        let root = root.canonicalize().unwrap();
        let ranking = ranked(&root, issue);
        assert_eq!(ranking[0].path, target, "{ext}: {ranking:?}");
        let (tags, _) = build(&root);
        assert!(
            tags.files[target].tags.iter().any(|t| t.def),
            "{ext}: definitions found"
        );
    }
}

/// A repository of `n` Python modules that call each other, with a needle in one of them.
fn generated(root: &Path, n: usize, needle_at: Option<usize>) {
    for i in 0..n {
        let mut text = format!("\"\"\"Module {i} of the generated service.\"\"\"\n\n");
        for f in 0..6 {
            text.push_str(&format!(
                "def handler_{i}_{f}(request):\n    \"\"\"Handle step {f} of flow {i}.\"\"\"\n    value = handler_{}_{f}(request)\n    return value + {f}\n\n",
                (i + 1) % n
            ));
        }
        if needle_at == Some(i) {
            text.push_str("# The zebra launch code is 7781-AQUA; rotate it yearly.\nZEBRA_LAUNCH_CODE = \"7781-AQUA\"\n");
        }
        write(
            root,
            &format!("service/part{}/module_{i}.py", i % 40),
            &text,
        );
    }
}

#[test]
fn the_budget_is_never_exceeded_and_mostly_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    generated(&root, 200, None);
    let root = root.canonicalize().unwrap();
    let (tags, _) = build(&root);
    let files = scan::list_files(&root);
    let ranking = rank::rank(&root, &tags, &files, "handler_17_3 returns the wrong value");
    assert!(
        ranking[0].path.ends_with("module_17.py"),
        "{:?}",
        &ranking[..3]
    );
    for budget in [300, 1_000, 4_000, 12_000] {
        let packed = pack::pack(&root, &tags, &ranking, "flow 17", budget, &mut estimate);
        assert!(packed.tokens <= budget, "{} > {budget}", packed.tokens);
        assert_eq!(packed.tokens, estimate(&packed.text));
        assert!(
            packed.tokens * 10 >= budget * 8,
            "only {} of {budget} used",
            packed.tokens
        );
        assert!(packed.files.iter().any(|f| f.ends_with("module_17.py")));
    }
}

#[test]
fn a_repository_smaller_than_the_budget_goes_in_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    generated(&root, 4, None);
    write(&root, "AGENTS.md", "Run the tests with pytest.\n");
    let root = root.canonicalize().unwrap();
    let (tags, _) = build(&root);
    let files = scan::list_files(&root);
    let ranking = rank::rank(&root, &tags, &files, "anything");
    let packed = pack::pack(&root, &tags, &ranking, "anything", 50_000, &mut estimate);
    assert_eq!(packed.files.len(), files.len());
    assert!(packed.text.starts_with("# Project instructions"));
    for f in &files {
        assert!(packed.text.contains(f.as_str()), "{f}");
    }
}

#[test]
fn a_needle_in_fifteen_hundred_files_reaches_the_packed_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    generated(&root, 1_500, Some(1_234));
    let root = root.canonicalize().unwrap();
    let focus = "What is the zebra launch code, and where is it set?";
    let (tags, stats) = build(&root);
    assert_eq!(stats.parsed, 1_500);
    let files = scan::list_files(&root);
    let ranking = rank::rank(&root, &tags, &files, focus);
    assert!(
        ranking[0].path.ends_with("module_1234.py"),
        "{:?}",
        &ranking[..3]
    );
    let packed = pack::pack(&root, &tags, &ranking, focus, 2_000, &mut estimate);
    assert!(packed.text.contains("7781-AQUA"));
    // A second run reuses every file's tags; an edited file is parsed again.
    let (_, again) = build(&root);
    assert_eq!((again.parsed, again.reused), (0, 1_500));
    write(
        &root,
        "service/part0/module_0.py",
        "def changed():\n    pass\n",
    );
    let (_, after_edit) = build(&root);
    assert_eq!((after_edit.parsed, after_edit.reused), (1, 1_499));
}

#[cfg(feature = "llama")]
#[test]
fn cria_context_counts_with_the_models_own_tokenizer() {
    let model = common::model("test");
    let s = common::Scratch::task("py-cart-discount");
    let out = s
        .cria()
        .arg("--model")
        .arg(&model)
        .args(["context", "--json", "--budget", "600"])
        .arg("--repo")
        .arg(s.path())
        .arg("the discount percentage is subtracted as an amount")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tokenizer = cria::model::llama::Tokenizer::load(&model).unwrap();
    let shown = v["shown"].as_array().unwrap();
    let tokens: usize = shown
        .iter()
        .map(|f| tokenizer.count(f["content"].as_str().unwrap()))
        .sum();
    assert!(tokens <= 600 && tokens > 100, "{tokens}");
    assert!(
        shown.iter().any(|f| f["path"] == "shop/cart.py"),
        "{}",
        v["shown"]
    );
}

/// The one pipeline: `cria context` prints exactly the code that `cria fix` shows the model for
/// the same task (here before any test output ranks files: `--no-tests`).
#[test]
fn cria_context_prints_what_cria_fix_shows() {
    let s = common::Scratch::task("py-two-files");
    let issue = std::fs::read_to_string(common::fixture("tasks/py-two-files/ISSUE.md")).unwrap();
    let context = s
        .cria()
        .args(["context", "--json", "--script", "/dev/null", "--repo"])
        .arg(s.path())
        .arg(&issue)
        .output()
        .unwrap();
    assert!(
        context.status.success(),
        "{}",
        String::from_utf8_lossy(&context.stderr)
    );
    let selection: serde_json::Value = serde_json::from_slice(&context.stdout).unwrap();
    let script = s.script(&["No idea."]);
    let fix = s
        .cria()
        .args([
            "fix",
            "--json",
            "--no-tests",
            "--max-steps",
            "1",
            "--script",
        ])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg(&issue)
        .output()
        .unwrap();
    let shown = common::events(&fix.stdout)
        .into_iter()
        .find(|e| e["type"] == "context")
        .expect("fix reports what it showed");
    assert!(!selection["shown"].as_array().unwrap().is_empty());
    assert_eq!(selection["shown"], shown["shown"]);
    assert_eq!(selection["map"], shown["map"]);
    assert_eq!(selection["listed"], shown["listed"]);
}
