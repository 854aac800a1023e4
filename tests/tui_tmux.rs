//! The real binary's TUI in tmux, with the scripted backend: type a request, see the diff wait
//! for approval, press `y`, the file changes, `/quit` exits 0; `--resume` brings the session
//! back. The screens are saved as text (target/tmp/tui-captures/) — the README's screenshots.
//! tmux is installed by `make test` (scripts/install-deps); missing, this test fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Scratch;

const FIX: &str = "The discount is subtracted as an amount.\n\nshop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n```\n";

/// A tmux server of its own, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("cria-test-{}-{name}", std::process::id()),
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is needed for this test (scripts/install-deps installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Start `command` in a 100×34 window.
    fn start(&self, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            "cria",
            "-x",
            "100",
            "-y",
            "34",
            command,
        ]);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "cria"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "cria"];
        args.extend(keys);
        self.run(&args);
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "cria", "-l", text]);
    }

    /// Wait until the screen shows `text`; the screen then.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "waited 30 s for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn capture(name: &str, screen: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tui-captures");
    std::fs::create_dir_all(&dir).unwrap();
    let text: Vec<&str> = screen.lines().map(str::trim_end).collect();
    std::fs::write(
        dir.join(name),
        text.join("\n").trim_end().to_string() + "\n",
    )
    .unwrap();
}

fn wait_for_file(path: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return s;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} never appeared: cria did not exit", path.display());
}

/// The shell command that runs cria in `s` and records its exit status in `status`.
fn cria_command(s: &Scratch, script: &Path, status: &Path, extra: &str) -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cria"));
    format!(
        "env CRIA_STATE_DIR={state} CRIA_CACHE_DIR={state}/cache {bin} --script {script} --repo {repo} {extra}; echo $? > {status}; sleep 60",
        state = s.state.path().display(),
        bin = bin.display(),
        script = script.display(),
        repo = s.path().display(),
        status = status.display(),
    )
}

#[test]
fn type_a_request_approve_the_diff_quit_and_resume() {
    let s = Scratch::task("py-cart-discount");
    let script = s.script(&[
        "Let me look.\n<tool_call>\n{\"name\": \"grep\", \"arguments\": {\"pattern\": \"discount_percent\"}}\n</tool_call>",
        FIX,
    ]);
    let before = s.read("shop/cart.py");
    let status = s.state.path().join("exit-status");
    let tmux = Tmux::new("first");
    tmux.start(&cria_command(&s, &script, &status, ""));
    capture("start.txt", &tmux.wait_for("Describe a bug"));

    tmux.type_text("A 10% discount on 200.00 gives 190.00 instead of 180.00");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Apply this change?");
    capture("approval.txt", &screen);
    assert!(
        screen.contains("Proposed change to shop/cart.py"),
        "{screen}"
    );
    assert!(
        screen.contains("+        return round(subtotal * (1 - self.discount_percent / 100), 2)")
    );
    assert_eq!(
        s.read("shop/cart.py"),
        before,
        "nothing is written before `y`"
    );

    tmux.keys(&["y"]);
    let screen = tmux.wait_for("✓ Fixed");
    capture("fixed.txt", &screen);
    assert!(screen.contains("✓ tests pass"), "{screen}");
    assert!(s
        .read("shop/cart.py")
        .contains("return round(subtotal * (1 - self.discount_percent / 100), 2)"));

    tmux.type_text("/quit");
    tmux.keys(&["Enter"]);
    assert_eq!(wait_for_file(&status).trim(), "0");
    drop(tmux);

    // The session comes back with --resume.
    std::fs::remove_file(&status).unwrap();
    let tmux = Tmux::new("resumed");
    tmux.start(&cria_command(&s, &script, &status, "--resume"));
    let screen = tmux.wait_for("resumed the last session");
    assert!(screen.contains("✓ Fixed"), "{screen}");
    // Ctrl+C twice exits too, with the terminal restored and status 0.
    tmux.keys(&["C-c"]);
    tmux.keys(&["C-c"]);
    assert_eq!(wait_for_file(&status).trim(), "0");
}
