use super::super::{built, parse, span};
use super::mirrored;
use crate::agent::rewrite::definitions;

/// The mirrors of definition `name` in `file` at `path`, as mutants: what each changes, and the
/// definition with it.
fn mirrors(path: &str, file: &str, name: &str) -> Vec<(String, String)> {
    let target = definitions(path, file)
        .into_iter()
        .find(|t| t.name == name)
        .expect("the definition is found");
    let range = span(&target, file).expect("the definition is in the file");
    let (tree, _) = parse(path, file).expect("a grammar for the file");
    let mut changes = Vec::new();
    mirrored(tree.root_node(), file, range, &mut changes);
    built(&target, file, range, changes, &[])
        .into_iter()
        .map(|m| (m.what, m.code))
        .collect()
}

const VERSION_ORD: &str = "\
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}
";

#[test]
fn every_ordering_of_a_definition_is_mirrored_in_one_change() {
    let found = mirrors("src/version.rs", VERSION_ORD, "cmp");
    assert_eq!(found.len(), 1, "{found:?}");
    let (what, code) = &found[0];
    assert_eq!(
        what,
        "`(None, Some(_)) => Ordering::Less,` → `(None, Some(_)) => Ordering::Greater,` and \
         `(Some(_), None) => std::cmp::Ordering::Greater,` → \
         `(Some(_), None) => std::cmp::Ordering::Less,`"
    );
    assert!(
        code.contains("(None, Some(_)) => Ordering::Greater,\n"),
        "{code}"
    );
    assert!(
        code.contains("(Some(_), None) => std::cmp::Ordering::Less,\n"),
        "{code}"
    );
    // The rest as it was: the equal arm, the orderings it delegates to.
    assert!(
        code.contains("(None, None) => Ordering::Equal,\n"),
        "{code}"
    );
    assert!(code.contains(".cmp(&other.major)\n"), "{code}");
}

#[test]
fn a_comparators_returns_and_conditional_outcomes_are_mirrored() {
    let js = "\
function byDue(a, b) {
  if (a.due < b.due) {
    return 1;
  }
  if (a.due > b.due) {
    return -1;
  }
  return a.id < b.id ? -1 : 1;
}
";
    let found = mirrors("src/sort.js", js, "byDue");
    assert_eq!(found.len(), 1, "{found:?}");
    let code = &found[0].1;
    for line in ["return -1;", "return 1;", "a.id < b.id ? 1 : -1;"] {
        assert!(code.contains(line), "{line} missing from {code}");
    }
    let py = "def order(a, b):\n    return -1 if a.rank > b.rank else 1\n";
    let found = mirrors("order.py", py, "order");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("return 1 if a.rank > b.rank else -1"));
}

#[test]
fn no_mirror_without_both_outcomes_or_of_values_that_are_no_outcome() {
    // One outcome alone is a one-token change's to make.
    let one = "fn cmp(a: u8, b: u8) -> Ordering {\n    if a < b { Ordering::Less } else { a.cmp(&b) }\n}\n";
    assert!(mirrors("a.rs", one, "cmp").is_empty());
    // Another enum's `Less`, a `1` that is an operand and a `-1` that is an argument are no
    // outcomes of an ordering.
    let other = "\
fn size(n: i32) -> Size {
    if n < 0 { return Size::Less; }
    let m = n + 1;
    shift(-1);
    Size::Greater
}
";
    assert!(mirrors("a.rs", other, "size").is_empty());
}
