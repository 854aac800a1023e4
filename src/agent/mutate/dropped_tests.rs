use crate::agent::mutate::tests::{changed, of};

#[test]
fn a_python_value_made_and_dropped_is_kept_or_returned() {
    let file = "\
def unquote(value):
    value = value.strip()
    if value[0] == value[-1]:
        value[1:-1]
    return value


def shorten(text, width):
    cut = text[:width]
    # the ellipsis marks the cut
    cut.rstrip(\" ,\") + \"…\"


def name_of(self):
    self.name.strip()
    log(self.name)
    self.items.sort()
    \"\"\"Not a docstring, but a string alone.\"\"\"
";
    let w = changed("m.py", file, "unquote");
    assert!(
        w.contains(&"`value[1:-1]` → `value = value[1:-1]`".to_string()),
        "{w:?}"
    );
    // The last line of a block in a function may be what it meant to return.
    assert!(
        w.contains(&"`value[1:-1]` → `return value[1:-1]`".to_string()),
        "{w:?}"
    );
    let fixed = of("m.py", file, "shorten")
        .into_iter()
        .find(|m| m.what == "`cut.rstrip(\" ,\") + \"…\"` → `return cut.rstrip(\" ,\") + \"…\"`")
        .expect("the dropped result is returned");
    assert!(
        fixed
            .code
            .ends_with("    return cut.rstrip(\" ,\") + \"…\"\n"),
        "{}",
        fixed.code
    );
    let w = changed("m.py", file, "name_of");
    assert!(
        w.contains(&"`self.name.strip()` → `self.name = self.name.strip()`".to_string()),
        "{w:?}"
    );
    // A call that may act (`log`, a sort in place) and a lone string are left as they are; a
    // value that ends no block is not returned.
    assert!(
        !w.iter()
            .any(|w| w.contains("= log(") || w.contains("sort()` →")),
        "{w:?}"
    );
    assert!(
        !w.iter()
            .any(|w| w.contains("return self.name") || w.contains("= \"\"\"")),
        "{w:?}"
    );
}

#[test]
fn a_value_dropped_in_a_loop_is_kept_but_not_returned() {
    let file = "\
def clean(lines):
    out = []
    for line in lines:
        out.append(line)
        line.strip()
    return out
";
    let w = changed("m.py", file, "clean");
    assert!(
        w.contains(&"`line.strip()` → `line = line.strip()`".to_string()),
        "{w:?}"
    );
    assert!(!w.iter().any(|w| w.contains("return line")), "{w:?}");
}

#[test]
fn a_javascript_promise_kept_as_a_value_is_awaited_and_a_dropped_string_kept() {
    let file = "\
async function statusLine(store, today) {
  const open = store.countOpen();
  let label = await store.label();
  const names = label.split(',');
  label.trim();
  return `${open} ${names.length}`;
}

function plain(store) {
  const open = store.countOpen();
  return open;
}

function double(xs) {
  xs.map((x) => x * 2)
}
";
    let w = changed("m.js", file, "statusLine");
    assert!(
        w.contains(&"`store.countOpen()` → `await store.countOpen()`".to_string()),
        "{w:?}"
    );
    assert!(
        w.contains(&"`label.trim();` → `label = label.trim();`".to_string()),
        "{w:?}"
    );
    // Already awaited, or a method that returns no promise: not awaited (again).
    assert!(
        !w.iter()
            .any(|w| w.contains("await await") || w.contains("await label.split")),
        "{w:?}"
    );
    // Not in an async function: nothing to await.
    let w = changed("m.js", file, "plain");
    assert!(!w.iter().any(|w| w.contains("await")), "{w:?}");
    let w = changed("m.js", file, "double");
    assert!(
        w.contains(&"`xs.map((x) => x * 2)` → `return xs.map((x) => x * 2);`".to_string()),
        "{w:?}"
    );
}

#[test]
fn a_python_coroutine_kept_as_a_value_is_awaited() {
    let file = "\
async def total(client):
    rows = client.fetch_rows()
    return sum(r.amount for r in rows)
";
    let w = changed("m.py", file, "total");
    assert!(
        w.contains(&"`client.fetch_rows()` → `await client.fetch_rows()`".to_string()),
        "{w:?}"
    );
}
