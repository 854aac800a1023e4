//! The tools that run commands: `run_tests` and `shell`. Both go through the session's runner
//! (sandbox, process group, timeout, capped output); a command the model chose is approved
//! first, the configured test command is not.

use super::{ToolEnv, ToolOutput};
use crate::sandbox::process::head_tail;
use crate::testcmd;

pub(super) fn run_tests(env: &ToolEnv<'_>, command: Option<&str>) -> ToolOutput {
    let chosen = command.filter(|c| Some(c.trim()) != env.test_cmd.map(str::trim));
    let Some(cmd) = chosen.or(env.test_cmd) else {
        return ToolOutput::err("this project has no test command; pass `command`");
    };
    if chosen.is_some() {
        if let Err(why) = (env.approve)(cmd) {
            return ToolOutput::err(format!("not run: {why}"));
        }
    }
    let run = testcmd::run(env.runner, cmd, env.root.path(), env.test_timeout);
    let text = format!("{}\n{}", testcmd::summary(&run), run.output);
    ToolOutput {
        ok: true,
        text,
        tests: Some(run),
        edit: None,
    }
}

pub(super) fn shell(env: &ToolEnv<'_>, command: &str) -> ToolOutput {
    if command.trim().is_empty() {
        return ToolOutput::err("`shell` needs a non-empty `command`");
    }
    if let Err(why) = (env.approve)(command) {
        return ToolOutput::err(format!("not run: {why}"));
    }
    let out = match env.runner.run(command, env.root.path(), env.shell_timeout) {
        Ok(out) => out,
        Err(e) => return ToolOutput::err(format!("could not start the command: {e}")),
    };
    let status = if out.timed_out {
        format!(
            "timed out after {:.0} s and was stopped",
            env.shell_timeout.as_secs_f64()
        )
    } else {
        match out.exit_code {
            Some(code) => format!("exit {code}"),
            None => "killed by a signal".into(),
        }
    };
    let shown = head_tail(out.output.trim_end(), 2_000, 4_000);
    let size = if shown.len() < out.total_bytes {
        format!(
            "; {} bytes of output, the beginning and the end shown",
            out.total_bytes
        )
    } else {
        String::new()
    };
    ToolOutput {
        ok: out.success(),
        text: format!(
            "$ {command}\n{status} ({:.1} s{size})\n{shown}",
            out.seconds
        ),
        ..Default::default()
    }
}
