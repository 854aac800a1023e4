//! The text the model sees: the system prompt (with a format example built from the real
//! repository, never a placeholder path it could copy), the first task message with the
//! localized code, and the short follow-ups after edits and test runs.

pub use crate::context::shown::{fence_lang, render_file, ShownFile};
use crate::protocol::TestRun;
use crate::sandbox::process::head_tail;

const SYSTEM: &str = include_str!("../../prompts/system.md");
const TASK: &str = include_str!("../../prompts/task.md");

/// What the example's REPLACE holds: a description, so a model that copies the example verbatim
/// writes an edit cria recognizes and refuses instead of applying.
pub const EXAMPLE_PLACEHOLDER: &str = "<your corrected version of the lines above>";

/// The reply is made to begin with this, so the model reasons about the cause before it edits
/// (and does not start by copying the format example).
pub const PREFILL: &str = "The cause of the problem is";

/// A SEARCH/REPLACE example on a real line of a real file, with a placeholder REPLACE.
pub fn example(files: &[ShownFile]) -> String {
    let found = files.iter().find_map(|f| {
        let line = f.content.lines().find(|l| {
            let t = l.trim();
            t.len() > 8 && t.len() < 70 && !t.starts_with(['#', '/', '"', '\''])
        })?;
        Some((f.path.as_str(), line))
    });
    let (path, line) = found.unwrap_or(("main.py", "print(\"hello\")"));
    let lang = fence_lang(path);
    format!("{path}\n```{lang}\n<<<<<<< SEARCH\n{line}\n=======\n{EXAMPLE_PLACEHOLDER}\n>>>>>>> REPLACE\n```")
}

pub fn system(files: &[ShownFile]) -> String {
    SYSTEM
        .replace("{example}", &example(files))
        .trim_end()
        .to_string()
}

pub fn tests_section(run: Option<&TestRun>) -> String {
    match run {
        Some(r) if !r.passed => format!(
            "# Failing tests (`{}`)\n```\n{}\n```\n\n",
            r.command,
            head_tail(r.output.trim(), 1_200, 2_400)
        ),
        Some(r) => format!(
            "# Tests\n`{}` currently passes; the problem is not covered by a test yet.\n\n",
            r.command
        ),
        None => String::new(),
    }
}

/// Files named in the first prompt's list; a longer list is cut (the caller ranks it first).
use crate::context::select::LISTED_FILES;

pub fn task(
    issue: &str,
    tests: Option<&TestRun>,
    file_list: &[String],
    map: &str,
    files: &[ShownFile],
) -> String {
    let list = if file_list.len() > LISTED_FILES {
        let mut l = file_list.get(..LISTED_FILES).unwrap_or_default().join("\n");
        l.push_str(&format!(
            "\n... and {} more",
            file_list.len() - LISTED_FILES
        ));
        l
    } else {
        file_list.join("\n")
    };
    let shown: String = files.iter().map(render_file).collect();
    TASK.replace("{issue}", issue.trim())
        .replace("{tests}", &tests_section(tests))
        .replace("{file_list}", &list)
        .replace("{map}", map)
        .replace("{files}", &shown)
}

/// After an edit that applied and got the failing tests further, but not to passing: it is
/// kept. `fewer`: fewer of them fail (else the same fail later in their tests).
pub fn still_failing(run: &TestRun, files: &[ShownFile], fewer: bool) -> String {
    let further = if fewer {
        "fewer tests fail"
    } else {
        "the failing tests get past the assertion that failed before"
    };
    let mut s = format!(
        "The edit applied and {further}, so it was kept. `{}` still fails:\n```\n{}\n```\nThe files now read:\n\n",
        run.command,
        head_tail(run.output.trim(), 800, 1_600)
    );
    for f in files {
        s.push_str(&render_file(f));
    }
    s.push_str("Fix the remaining problem with SEARCH/REPLACE blocks.");
    s
}

