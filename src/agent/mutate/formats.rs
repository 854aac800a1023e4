//! A date format's fields in the wrong order or case: `"%Y-%d-%m"` (the day read as the
//! month) for `"%Y-%m-%d"`, `%M` (minutes) for `%m` (the month), `%y` for `%Y`. The format is a
//! string, so these are the only changes cria makes inside one.

/// The date fields that may stand in each other's place.
const ORDERED: &[char] = &['d', 'm', 'Y', 'y'];

/// The field read as another in a different case (minute for month, two-digit year for four).
fn recased(field: char) -> Option<char> {
    Some(match field {
        'm' => 'M',
        'M' => 'm',
        'y' => 'Y',
        'Y' => 'y',
        'H' => 'I',
        'I' => 'H',
        _ => return None,
    })
}

/// The `strftime`-style fields of `literal`, as (byte offset of the field letter, letter).
fn fields(literal: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut chars = literal.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        match chars.next() {
            Some((at, f)) if f.is_ascii_alphabetic() => out.push((at, f)),
            // `%%` is a percent sign.
            _ => {}
        }
    }
    out
}

/// `literal` (a whole string literal, quotes and all) with its date fields reordered or
/// recased, one change each; none unless it holds two fields or more (a date format, not a
/// sentence with a `%` in it).
pub(super) fn date_formats(literal: &str) -> Vec<String> {
    let found = fields(literal);
    if found.len() < 2 || found.len() > 8 {
        return Vec::new();
    }
    let with = |changes: &[(usize, char)]| {
        let mut bytes = literal.as_bytes().to_vec();
        for &(at, f) in changes {
            if let Some(b) = bytes.get_mut(at) {
                *b = f as u8;
            }
        }
        String::from_utf8(bytes).unwrap_or_default()
    };
    let mut out = Vec::new();
    for (i, &(a, fa)) in found.iter().enumerate() {
        for &(b, fb) in found.iter().skip(i + 1) {
            if fa != fb && ORDERED.contains(&fa) && ORDERED.contains(&fb) {
                out.push(with(&[(a, fb), (b, fa)]));
            }
        }
    }
    for &(at, f) in &found {
        if let Some(other) = recased(f) {
            out.push(with(&[(at, other)]));
        }
    }
    out
}
