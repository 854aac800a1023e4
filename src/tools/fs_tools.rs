//! `read_file` and `list_files`.

use super::ToolOutput;
use crate::edit::text::FileText;
use crate::sandbox::paths::Root;

const MAX_READ_LINES: usize = 400;
const MAX_LIST: usize = 300;

pub fn read_file(root: &Root, path: &str, start: Option<usize>, end: Option<usize>) -> ToolOutput {
    let abs = match root.resolve(path) {
        Ok(p) => p,
        Err(e) => return ToolOutput::err(e.to_string()),
    };
    let name = abs.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.as_deref().is_some_and(crate::context::scan::is_secret) {
        return ToolOutput::err(format!(
            "`{path}` looks like a secrets file; cria does not show it to the model"
        ));
    }
    if abs.is_dir() {
        return ToolOutput::err(format!("`{path}` is a directory; use list_files"));
    }
    if !abs.exists() {
        let hint = similar_paths(root, path);
        return ToolOutput::err(format!("`{path}` does not exist.{hint}"));
    }
    if !crate::context::scan::visible(root.path(), &abs) {
        return ToolOutput::err(format!(
            "`{path}` is ignored (.gitignore, .criaignore, a build or vendored folder, or a \
             hard link); cria does not show it to the model"
        ));
    }
    // Regular files only: a FIFO or a device would never finish reading.
    let bytes = match crate::sandbox::beneath::read_regular(&abs) {
        Ok(b) => b,
        Err(e) => return ToolOutput::err(format!("`{path}`: {e}")),
    };
    let text = match FileText::decode(&bytes) {
        Ok(t) => t,
        Err(e) => return ToolOutput::err(format!("`{path}` {e}")),
    };
    let lines: Vec<&str> = text.body.lines().collect();
    let total = lines.len();
    let from = start.unwrap_or(1).max(1);
    let to = end
        .unwrap_or(total)
        .min(total)
        .min(from + MAX_READ_LINES - 1);
    if from > total.max(1) {
        return ToolOutput::err(format!("`{path}` has only {total} lines"));
    }
    if to < from && total > 0 {
        return ToolOutput::err(format!(
            "end_line {} is before start_line {from}; give end_line >= start_line",
            end.unwrap_or(0)
        ));
    }
    let rel = root.display(&abs);
    let mut out = if from == 1 && to == total {
        format!("{rel} ({total} lines):\n")
    } else {
        format!("{rel} (lines {from}-{to} of {total}):\n")
    };
    for line in lines.get(from - 1..to).unwrap_or_default() {
        out.push_str(line);
        out.push('\n');
    }
    if to < total && end.is_none() {
        out.push_str(&format!(
            "[... {} more lines; pass start_line={} to read on]\n",
            total - to,
            to + 1
        ));
    }
    ToolOutput::ok(out)
}

fn similar_paths(root: &Root, path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    let hits: Vec<String> = crate::context::scan::list_files(root.path())
        .into_iter()
        .filter(|f| f.rsplit('/').next() == Some(base))
        .take(5)
        .collect();
    if hits.is_empty() {
        String::new()
    } else {
        format!(" Did you mean: {}?", hits.join(", "))
    }
}

pub fn list_files(root: &Root, path: Option<&str>, glob: Option<&str>) -> ToolOutput {
    let base = match path.filter(|p| !p.trim().is_empty() && p.trim() != ".") {
        Some(p) => match root.resolve(p) {
            Ok(abs) => root.display(&abs),
            Err(e) => return ToolOutput::err(e.to_string()),
        },
        None => String::new(),
    };
    let matcher = match glob.map(globset::Glob::new) {
        Some(Ok(g)) => Some(g.compile_matcher()),
        Some(Err(e)) => return ToolOutput::err(format!("bad glob: {e}")),
        None => None,
    };
    let files: Vec<String> = crate::context::scan::list_files(root.path())
        .into_iter()
        .filter(|f| base.is_empty() || f.starts_with(&format!("{base}/")) || *f == base)
        .filter(|f| {
            matcher
                .as_ref()
                .is_none_or(|m| m.is_match(f) || m.is_match(f.rsplit('/').next().unwrap_or(f)))
        })
        .collect();
    if files.is_empty() {
        return ToolOutput::ok("(no files)\n".into());
    }
    let mut out: String = files
        .iter()
        .take(MAX_LIST)
        .map(|f| format!("{f}\n"))
        .collect();
    if files.len() > MAX_LIST {
        out.push_str(&format!(
            "[... {} more files; narrow with path or glob]\n",
            files.len() - MAX_LIST
        ));
    }
    ToolOutput::ok(out)
}
