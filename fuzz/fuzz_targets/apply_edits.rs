//! Planning arbitrary edits against a small tree never panics and never plans a file outside it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    std::fs::write(dir.path().join("src/a.py"), "def f(x):\n    return x\n\n\ndef g():\n    pass\n").expect("write");
    std::fs::write(dir.path().join("b.txt"), "one\r\ntwo\r\n").expect("write");
    let root = cria::sandbox::paths::Root::new(dir.path()).expect("root");
    if let Ok(edits) = cria::edit::parse_edits(text) {
        if let Ok(plan) = cria::edit::plan::plan(&root, &edits) {
            for c in &plan.changes {
                assert!(c.abs.starts_with(root.path()), "{} escapes", c.abs.display());
            }
        }
    }
});
