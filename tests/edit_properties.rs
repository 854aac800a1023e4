//! Properties of the edit engine over generated inputs: parsing never panics, paths never escape
//! the root, and applying then undoing is the identity.

use proptest::prelude::*;

use cria::edit::{apply_text, parse_edits, Mode};
use cria::sandbox::paths::Root;

fn edit_like_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("<<<<<<< SEARCH".to_string()),
        Just("=======".to_string()),
        Just(">>>>>>> REPLACE".to_string()),
        Just("```".to_string()),
        Just("```python".to_string()),
        Just("*** Begin Patch".to_string()),
        Just("*** Update File: a.py".to_string()),
        Just("*** End Patch".to_string()),
        Just("--- a/a.py".to_string()),
        Just("+++ b/a.py".to_string()),
        Just("@@ -1 +1 @@".to_string()),
        Just("a.py".to_string()),
        "[ -~]{0,20}",
        "[+\\- ][ -~]{0,12}",
    ];
    prop::collection::vec(line, 0..30).prop_map(|v| v.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parser_never_panics(text in edit_like_text()) {
        let _ = parse_edits(&text);
    }

    #[test]
    fn parser_never_panics_on_any_unicode(text in "\\PC{0,300}") {
        let _ = parse_edits(&text);
    }

    #[test]
    fn paths_never_escape(parts in prop::collection::vec(prop_oneof![
        Just("..".to_string()), Just(".".to_string()), Just("".to_string()), Just("/".to_string()),
        Just(".git".to_string()), "[a-z]{1,4}", Just("link".to_string())], 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        let raw = parts.join("/");
        if let Ok(p) = root.resolve(&raw) {
            prop_assert!(p.starts_with(root.path()), "{raw} -> {}", p.display());
            prop_assert!(!p.strip_prefix(root.path()).unwrap().components().any(|c| c.as_os_str() == ".git"));
            let real_parent = p.parent().unwrap().canonicalize();
            if let Ok(rp) = real_parent {
                prop_assert!(rp.starts_with(root.path()), "{raw} resolves through {}", rp.display());
            }
        }
    }

    #[test]
    fn apply_then_undo_is_identity(
        lines in prop::collection::vec("[a-z ]{0,12}", 1..20),
        pick in any::<prop::sample::Index>(),
        new_line in "[a-z]{1,10}",
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let repo = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        std::env::set_var("CRIA_STATE_DIR", state.path());
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut original = lines.join(eol);
        if final_newline { original.push_str(eol); }
        std::fs::write(repo.path().join("f.txt"), &original).unwrap();
        let root = Root::new(repo.path()).unwrap();
        let target = &lines[pick.index(lines.len())];
        let reply = format!("f.txt\n<<<<<<< SEARCH\n{target}\n=======\n{new_line}\n>>>>>>> REPLACE\n");
        let report = apply_text(&root, &reply, Mode::Commit);
        if report.applied() && !report.changes.is_empty() {
            let written = std::fs::read(repo.path().join("f.txt")).unwrap();
            prop_assert_eq!(written.windows(2).filter(|w| w == b"\r\n").count() > 0, crlf && (lines.len() > 1 || final_newline));
            cria::edit::undo(root.path()).unwrap();
        }
        prop_assert_eq!(std::fs::read_to_string(repo.path().join("f.txt")).unwrap(), original);
    }
}
