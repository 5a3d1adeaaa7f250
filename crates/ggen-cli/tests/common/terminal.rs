//! `ggen` on a pseudo-terminal (stdin, stdout and stderr all terminals), as a person runs it.

use std::time::Duration;

use expectrl::{Eof, Expect};

use super::Scratch;

/// `ggen` on a pseudo-terminal, with everything it printed kept for the checks.
pub struct Terminal {
    session: expectrl::session::OsSession,
    seen: Vec<u8>,
}

impl Terminal {
    pub fn spawn(scratch: &Scratch, args: &[&str]) -> Terminal {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("ggen"));
        command
            .args(args)
            .current_dir(scratch.work())
            .env("GGEN_HOME", scratch.home())
            .env_remove("GGEN_REGISTRY")
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        let mut session = expectrl::Session::spawn(command).expect("spawn ggen on a pty");
        session.set_expect_timeout(Some(Duration::from_secs(60)));
        Terminal {
            session,
            seen: Vec::new(),
        }
    }

    pub fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self.seen.extend_from_slice(found.as_bytes()),
            Err(err) => panic!(
                "waiting for {text:?}: {err}; the terminal showed:\n{}",
                String::from_utf8_lossy(&self.seen)
            ),
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("type on the pty");
    }

    /// Waits for the end; the exit code and everything shown.
    pub fn finish(mut self) -> (i32, String) {
        if let Ok(rest) = self.session.expect(Eof) {
            self.seen.extend_from_slice(rest.as_bytes());
        }
        let status = self.session.get_process().wait().expect("wait for ggen");
        let code = match status {
            expectrl::process::unix::WaitStatus::Exited(_, code) => code,
            other => panic!("ggen ended with {other:?}"),
        };
        (code, String::from_utf8_lossy(&self.seen).into_owned())
    }
}
