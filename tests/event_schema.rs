//! The `--json` event stream's schema: `docs/events.schema.json` is what the code generates
//! (regenerate with `CRIA_BLESS=1 cargo test --test event_schema`), and a real run's events are
//! all of types the schema names.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

fn schema_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/events.schema.json")
}

/// The `type` names the schema allows, from its variants' `const`s.
fn schema_types(schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![schema];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(fields) => {
                if let Some(Value::String(t)) = fields
                    .get("properties")
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.get("const"))
                {
                    out.insert(t.clone());
                }
                stack.extend(fields.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

#[test]
fn the_documented_schema_is_the_generated_one() {
    let generated = serde_json::to_string_pretty(&cria::protocol::event_schema()).unwrap() + "\n";
    if std::env::var_os("CRIA_BLESS").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let documented = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        documented == generated,
        "docs/events.schema.json is out of date: run CRIA_BLESS=1 cargo test --test event_schema"
    );
}

#[test]
fn a_real_runs_events_are_all_named_by_the_schema() {
    let schema = cria::protocol::event_schema();
    let types = schema_types(&schema);
    for t in [
        "status",
        "model_done",
        "edit_applied",
        "tests_run",
        "approval",
        "finished",
    ] {
        assert!(types.contains(t), "{t} missing from {types:?}");
    }
    assert_eq!(
        schema["properties"]["v"]["const"],
        cria::protocol::EVENT_SCHEMA_VERSION
    );
    let s = common::Scratch::task("py-cart-discount");
    let fix = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";
    let (out, events) = s.fix_json(
        "the total ignores the discount percentage",
        &["The discount is subtracted as an amount.", fix],
    );
    assert!(events.len() > 5, "{}", String::from_utf8_lossy(&out.stderr));
    for e in &events {
        let t = e["type"].as_str().unwrap_or_default();
        assert!(types.contains(t), "event type {t} is not in the schema");
        assert_eq!(e["v"], cria::protocol::EVENT_SCHEMA_VERSION);
    }
    assert_eq!(events.last().unwrap()["type"], "finished");
}
