//! Properties of the edit engine over generated inputs: parsing never panics, paths never escape
//! the root, applying then undoing is the identity, an edit changes nothing outside the region it
//! matched (byte for byte, line endings included), and a reply never writes a line that is in
//! neither the file nor its REPLACE text (prose after an unclosed block included).

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
            // The file's line endings are kept: every one CRLF in a CRLF file, none in an LF
            // one. A file with no line ending at all (one line, or empty) shows no style, and
            // what cria adds to it is LF.
            let newlines = written.iter().filter(|b| **b == b'\n').count();
            let crlfs = written.windows(2).filter(|w| w == b"\r\n").count();
            let crlf_file = original.contains("\r\n");
            prop_assert_eq!(crlfs, if crlf_file { newlines } else { 0 });
            cria::edit::undo(root.path()).unwrap();
        }
        prop_assert_eq!(std::fs::read_to_string(repo.path().join("f.txt")).unwrap(), original);
    }

    #[test]
    fn an_edit_is_the_identity_outside_its_region(
        words in prop::collection::vec("[a-z]{1,6}", 3..24),
        endings in prop::collection::vec(any::<bool>(), 24),
        start in any::<prop::sample::Index>(),
        len in 1usize..4,
        replacement in prop::collection::vec("[A-Z]{1,6}", 0..4),
        final_newline in any::<bool>(),
    ) {
        // Unique lines (their number is part of them), each with its own ending.
        let lines: Vec<String> = words.iter().enumerate().map(|(i, w)| format!("{i} {w}")).collect();
        let n = lines.len();
        let mut original = Vec::new();
        let mut offsets = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            offsets.push(original.len());
            original.extend_from_slice(l.as_bytes());
            if i + 1 < n || final_newline {
                original.extend_from_slice(if endings[i] { b"\r\n" } else { b"\n" });
            }
        }
        offsets.push(original.len());
        let from = start.index(n);
        let to = (from + len).min(n);
        let repo = tempfile::tempdir().unwrap();
        std::fs::write(repo.path().join("f.txt"), &original).unwrap();
        let root = Root::new(repo.path()).unwrap();
        let search: String = lines[from..to].iter().map(|l| format!("{l}\n")).collect();
        let replace: String = replacement.iter().map(|l| format!("{l}\n")).collect();
        let reply = format!("f.txt\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n");
        let report = apply_text(&root, &reply, Mode::DryRun);
        prop_assert!(report.applied(), "{:?}", report.failures);
        let after = report.changes.first().and_then(|c| c.after.clone()).unwrap_or(original.clone());
        // Everything before the region's first line and after its last line is the same bytes.
        let head = &original[..offsets[from]];
        let tail = &original[offsets[to]..];
        prop_assert!(after.starts_with(head), "head changed:\n{:?}\n{:?}", String::from_utf8_lossy(&original), String::from_utf8_lossy(&after));
        if to != n || final_newline {
            prop_assert!(after.ends_with(tail), "tail changed:\n{:?}\n{:?}", String::from_utf8_lossy(&original), String::from_utf8_lossy(&after));
        }
    }

    #[test]
    fn a_reply_writes_only_lines_from_the_file_or_its_replace_text(
        words in prop::collection::vec("[a-z]{1,6}", 3..16),
        pick in any::<prop::sample::Index>(),
        indent in 0usize..3,
        replacement in prop::collection::vec("[A-Z]{1,6}", 1..3),
        prose in prop::collection::vec("[A-Z][a-z]{2,6} [a-z]{2,6}[.!?]", 0..3),
        closed in any::<bool>(),
    ) {
        let lines: Vec<String> = words.iter().enumerate().map(|(i, w)| format!("    {i} {w}")).collect();
        let original: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let repo = tempfile::tempdir().unwrap();
        std::fs::write(repo.path().join("f.py"), &original).unwrap();
        let root = Root::new(repo.path()).unwrap();
        let i = pick.index(lines.len());
        // The model's SEARCH, with its slips: wrong indentation.
        let search = format!("{}{}\n", " ".repeat(indent), lines[i].trim());
        let replace: String = replacement.iter().map(|l| format!("    {l}\n")).collect();
        let mut reply = format!("f.py\n<<<<<<< SEARCH\n{search}=======\n{replace}");
        if closed {
            reply.push_str(">>>>>>> REPLACE\n");
        }
        if !prose.is_empty() {
            reply.push('\n');
            for p in &prose {
                reply.push_str(p);
                reply.push('\n');
            }
        }
        let report = apply_text(&root, &reply, Mode::DryRun);
        for change in &report.changes {
            let after = String::from_utf8(change.after.clone().unwrap_or_default()).unwrap();
            for line in after.lines() {
                let known = lines.iter().any(|l| l.trim() == line.trim())
                    || replacement.iter().any(|r| line.contains(r.as_str()));
                prop_assert!(known, "invented line {line:?} from reply {reply:?}");
                prop_assert!(!prose.iter().any(|p| line.contains(p.as_str())), "prose written: {line:?}");
            }
        }
    }
}
