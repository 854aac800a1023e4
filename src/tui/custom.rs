//! Custom slash commands, in the format Claude Code uses: a Markdown file per command in
//! `.cria/commands/` (the repository's) and `~/.config/cria/commands/` (the user's). `/NAME ARGS`
//! sends the file's text as the request, with `$ARGUMENTS` replaced by ARGS and `$1`…`$9` by its
//! words. A YAML front matter's `description:` (or else the first line) is what `/help` shows.
//! The text is a prompt and nothing else: no command in it is run.

use std::path::{Path, PathBuf};

/// One command file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custom {
    pub name: String,
    pub description: String,
    pub body: String,
    pub from: PathBuf,
}

/// The names cria's own commands take; a file cannot replace them.
pub const BUILTIN: &[&str] = &[
    "help", "?", "quit", "exit", "q", "diff", "undo", "clear", "context", "model", "tests", "plan",
];

/// The user's commands, then the repository's (which replace a user's of the same name), by
/// name; unreadable files and builtin names are left out.
pub fn load(root: &Path) -> Vec<Custom> {
    let user = crate::config_file::user_config_path()
        .parent()
        .map(|d| d.join("commands"));
    load_from(user.as_deref(), root)
}

/// [`load`] with the user's folder given.
pub fn load_from(user: Option<&Path>, root: &Path) -> Vec<Custom> {
    let mut out: Vec<Custom> = Vec::new();
    let repo = root.join(".cria").join("commands");
    for dir in user.into_iter().chain([repo.as_path()]) {
        for custom in read_dir(dir) {
            out.retain(|c| c.name != custom.name);
            out.push(custom);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn read_dir(dir: &Path) -> Vec<Custom> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let usable = !name.is_empty()
            && !BUILTIN.contains(&name)
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !usable {
            continue;
        }
        // A command is a prompt: a huge file is a mistake, not a command.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.len() > 64 * 1024 {
            continue;
        }
        out.push(parse(name, &text, &path));
    }
    out
}

/// A command from its file's text.
pub fn parse(name: &str, text: &str, from: &Path) -> Custom {
    let (front, body) = front_matter(text);
    let description = front
        .lines()
        .find_map(|l| l.trim().strip_prefix("description:"))
        .map(|d| d.trim().trim_matches(['"', '\'']).to_string())
        .filter(|d| !d.is_empty())
        .or_else(|| {
            body.lines()
                .map(|l| l.trim().trim_start_matches('#').trim())
                .find(|l| !l.is_empty())
                .map(String::from)
        })
        .unwrap_or_default();
    Custom {
        name: name.to_string(),
        description: crate::tui::cells::first_line(&description, 60),
        body: body.trim().to_string(),
        from: from.to_path_buf(),
    }
}

/// (front matter, body): the text between a first line `---` and the next `---` line.
fn front_matter(text: &str) -> (&str, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return ("", text);
    };
    match rest.find("\n---\n") {
        Some(end) => (
            rest.get(..end).unwrap_or_default(),
            rest.get(end + 5..).unwrap_or_default(),
        ),
        None => ("", text),
    }
}

impl Custom {
    /// The request `/NAME args` sends.
    pub fn expand(&self, args: &str) -> String {
        let words: Vec<&str> = args.split_whitespace().collect();
        let asks = self.body.contains("$ARGUMENTS")
            || (1..=9).any(|n| self.body.contains(&format!("${n}")));
        let mut text = self.body.replace("$ARGUMENTS", args.trim());
        for n in (1..=9).rev() {
            let value = words.get(n - 1).copied().unwrap_or_default();
            text = text.replace(&format!("${n}"), value);
        }
        if !asks && !words.is_empty() {
            // Arguments the file does not place are still what the user said.
            text.push_str("\n\n");
            text.push_str(args.trim());
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_substituted() {
        let c = parse(
            "review",
            "---\ndescription: Review a file\n---\nReview $1 for $2 bugs.\nAll: $ARGUMENTS",
            Path::new("review.md"),
        );
        assert_eq!(c.description, "Review a file");
        assert_eq!(
            c.expand("src/a.rs  memory"),
            "Review src/a.rs for memory bugs.\nAll: src/a.rs  memory"
        );
        assert_eq!(c.expand(""), "Review  for  bugs.\nAll: ");
    }

    #[test]
    fn the_first_line_describes_a_command_without_front_matter() {
        let c = parse(
            "fixlint",
            "# Fix the lint errors\n\nRun the linter.",
            Path::new("x"),
        );
        assert_eq!(c.description, "Fix the lint errors");
        assert_eq!(
            c.expand("quickly"),
            "# Fix the lint errors\n\nRun the linter.\n\nquickly"
        );
    }

    #[test]
    fn the_repository_replaces_the_users_and_builtins_stay() {
        let home = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        let user = home.path().join("commands");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("same.md"), "from the user").unwrap();
        std::fs::write(user.join("mine.md"), "only mine").unwrap();
        let local = repo.path().join(".cria/commands");
        std::fs::create_dir_all(&local).unwrap();
        std::fs::write(local.join("same.md"), "from the repository").unwrap();
        std::fs::write(local.join("undo.md"), "not a replacement").unwrap();
        std::fs::write(local.join("notes.txt"), "not a command").unwrap();
        let found = load_from(Some(&user), repo.path());
        let names: Vec<_> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["mine", "same"]);
        assert_eq!(found[1].body, "from the repository");
    }
}
