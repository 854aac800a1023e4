//! The model's test of the issue's examples, for [`super::accept`] when cria cannot write one
//! itself: the request, and the checks a test must pass to count — it holds a test, keeps the
//! issue's own inputs, does not expect the output the issue calls wrong, and fails on the code
//! before the change (with the output the issue reports, when it fails on the change too, and
//! not alike on an error of its own setup). One that checks nothing comes back as [`Rejected`], to be corrected once
//! with the model told why. A test of one other case the issue names (`focus`) may use inputs
//! of its own, but must speak of that case.

use std::time::{Duration, Instant};

use regex::Regex;

use super::accept::{Verdict, Writer, PASSES_BEFORE};
use super::corrected::Reasserted;
use crate::agent::prompt::{self, ShownFile};
use crate::agent::reassert;
use crate::agent::reproduce;
use crate::agent::run::Run;
use crate::agent::sampling::{budget, test_variants};
use crate::agent::stated;
use crate::context::{localize, tags};
use crate::model::BackendError;
use crate::protocol::Message;
use crate::sandbox::process::head_tail;

/// Why a candidate test is not run: it is one already tried (or the one being corrected).
const REPEATED: &str = "it repeats a test already tried";

/// Why a candidate test is not run: it is one of the file's own tests again.
pub(super) const COPIED: &str =
    "it repeats a test the file already has, so it checks nothing the project's tests do not";

/// A reply whose test was not kept: the test (or the reply, when it held none) and why.
pub(super) struct Rejected {
    pub(super) reply: String,
    pub(super) why: String,
}

/// The request for a test of every case the issue states against the changed code, or of the one
/// case `focus` (a sentence of the issue's, and the project's definitions it names) when given.
/// `code`: the files to show with the issue, or `None` when the conversation already shows both
/// (the request follows the run's task).
fn request(
    issue: &str,
    path: &str,
    body: &str,
    diff: &str,
    code: Option<&[ShownFile]>,
    focus: Option<(&str, &[String])>,
) -> String {
    let lang = prompt::fence_lang(path);
    let mut s = String::new();
    match code {
        Some(code) => {
            s.push_str(&format!("This issue was reported:\n\n{}\n\n", issue.trim()));
            for f in code.iter().filter(|f| f.path != path).take(2) {
                s.push_str(&prompt::render_file(f));
            }
            s.push_str("A change was made to fix it:");
        }
        None => s.push_str("A change was made to fix the problem above:"),
    }
    s.push_str(&format!(
        "\n```diff\n{}\n```\n\nThe test file {path}:\n```{lang}\n{}\n```\n\n",
        head_tail(diff.trim_end(), 2_000, 1_000),
        head_tail(body.trim_end(), 3_000, 1_500)
    ));
    let shape = reproduce::shape(path, body);
    if let Some((case, named)) = focus {
        s.push_str(&format!(
            "The issue also says: \"{case}\". Write {shape} to add at the end of {path} that \
             checks that case: set it up like the issue's example, and assert what the issue says \
             should happen (no more than 15 lines in all). Use only names the test file already \
             imports. Reply with the test code only, in one ```{lang} block."
        ));
        let named: Vec<String> = named.iter().map(|n| format!("`{n}`")).collect();
        if !named.is_empty() {
            s.push_str(&format!(" That case is {}: call it.", named.join(", ")));
        }
        if let Some(hint) = stated::stated(issue).hint() {
            s.push(' ');
            s.push_str(&hint);
        }
        return s;
    }
    s.push_str(&format!(
        "Write {shape} to add at the end of {path} that checks every input and expected output the \
         issue states: each example it gives, and each error it says should happen, one short \
         assertion each (no more than 15 lines in all). Use only names the test file already \
         imports. Reply with the test code only, in one ```{lang} block."
    ));
    let examples = reproduce::stated_examples(issue);
    if examples.len() > 1 {
        let listed: Vec<String> = examples.iter().map(|e| format!("`{e}`")).collect();
        s.push_str(&format!(
            " The issue's examples include {}: check each of them.",
            listed.join(", ")
        ));
    }
    s.push_str(&stated::request_notes(issue));
    s
}

