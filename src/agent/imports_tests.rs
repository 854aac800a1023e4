use super::{forgotten, with_import};

const RUSTC: &str = "\
error[E0433]: cannot find type `Ordering` in this scope
 --> src/tags.rs:6:41
  |
6 |     versions.sort_by(|a, b| if a == b { Ordering::Equal } else { a.cmp(b) });
  |                                         ^^^^^^^^ use of undeclared type `Ordering`
  |
help: consider importing one of these enums
  |
1 + use std::cmp::Ordering;
  |
1 + use std::sync::atomic::Ordering;
  |

For more information about this error, try `rustc --explain E0433`.
error: could not compile `tagpick` (lib) due to 1 previous error
";

const TAGS: &str = "\
//! Tags.

use crate::version::Version;

pub fn sorted(tags: &[&str]) -> Vec<Version> {
    Vec::new()
}
";

fn changed(path: &str, text: &str) -> Vec<(String, String)> {
    vec![(path.to_string(), text.to_string())]
}

#[test]
fn rustc_suggests_the_import_a_changed_file_lacks() {
    let found = forgotten(
        RUSTC,
        "test result: FAILED",
        &changed("src/tags.rs", TAGS),
        Vec::new,
    );
    assert_eq!(
        found,
        Some((
            "src/tags.rs".to_string(),
            "use std::cmp::Ordering;".to_string()
        ))
    );
    let fixed = with_import("src/tags.rs", TAGS, "use std::cmp::Ordering;").unwrap();
    assert_eq!(
        fixed,
        TAGS.replace(
            "use crate::version::Version;\n",
            "use crate::version::Version;\nuse std::cmp::Ordering;\n"
        )
    );
}

#[test]
fn no_import_for_a_file_the_change_left_alone_or_an_error_there_before() {
    // The error is in a file the candidate did not change.
    assert_eq!(
        forgotten(RUSTC, "", &changed("src/version.rs", TAGS), Vec::new),
        None
    );
    // The code failed that way before the candidate too: not the candidate's doing.
    let before = "error[E0433]: cannot find type `Ordering` in this scope\n";
    assert_eq!(
        forgotten(RUSTC, before, &changed("src/tags.rs", TAGS), Vec::new),
        None
    );
    // A line the file already has is not added twice.
    let has = TAGS.replace("use crate", "use std::cmp::Ordering;\nuse crate");
    assert_eq!(
        with_import("src/tags.rs", &has, "use std::cmp::Ordering;"),
        None
    );
}

const SPHERE: &str = "\
\"\"\"Distances on the Earth's surface.\"\"\"

EARTH_RADIUS_KM = 6371.0


def great_circle_km(a, b):
    return 2 * EARTH_RADIUS_KM * math.asin(1)
";

#[test]
fn a_python_name_error_gets_its_standard_module_or_class() {
    let pytest = "\
>       return 2 * EARTH_RADIUS_KM * math.asin(1)
E       NameError: name 'math' is not defined

trails/sphere.py:7: NameError
";
    let found = forgotten(pytest, "", &changed("trails/sphere.py", SPHERE), Vec::new);
    assert_eq!(
        found,
        Some(("trails/sphere.py".to_string(), "import math".to_string()))
    );
    // After the docstring when the file imports nothing.
    let fixed = with_import("trails/sphere.py", SPHERE, "import math").unwrap();
    assert!(
        fixed.starts_with("\"\"\"Distances on the Earth's surface.\"\"\"\nimport math\n\nEARTH"),
        "{fixed}"
    );
    let unittest = "\
  File \"/tmp/x/ledger/amounts.py\", line 12, in parse_amount
    return Decimal(text)
NameError: name 'Decimal' is not defined
";
    let amounts = "import re\n\n\ndef parse_amount(text):\n    return Decimal(text)\n";
    let found = forgotten(
        unittest,
        "",
        &changed("ledger/amounts.py", amounts),
        Vec::new,
    );
    let line = "from decimal import Decimal".to_string();
    assert_eq!(found, Some(("ledger/amounts.py".to_string(), line.clone())));
    assert_eq!(
        with_import("ledger/amounts.py", amounts, &line).unwrap(),
        "import re\nfrom decimal import Decimal\n\n\ndef parse_amount(text):\n    return Decimal(text)\n"
    );
}

#[test]
fn a_python_name_the_project_defines_elsewhere_is_imported_from_there() {
    let out = "\
  File \"/tmp/x/shop/cart.py\", line 9, in total
    return round_money(self.subtotal())
NameError: name 'round_money' is not defined
";
    let cart = "class Cart:\n    def total(self):\n        return round_money(self.subtotal())\n";
    let files = vec![
        ("shop/cart.py".to_string(), cart.to_string()),
        (
            "shop/money.py".to_string(),
            "def round_money(x):\n    return round(x, 2)\n".to_string(),
        ),
    ];
    let found = forgotten(out, "", &changed("shop/cart.py", cart), || files.clone());
    assert_eq!(
        found,
        Some((
            "shop/cart.py".to_string(),
            "from shop.money import round_money".to_string()
        ))
    );
    // A name nobody defines gets nothing.
    let unknown = out.replace("round_money", "frobnicate");
    assert_eq!(
        forgotten(&unknown, "", &changed("shop/cart.py", cart), || files
            .clone()),
        None
    );
}
