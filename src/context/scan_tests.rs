//! Unit tests for `scan`.

use super::*;

#[test]
fn skips_build_output_and_ignored_files() {
    let dir = tempfile::tempdir().unwrap();
    let w = |p: &str| {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    };
    w("src/lib.rs");
    w("target/debug/build.rs");
    w("pkg/__pycache__/a.pyc");
    w(".env");
    w("secret.key");
    w(".gitignore");
    std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
    std::fs::write(dir.path().join(".criaignore"), "*.key\n").unwrap();
    assert_eq!(
        list_files(dir.path()),
        [".criaignore", ".gitignore", "src/lib.rs"]
    );
}

#[test]
fn secrets_are_recognized_by_name_and_templates_are_not() {
    for name in [
        ".env",
        ".env.local",
        ".ENV.production",
        "server.pem",
        "id_ed25519",
        ".netrc",
    ] {
        assert!(is_secret(name), "{name}");
    }
    for name in [
        ".env.example",
        ".env.sample",
        "env.py",
        "keys.py",
        "README.md",
    ] {
        assert!(!is_secret(name), "{name}");
    }
}