/// The project's definitions the issue's sentence `case` names ("The overtime figure on the
/// report…" names `overtime`), in the files shown to the model other than tests: a test of that
/// case calls one of them.
fn named_definitions(case: &str, shown: &[ShownFile]) -> Vec<String> {
    let Ok(ident) = Regex::new(r"[A-Za-z_][A-Za-z0-9_]{2,}") else {
        return Vec::new();
    };
    let words: Vec<&str> = ident.find_iter(case).map(|m| m.as_str()).collect();
    let mut names: Vec<String> = Vec::new();
    for f in shown.iter().filter(|f| !localize::is_test_path(&f.path)) {
        for tag in tags::file_tags(&f.path, f.content.as_bytes()) {
            if tag.def && words.contains(&tag.name.as_str()) && !names.contains(&tag.name) {
                names.push(tag.name);
            }
        }
    }
    names
}

/// Whether `code` calls `name` (`overtime(`, `q.pending()`): a test named after it
/// (`fn pending_corrected()`) that calls something else does not.
fn calls(code: &str, name: &str) -> bool {
    let name = regex::escape(name);
    let (Ok(call), Ok(def)) = (
        Regex::new(&format!(r"\b{name}\s*\(")),
        Regex::new(&format!(r"\b(?:fn|def|function)\s+{name}\s*\(")),
    ) else {
        return false;
    };
    call.find_iter(code).count() > def.find_iter(code).count()
}

/// What the model is told after a test of its that was not kept: why, and what the issue says
/// should happen, in its own words — the test itself stays in the conversation to be corrected.
fn retry(issue: &str, path: &str, why: &str) -> String {
    let mut s = format!("That test cannot be kept: {why}.");
    let said: Vec<String> = stated::expectations(issue)
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect();
    if !said.is_empty() {
        s.push_str(&format!(" The issue says: {}", said.join(" ")));
    }
    s.push_str(&format!(
        " Correct the test; reply with the corrected test only, in one ```{} block.",
        prompt::fence_lang(path)
    ));
    s
}

