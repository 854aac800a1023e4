//! Unit tests for `localize`.

use super::*;

#[test]
fn finds_traceback_paths() {
    let files = vec!["shop/cart.py".to_string(), "tests/test_cart.py".to_string()];
    let out = "File \"/tmp/x/shop/cart.py\", line 12, in total\n  tests/test_cart.py:4: in test";
    assert_eq!(
        mentioned_paths(out, &files),
        vec!["shop/cart.py", "tests/test_cart.py"]
    );
}

#[test]
fn identifiers_prefer_code_words() {
    let ids = identifiers("`apply_discount` returns wrong totals for CartItem objects");
    assert_eq!(ids[0], "apply_discount");
    assert!(ids.contains(&"CartItem".to_string()));
    assert!(!ids.contains(&"returns".to_string()));
}

#[test]
fn imports_resolve_to_repository_files() {
    let dir = tempfile::tempdir().unwrap();
    let w = |p: &str, t: &str| {
        let f = dir.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    };
    w(
        "geo/distance.py",
        "from geo.units import KM\nfrom .shapes import area\nimport os\n",
    );
    w("geo/units.py", "KM = 1.609\n");
    w("geo/shapes.py", "");
    w(
        "web/app.js",
        "const { clamp } = require('./lib/range');\nimport x from '../shared/x.js';\n",
    );
    w("web/lib/range.js", "");
    w("shared/x.js", "");
    w("src/lib.rs", "pub mod count;\nmod util;\n");
    w("src/count.rs", "");
    w("src/util/mod.rs", "");
    let root = crate::sandbox::paths::Root::new(dir.path()).unwrap();
    let files = crate::context::scan::list_files(root.path());
    let known: std::collections::BTreeSet<&str> = files.iter().map(String::as_str).collect();
    assert_eq!(
        imported_files(&root, "geo/distance.py", &known),
        ["geo/units.py", "geo/shapes.py"]
    );
    assert_eq!(
        imported_files(&root, "web/app.js", &known),
        ["web/lib/range.js", "shared/x.js"]
    );
    assert_eq!(
        imported_files(&root, "src/lib.rs", &known),
        ["src/count.rs", "src/util/mod.rs"]
    );
}