/// A fresh start after attempts that applied but did not help (they were reverted).
pub fn retry(tried: &[String], run: &TestRun) -> String {
    let mut s = String::from("These changes were tried and did NOT fix the problem, so they were undone. Do not repeat them:\n");
    for (i, diff) in tried.iter().enumerate().rev().take(3) {
        s.push_str(&format!(
            "Attempt {}:\n```diff\n{}```\n",
            i + 1,
            head_tail(diff, 600, 300)
        ));
    }
    s.push_str(&format!(
        "With the last attempt, `{}` failed with:\n```\n{}\n```\nThe files are back as shown above. Think about the cause again and write a different fix as SEARCH/REPLACE blocks.",
        run.command,
        head_tail(run.output.trim(), 600, 1_200)
    ));
    s
}

/// When the reply made exactly a change that was already tried.
pub const ALREADY_TRIED: &str = "You made exactly the same change as an earlier attempt that did not fix the problem; it was undone again. Make a different change.";

/// After edit blocks that could not be applied.
pub fn edit_failed(failures: &[String]) -> String {
    let mut s = String::from("Your edit could not be applied, so nothing changed:\n");
    for f in failures {
        s.push_str("- ");
        s.push_str(f);
        s.push('\n');
    }
    s.push_str(
        "Write the SEARCH/REPLACE block again, copying the SEARCH lines exactly from the file.",
    );
    s
}

/// After an edit that changed the test cria added to reproduce the issue.
pub const TEST_IS_THE_JUDGE: &str = "Your edit changed a test, so it was undone. The tests show the bug and are correct: fix the code they test, and leave the tests as they are.";

/// After the user rejected a change.
/// A `Stop` hook's objection, for the model.
pub fn stop_hook(why: &str) -> String {
    format!(
        "Not done yet: a check the user configured objects to the code as it is now:\n{why}\n\
         Change the code so that this check is satisfied too, keeping what already works."
    )
}

pub const REJECTED: &str =
    "Nothing was changed. Propose a different fix, or explain what you would need to know.";

/// When an edit block is the format example copied verbatim.
pub const COPIED_EXAMPLE: &str = "That block is the format example from the instructions, copied: REPLACE must hold your corrected code. Nothing was changed. Write the real fix.";

/// When a change special-cased a failing test's `input` instead of fixing the rule.
pub fn hard_coded(input: &str) -> String {
    format!(
        "That change compares the input to `{input}` and returns the value the test expects: it \
         only makes that one test pass, so it was undone. Fix the general rule the issue \
         describes, for every input, not the test's example."
    )
}

/// For the model that takes over a run (`--escalate`): what it inherits.
pub fn escalated(tried: &[String]) -> String {
    let mut s = String::from(
        "Another, smaller model worked on this problem above and did not fix it. You take over: \
         the files, the tests and the conversation above are yours.",
    );
    if !tried.is_empty() {
        s.push_str(" These changes were tried and did not make the tests pass (they were undone):");
        for diff in tried.iter().rev().take(3) {
            s.push_str("\n```diff\n");
            s.push_str(diff.trim_end());
            s.push_str("\n```");
        }
    }
    s.push_str("\nFind the real cause and write the fix as SEARCH/REPLACE blocks.");
    s
}

/// When the reply had neither edits nor tool calls.
pub const NUDGE: &str = "You have not changed any file yet. Write the fix now as a SEARCH/REPLACE block, with the file's path on the line above `<<<<<<< SEARCH`.";

/// When the reply repeated an identical failed edit.
pub const REPEATED: &str = "You wrote the same edit as before, and it fails the same way. Try something different: re-read the code around the error and change another line.";
/// Text from files and tools is data: special tokens in it must not reach the tokenizer as
/// control tokens, and `<tool_call>` in a file must not look like a call.
pub fn sanitize(text: &str) -> String {
    text.replace("<|", "<\u{200b}|")
        .replace(crate::toolcall::OPEN, "<tool\u{200b}_call>")
        .replace(crate::toolcall::CLOSE, "</tool\u{200b}_call>")
}