impl Run<'_> {
    /// Whether another step that takes about `took` fits in the run's steps and time.
    pub(super) fn time_for(&self, took: Duration) -> bool {
        self.steps_left() && self.deadline().saturating_duration_since(Instant::now()) > took
    }

    /// Ask the model for a test of the issue's examples (of the case `focus` alone, when given),
    /// and once more, told why, when its first checks nothing, `again` and the first took less
    /// than the time left.
    pub(super) fn examples_asked(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        focus: Option<&str>,
        again: bool,
    ) -> Verdict {
        let started = Instant::now();
        match self.model_examples(path, body, cmd, None, focus) {
            Verdict::Flawed(rejected) if again && self.time_for(started.elapsed()) => {
                self.status(format!(
                    "the test of the issue's examples was not kept: {}; asking once more",
                    rejected.why
                ));
                self.model_examples(path, body, cmd, Some(&rejected), focus)
            }
            verdict => verdict,
        }
    }

    /// Ask the model for a test of the issue's examples, or of the case `focus` (after
    /// `rejected`, its last one, to correct that), put it in, and run the tests. A correction
    /// comes with freer candidates decoded beside the greedy one where the backend decodes
    /// several at once: told why its test was not kept, a small model's greedy reply often
    /// repeats it word for word, or swaps one wrong value for another. The candidates are
    /// taken in order, and the first counts that keeps the issue's inputs, fails on the code
    /// before the change and passes with it; a corrected test that fails with the change is
    /// never a judge of it (see `examples_run`), so the next is tried. A test of the
    /// model's first reply has no others beside it: when it fails on the change, it judges.
    fn model_examples(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        rejected: Option<&Rejected>,
        focus: Option<&str>,
    ) -> Verdict {
        let named = focus
            .map(|case| named_definitions(case, &self.shown))
            .unwrap_or_default();
        let replies = match self.examples_replies(path, body, rejected, focus, &named) {
            Ok(replies) => replies,
            Err(e) => return Verdict::Unavailable(e.to_string()),
        };
        let mut flaws: Vec<Rejected> = Vec::new();
        let mut tried: Vec<String> = rejected
            .map(|r| r.reply.trim().to_string())
            .into_iter()
            .collect();
        let unchecked = self.values_unchecked(focus);
        let mut left = replies.len();
        for reply in replies {
            left -= 1;
            let screened = screen(&self.issue, &reply, path, body, focus, &named)
                .and_then(|checked| leaves_none_out(checked, &unchecked))
                .and_then(|(code, name)| {
                    if tried.iter().any(|t| t == code.trim()) {
                        return Err(Rejected {
                            reply: code,
                            why: REPEATED.into(),
                        });
                    }
                    tried.push(code.trim().to_string());
                    Ok((code, name))
                });
            let verdict = match screened {
                Ok((code, name)) => {
                    self.examples_run(path, body, cmd, (code, name), rejected, focus)
                }
                Err(flaw) => Verdict::Flawed(flaw),
            };
            let Verdict::Flawed(flaw) = verdict else {
                return verdict;
            };
            let more = left > 0 && Instant::now() < self.deadline();
            if more {
                self.status(format!("a candidate test was not kept: {}", flaw.why));
            }
            flaws.push(flaw);
            if !more {
                break;
            }
        }
        // The reason given: the first that says what was wrong with a test, not that it came
        // again — the test corrected, when every candidate repeated it.
        if let Some(said) = flaws.iter().position(|f| f.why != REPEATED) {
            return Verdict::Flawed(flaws.swap_remove(said));
        }
        Verdict::Flawed(match (rejected, flaws.pop()) {
            (Some(r), Some(_)) => Rejected {
                reply: r.reply.clone(),
                why: r.why.clone(),
            },
            (_, flaw) => flaw.unwrap_or(Rejected {
                reply: String::new(),
                why: "the reply held no test code".into(),
            }),
        })
    }

    /// The values the issue says should come out that the tests cria wrote of its cases leave
    /// out (they had no call cria could place them with): a test of the issue's examples must
    /// check them, or the change that passes it is not verified by it. None for a test of one
    /// case (`focus`), or when no test of cria's stands.
    fn values_unchecked(&self, focus: Option<&str>) -> Vec<String> {
        let Some(repro) = (self.repro.as_ref()).filter(|r| !r.complete && focus.is_none()) else {
            return Vec::new();
        };
        let expected = stated::stated(&self.issue).expected;
        (reassert::usable(&expected))
            .filter(|value| !checks_value(&repro.code, value))
            .cloned()
            .collect()
    }

    /// The model's replies to the request for a test (one, or one per candidate on a
    /// correction). Once the model has answered in the run's conversation, its first two
    /// messages (the system prompt and the task: the issue and the code) are in the model's
    /// cache, and the request follows them alone — not the steps since: the test is asked of the
    /// issue, not of the attempts — and the steps after it still find them cached. Before that
    /// (a one-token change passed first), the request is a conversation of its own, shorter than
    /// the task it would otherwise have to process.
    fn examples_replies(
        &mut self,
        path: &str,
        body: &str,
        rejected: Option<&Rejected>,
        focus: Option<&str>,
        named: &[String],
    ) -> Result<Vec<String>, BackendError> {
        let diff = self.work.diff(&self.cfg.root);
        let answered = self.talk.history.len() > 2;
        let task = (self.talk.history.get(..2))
            .filter(|_| answered)
            .map(<[Message]>::to_vec);
        let shown = task.is_none().then_some(self.shown.as_slice());
        let start = task.unwrap_or_else(|| vec![Message::system(prompt::system(&self.shown))]);
        let saved = std::mem::replace(&mut self.talk.history, start);
        let lang = prompt::fence_lang(path);
        let focused = focus.map(|case| (case, named));
        self.tell(&request(&self.issue, path, body, &diff, shown, focused));
        // A copy of the file's own test is corrected from inside a test cria opens, with the
        // issue's example told again (see `reproduce::test_head`).
        let copied = rejected.is_some_and(|r| r.why == COPIED);
        if let Some(rejected) = rejected {
            self.talk.history.push(Message::assistant(format!(
                "```{lang}\n{}\n```",
                rejected.reply.trim_end()
            )));
            let mut told = retry(&self.issue, path, &rejected.why);
            if copied {
                told.push_str(&reproduce::restated(&self.issue));
            }
            self.tell(&told);
        }
        // Greedy, the correction's first candidate too: what it is told is what should change
        // the test.
        self.sampling.greedy();
        let prefill = match copied {
            true => reproduce::test_head(path, body),
            false => format!("```{lang}\n"),
        };
        let stops = reproduce::test_stops(path);
        let width = self.backend.parallel_width();
        let replies = if rejected.is_some() && width > 1 {
            let variants = test_variants(self.report.steps + 1, width);
            self.generate_variants(&prefill, stops, None, budget::TEST, &variants)
        } else {
            self.generate_test(path, &prefill).map(|reply| vec![reply])
        };
        self.talk.history = saved;
        replies
    }

    /// Put the model's test `code` (named `name`) in and run the tests: whether the issue's
    /// examples pass with the change, and fail without it. `rejected`: the test corrects that;
    /// `focus`: the test is of that other case alone.
    fn examples_run(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        (mut code, name): (String, String),
        rejected: Option<&Rejected>,
        focus: Option<&str>,
    ) -> Verdict {
        let flawed = |code: &str, why: String| {
            Verdict::Flawed(Rejected {
                reply: code.to_string(),
                why,
            })
        };
        let mut placed = self.insert_and_run(path, body, &code, cmd);
        if let Some((run, changes)) = &placed {
            let import = (!run.passed)
                .then(|| self.import_line(run, path, body))
                .flatten();
            if let Some(import) = import {
                self.remove_test(changes);
                self.status(format!("the new test lacks an import; adding `{import}`"));
                code = format!("{import}\n{code}");
                placed = self.insert_and_run(path, body, &code, cmd);
            }
        }
        let Some((mut run, mut changes)) = placed else {
            return Verdict::Unavailable(format!("it could not be added to {path}"));
        };
        let fails_for_the_issue = !run.passed && reproduce::judge(&run, &name, &self.issue).is_ok();
        // The issue's values are its first case's: a test of another case has none to assert.
        if fails_for_the_issue && focus.is_none() {
            match self.reasserted(path, body, cmd, &code, &name, &changes) {
                Reasserted::Kept => return Verdict::Pass,
                Reasserted::Lost(stop) => return Verdict::Lost(stop),
                Reasserted::Gone => {
                    return Verdict::Unavailable(format!("it could not be put back in {path}"))
                }
                Reasserted::Unchanged => {}
                Reasserted::Back(again, put) => (run, changes) = (again, put),
            }
        }
        // A test of another case the issue says goes wrong the same way (asked for, or written
        // when asked for the issue's examples) is held to the first case's correction.
        let others = focus.is_some() || !stated::other_cases(&self.issue).is_empty();
        if fails_for_the_issue && others {
            if let Some(carried) = self.same_correction(&code, &run, &name) {
                if !self.remove_test(&changes) {
                    return Verdict::Unavailable(format!("it could not be taken out of {path}"));
                }
                let Some(placed) = self.insert_and_run(path, body, &carried, cmd) else {
                    return Verdict::Unavailable(format!("it could not be added to {path}"));
                };
                (run, changes) = placed;
                code = carried;
            }
        }
        let keep = |run: &mut Self| run.keep_examples(&changes, path, &name, &code);
        if run.passed {
            match self.fails_without_the_change(path, std::slice::from_ref(&name), cmd) {
                Ok(true) => {}
                Ok(false) => {
                    self.remove_test(&changes);
                    return flawed(&code, format!("`{name}` {PASSES_BEFORE}"));
                }
                Err(stop) => return Verdict::Lost(stop),
            }
            keep(self);
            self.status(format!("the issue's examples pass too (`{name}`)"));
            return Verdict::Pass;
        }
        let mut judged = reproduce::judge(&run, &name, &self.issue);
        if judged.is_ok() {
            match self.run_before_the_change(path, std::slice::from_ref(&name), cmd) {
                // Failing before the change as it fails after, it is the judge of an
                // incomplete change only if it shows the bug the issue reports: a test of
                // inputs of its own making would fail after a right change as well.
                Ok((true, before)) => {
                    let own = before.and_then(|before| {
                        reproduce::not_the_reported_output(&before.output, &name, &self.issue)
                            .or_else(|| {
                                let (was, now) = (&before.output, &run.output);
                                reproduce::own_error(was, now, &name, &self.issue)
                            })
                    });
                    if let Some(why) = own {
                        judged = Err(why);
                    }
                }
                Ok((false, _)) => {
                    judged = Err("it passes on the code before the change too: it asserts \
                                  what the issue calls wrong"
                        .into())
                }
                Err(stop) => return Verdict::Lost(stop),
            }
        }
        match judged {
            // A corrected test is a check, never a judge: told its first asserted the wrong
            // output, a small model as often swaps in another wrong one, and the run would chase
            // it. The next candidate, if any, is tried.
            Ok(()) if rejected.is_some() => {
                self.remove_test(&changes);
                flawed(
                    &code,
                    format!("the corrected test `{name}` fails on the change too"),
                )
            }
            Ok(()) => {
                keep(self);
                self.status(format!(
                    "the change is incomplete: the issue's examples fail in `{name}`"
                ));
                Verdict::Fail(run, changes, name, Writer::Model)
            }
            Err(why) => {
                self.remove_test(&changes);
                flawed(&code, why)
            }
        }
    }
}

