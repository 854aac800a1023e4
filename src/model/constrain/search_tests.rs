use proptest::prelude::*;

use super::super::{first_refused, Constraints, Guide};

const CART: &str = "class Cart:\n    def total(self):\n        subtotal = self.subtotal()\n        return round(subtotal - self.discount, 2)\n\n    def count(self):\n        return len(self.items)\n";

fn guide(prefill: &str) -> Guide {
    let constraints = Constraints {
        search_files: vec![
            ("shop/cart.py".into(), CART.into()),
            ("shop/other.py".into(), "x = 1\ny = 2\n".into()),
        ],
        ..Default::default()
    };
    Guide::new(&constraints, prefill).unwrap()
}

const OPEN: &str = "The discount is an amount.\n\nshop/cart.py\n```python\n<<<<<<< SEARCH\n";

#[test]
fn a_block_that_copies_the_file_passes_and_replace_is_free() {
    let mut g = guide(OPEN);
    assert!(g.constraining());
    let block = "        subtotal = self.subtotal()\n        return round(subtotal - self.discount, 2)\n=======\n        anything at all, not in the file\n>>>>>>> REPLACE\n```\n";
    for size in [1, 3, 7, 64] {
        let mut g = g.clone();
        assert_eq!(first_refused(&mut g, block, size), None, "pieces of {size}");
        assert!(!g.constraining());
    }
    g.feed(block.as_bytes());
    // A second block is constrained again.
    g.feed(b"\nshop/cart.py\n```python\n<<<<<<< SEARCH\n");
    assert!(g.constraining());
    assert!(!g.allows(b"        return round(subtotal + "));
}

#[test]
fn an_invented_line_is_refused_where_it_leaves_the_file() {
    let mut g = guide(OPEN);
    let invented = "        return round(subtotal * self.discount, 2)\n";
    let at = first_refused(&mut g, invented, 1).unwrap();
    assert_eq!(&invented[..at], "        return round(subtotal ");
}

#[test]
fn lines_must_be_consecutive_and_the_divider_needs_one() {
    let mut g = guide(OPEN);
    assert!(!g.allows(b"=======\n"), "an empty SEARCH says nothing");
    g.feed(b"    def total(self):\n");
    assert!(g.allows(b"        subtotal"));
    assert!(
        !g.allows(b"        return len"),
        "a later line is not the next one"
    );
    assert!(g.allows(b"=======\n"));
    assert!(g.allows(b"=="));
}

#[test]
fn a_piece_across_lines_is_checked_on_both() {
    let mut g = guide(OPEN);
    g.feed(b"    def count(self");
    assert!(g.allows(b"):\n        return"));
    assert!(!g.allows(b"):\n        yield"));
    assert!(g.allows(b"):\n======="));
    assert!(!g.allows(b"):\n\n"));
}

#[test]
fn the_path_line_picks_the_file_and_an_unknown_one_is_free() {
    let g = guide("shop/other.py\n```python\n<<<<<<< SEARCH\n");
    assert!(g.allows(b"y = 2\n"));
    assert!(!g.allows(b"class Cart:\n"), "not a line of the named file");
    let g = guide("`shop/new.py`\n```python\n<<<<<<< SEARCH\n");
    assert!(!g.constraining(), "a file that was not offered is free");
    let g = guide("<<<<<<< SEARCH\n");
    assert!(
        g.allows(b"class Cart:\n") && g.allows(b"y = 2\n"),
        "no path: any file"
    );
}

#[test]
fn nothing_outside_a_section_is_constrained() {
    let g = guide("");
    assert!(!g.constraining());
    assert!(g.allows(b"anything <<<<<<< "));
    let g = guide("shop/cart.py\n```python\n<<<<<<< SEARCH");
    assert!(!g.constraining(), "not until the marker's line ends");
}

#[test]
fn a_token_chosen_unchecked_frees_the_section_instead_of_derailing() {
    let mut g = guide(OPEN);
    g.feed(b"not a line\n");
    assert!(!g.constraining());
    g.feed(b"=======\nx\n>>>>>>> REPLACE\n```\nshop/cart.py\n```python\n<<<<<<< SEARCH\n");
    assert!(g.constraining(), "the next section is constrained again");
}

/// What `allows` answers, worked out the slow way: a byte at a time on a copy.
fn allowed_slowly(g: &Guide, piece: &[u8]) -> bool {
    let mut copy = g.clone();
    piece.iter().all(|&b| {
        let ok = copy.allows(&[b]);
        copy.feed(&[b]);
        ok
    })
}

proptest! {
    /// Whatever the pieces the sampler picks from (here: random pieces of the file's own text
    /// and of noise), a SEARCH written under the guide is consecutive lines of the file.
    #[test]
    fn a_constrained_search_always_matches_the_file(
        picks in proptest::collection::vec((0usize..400, 1usize..12, any::<bool>()), 1..200),
    ) {
        let source = format!("{CART}=======\n");
        let noise = "    return round(total + 1)\nfoo bar\n\t";
        let mut g = guide(OPEN);
        let mut search = String::new();
        for (at, len, from_source) in picks {
            if !g.constraining() {
                break;
            }
            let pool = if from_source { source.as_str() } else { noise };
            let start = at % pool.len();
            let piece = &pool.as_bytes()[start..(start + len).min(pool.len())];
            prop_assert_eq!(g.allows(piece), allowed_slowly(&g, piece));
            if g.allows(piece) {
                g.feed(piece);
                search.push_str(std::str::from_utf8(piece).unwrap());
            }
        }
        let body = search.split("=======\n").next().unwrap();
        let whole_lines = &body[..body.rfind('\n').map_or(0, |i| i + 1)];
        let at_line_start = whole_lines.is_empty()
            || CART.starts_with(whole_lines)
            || CART.contains(&format!("\n{whole_lines}"));
        prop_assert!(at_line_start, "not whole lines of the file: {:?}", whole_lines);
    }
}
