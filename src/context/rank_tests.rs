//! Unit tests for `rank`'s word handling.

use super::*;

#[test]
fn terms_drop_common_words_and_keep_identifiers() {
    assert_eq!(
        terms("The parser crashes when parse_config gets an empty file"),
        ["parser", "crashes", "parse_config", "empty"]
    );
    assert_eq!(parts("parseConfigFile"), ["parse", "config", "file"]);
    assert_eq!(parts("MAX_RETRY_count"), ["max", "retry", "count"]);
}