/// `checked` (a test's code and name) when its code checks each of `values`, else why not.
fn leaves_none_out(
    checked: (String, String),
    values: &[String],
) -> Result<(String, String), Rejected> {
    let left_out: Vec<String> = (values.iter())
        .filter(|value| !checks_value(&checked.0, value))
        .map(|value| format!("`{value}`"))
        .collect();
    if left_out.is_empty() {
        return Ok(checked);
    }
    Err(Rejected {
        reply: checked.0,
        why: format!(
            "the test written leaves out what the issue says should come out ({}), and no other \
             test checks it",
            left_out.join(", ")
        ),
    })
}

/// Whether `code` speaks of `value`: holds it, or all of it after its first word (`1m 00s` for
/// `ETA 1m 00s`: a test of the function that writes the duration alone).
fn checks_value(code: &str, value: &str) -> bool {
    let value = value.trim();
    code.contains(value)
        || value
            .split_once(' ')
            .is_some_and(|(_, rest)| rest.trim().chars().count() >= 3 && code.contains(rest.trim()))
}

/// The checks a reply's test must pass before it is run (its code and name when it does): it
/// holds a test function, keeps the issue's own inputs — or, for the case `focus`, calls what
/// that case `named` and speaks of it — and does not expect what the issue calls wrong (a
/// value in the shape of one the issue expects is put right first: `stated::respelled`).
fn screen(
    issue: &str,
    reply: &str,
    path: &str,
    body: &str,
    focus: Option<&str>,
    named: &[String],
) -> Result<(String, String), Rejected> {
    let flawed = |reply: &str, why: String| Rejected {
        reply: reply.to_string(),
        why,
    };
    let Some(code) = reproduce::test_code(reply, path, body) else {
        return Err(flawed(reply, "the reply held no test code".into()));
    };
    let Some(name) = reproduce::test_name(&code) else {
        return Err(flawed(
            &code,
            "it has no test function cria can recognize".into(),
        ));
    };
    // A test of another case has inputs of its own ("Korean won amounts have the same
    // problem"), but must speak of that case.
    if let Some(case) = focus {
        if let Some(name) = named
            .first()
            .filter(|_| !named.iter().any(|n| calls(&code, n)))
        {
            return Err(flawed(
                &code,
                format!("the test written does not call `{name}`"),
            ));
        }
        if !stated::touches(&code, case) {
            return Err(flawed(
                &code,
                format!("the test written does not check \"{case}\""),
            ));
        }
    }
    // A copy is refused after those: a test of another case learns first what it must call.
    if reproduce::copied(&code, body) {
        return Err(flawed(&code, COPIED.into()));
    }
    let left_out = match focus {
        Some(_) => Vec::new(),
        None => reproduce::inputs_left_out(&code, issue),
    };
    if !left_out.is_empty() {
        let quoted: Vec<String> = left_out.iter().map(|i| format!("\"{i}\"")).collect();
        return Err(flawed(
            &code,
            format!(
                "the test written leaves out the issue's own inputs ({})",
                quoted.join(", ")
            ),
        ));
    }
    // A value copied in the shape of one the issue expects, with other numbers: the issue's.
    let code = match stated::stated(issue).respelled(&code) {
        Some(fixed) => fixed.code,
        None => code,
    };
    if let Some(why) = stated::expects_wrong(issue, &code) {
        return Err(flawed(&code, why));
    }
    Ok((code, name))
}
