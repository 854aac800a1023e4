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
