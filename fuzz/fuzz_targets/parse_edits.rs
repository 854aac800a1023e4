//! The edit parsers (SEARCH/REPLACE, apply_patch, unified diff) and the loose code-block reader
//! must never panic, whatever a model writes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cria::edit::parse_edits(text);
        let files = vec![("a.py".to_string(), "def f(x):\n    return x\n".to_string())];
        let _ = cria::edit::loose::loose_edits(text, &files);
        let _ = cria::toolcall::parse(text);
    }
});
