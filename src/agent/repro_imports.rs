//! The import a reproduction test forgot. A small model's test often calls the function the issue
//! names without importing it (`NameError: name 'slugify' is not defined`); when the project
//! defines that name, cria adds the import itself, in the style the test file already uses,
//! rather than throwing a good test away.

use regex::Regex;

use super::localize::is_test_path;
use super::mutate::enum_variants;
use super::prompt::fence_lang;

/// The name a failing test run reports as undefined, if it does.
pub fn undefined_name(output: &str) -> Option<String> {
    let patterns = [
        r"NameError: name '(\w+)' is not defined",
        r"ReferenceError: (\w+) is not defined",
        // node:test's TAP report gives the message and the error's name on lines of their own.
        r"(?m)^\s*error: '(\w+) is not defined'",
        r"cannot find (?:function|value|struct|type|macro) `(\w+)` in this scope",
        r"use of undeclared type `(\w+)`",
    ];
    patterns.iter().find_map(|p| {
        let re = Regex::new(p).ok()?;
        Some(re.captures(output)?.get(1)?.as_str().to_string())
    })
}

/// The line that imports `name` into the test file `test_path` (whose text is `test_body`) from
/// the project file that defines it; `files` are the project's files as (path, text).
pub fn import_line(
    name: &str,
    test_path: &str,
    test_body: &str,
    files: &[(String, String)],
) -> Option<String> {
    let lang = fence_lang(test_path);
    let defines = definition_pattern(lang, name)?;
    let sources = || (files.iter()).filter(move |(p, _)| fence_lang(p) == lang && !is_test_path(p));
    let Some((path, _)) = sources().find(|(_, text)| defines.is_match(text)) else {
        // A Rust enum's variant, written bare as its `Debug` shows it (`Info` for
        // `Level::Info`): the enum's variants, all of them (the case's value may name several).
        let (path, enum_name) = (sources().filter(|_| lang == "rust"))
            .find_map(|(p, text)| Some((p, enum_of(text, name)?)))?;
        let import = rust_import(&enum_name, path, files)?;
        return Some(format!("{}::*;", import.strip_suffix(';')?));
    };
    match lang {
        "python" => Some(python_import(name, path, files)),
        "javascript" | "typescript" => Some(js_import(name, path, test_path, test_body)),
        "rust" => rust_import(name, path, files),
        _ => None,
    }
}

fn definition_pattern(lang: &str, name: &str) -> Option<Regex> {
    let name = regex::escape(name);
    let pattern = match lang {
        "python" => format!(r"(?m)^(?:async\s+def|def|class)\s+{name}\b|^{name}\s*[:=]"),
        "javascript" | "typescript" => format!(
            r"(?m)^\s*(?:export\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+{name}\b"
        ),
        // A public item at a module's top level: what an integration test can name.
        "rust" => format!(
            r"(?m)^pub\s+(?:const\s+|async\s+|unsafe\s+)*(?:fn|struct|enum|trait|type|const|static)\s+{name}\b"
        ),
        _ => return None,
    };
    Regex::new(&pattern).ok()
}

/// The public enum of a Rust file `text` that has a variant called `variant`.
fn enum_of(text: &str, variant: &str) -> Option<String> {
    let head = Regex::new(r"(?m)^pub enum (\w+)").ok()?;
    let found = (head.captures_iter(text))
        .filter_map(|c| Some(c.get(1)?.as_str()))
        .find(|name| enum_variants(text, name).iter().any(|v| v == variant));
    found.map(str::to_string)
}

/// `from package import name` when the package re-exports it (the usual public path), else
/// `from module.path import name`.
fn python_import(name: &str, path: &str, files: &[(String, String)]) -> String {
    let module = path
        .trim_end_matches(".py")
        .trim_start_matches("src/")
        .trim_end_matches("/__init__")
        .replace('/', ".");
    let package = module.split('.').next().unwrap_or(&module);
    let init = format!("{}/__init__.py", package.replace('.', "/"));
    let exported = files.iter().any(|(p, text)| {
        (p == &init || p.trim_start_matches("src/") == init)
            && Regex::new(&format!(r"\b{}\b", regex::escape(name)))
                .is_ok_and(|re| re.is_match(text))
    });
    let from = if exported && package != module {
        package
    } else {
        &module
    };
    format!("from {from} import {name}")
}

/// `use krate::module::name;` for an integration test, from the crate root when `lib.rs`
/// re-exports it; `None` for a binary's own file, which no integration test can reach.
fn rust_import(name: &str, path: &str, files: &[(String, String)]) -> Option<String> {
    let module = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    if module == "main" || module.starts_with("bin/") {
        return None;
    }
    let krate = crate_name(files)?;
    let word = Regex::new(&format!(r"\b{}\b", regex::escape(name))).ok()?;
    let exported = files.iter().any(|(p, text)| {
        p == "src/lib.rs"
            && text
                .lines()
                .any(|l| l.trim_start().starts_with("pub use") && word.is_match(l))
    });
    let module = module.trim_end_matches("/mod");
    if exported || module == "lib" {
        return Some(format!("use {krate}::{name};"));
    }
    Some(format!(
        "use {krate}::{}::{name};",
        module.replace('/', "::")
    ))
}

/// The library crate's name, as `Cargo.toml` gives it (its package's, `-` as `_`, unless its
/// `[lib]` names it).
fn crate_name(files: &[(String, String)]) -> Option<String> {
    let manifest = &files.iter().find(|(p, _)| p == "Cargo.toml")?.1;
    let manifest: toml::Table = toml::from_str(manifest).ok()?;
    let name = |section: &str| manifest.get(section)?.get("name")?.as_str();
    Some(name("lib").or_else(|| name("package"))?.replace('-', "_"))
}

/// `const { name } = require('./rel')` in CommonJS test files, an `import` in ES modules.
fn js_import(name: &str, path: &str, test_path: &str, test_body: &str) -> String {
    let mut from_dir: Vec<&str> = test_path.split('/').collect();
    from_dir.pop();
    let to: Vec<&str> = path.split('/').collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel: Vec<String> = vec!["..".to_string(); from_dir.len() - common];
    rel.extend(to.iter().skip(common).map(|s| s.to_string()));
    let mut rel = rel.join("/");
    if !rel.starts_with("..") {
        rel = format!("./{rel}");
    }
    if test_body.contains("require(") || !test_body.contains("import ") {
        let rel = rel.trim_end_matches(".js");
        format!("const {{ {name} }} = require('{rel}');")
    } else {
        format!("import {{ {name} }} from '{rel}';")
    }
}

#[cfg(test)]
#[path = "repro_imports_tests.rs"]
mod tests;
