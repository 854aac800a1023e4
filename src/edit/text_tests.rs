//! Unit tests for `text`.

use super::*;

#[test]
fn round_trips_conventions() {
    for raw in ["a\r\nb\r\n", "\u{feff}x\ny", "", "one", "a\nb\n"] {
        let t = FileText::decode(raw.as_bytes()).unwrap();
        assert_eq!(t.encode(), raw.as_bytes(), "{raw:?}");
        assert!(!t.body.contains('\r'));
    }
}

#[test]
fn refuses_binary_and_invalid_utf8() {
    assert_eq!(FileText::decode(b"a\0b"), Err(TextError::Binary));
    assert_eq!(
        FileText::decode(&[0xff, 0xfe, 0x41]),
        Err(TextError::NotUtf8)
    );
}

#[test]
fn a_mixed_file_keeps_each_lines_ending_outside_the_edit() {
    let raw = "a\r\nb\nc\r\nd\n";
    let t = FileText::decode(raw.as_bytes()).unwrap();
    assert_eq!(t.encode(), raw.as_bytes(), "round trip");
    // Replace c: the new line takes c's CRLF; every other line keeps its bytes.
    let edited = t.with_body("a\nb\nC\nd\n".into());
    assert_eq!(edited.encode(), b"a\r\nb\nC\r\nd\n");
    // Insert after b: the new line takes b's LF.
    let inserted = t.with_body("a\nb\nnew\nc\nd\n".into());
    assert_eq!(inserted.encode(), b"a\r\nb\nnew\nc\r\nd\n");
}

#[test]
fn a_mixed_file_without_final_newline_stays_without() {
    let raw = "a\r\nb\nc";
    let t = FileText::decode(raw.as_bytes()).unwrap();
    assert_eq!(t.encode(), raw.as_bytes());
    assert_eq!(t.with_body("a\nB\nc\n".into()).encode(), b"a\r\nB\nc");
}
