//! What reaches a terminal: text from untrusted files made harmless, and writes that never fail the
//! run.
//!
//! File names, frontmatter values and file contents come from libraries other people wrote. Printed
//! raw, an escape sequence in one of them could retitle the terminal, clear lines or hide text, a
//! newline could forge a line of the report, and a bidirectional override could make text read
//! differently from what it is. Everything printed for a person goes through [`escape`] (one line)
//! or [`escape_keeping_lines`] (text of several lines, such as a diff).
//!
//! A closed or full stdout or stderr is not a reason to lose the work of a run: messages on stderr
//! are written with [`eprint_line`], which ignores a failed write (`eprintln!` panics), and a reader
//! that went away from stdout (`| head`) is met with [`StopOnClosedPipe`].

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Whether printing `c` could move the cursor, start an escape sequence, end a line or change the
/// direction of the text around it: C0 and C1 control characters, DEL, the line and paragraph
/// separators and the bidirectional formatting characters (embeddings, overrides, isolates, marks).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// One line of untrusted text, safe to print: every character [`is_unsafe`] is written as a Rust
/// escape (`\n`, `\t`, `\u{1b}`, `\u{202e}`), so it can be seen but does nothing.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// Text of several lines, safe to print: as [`escape`], but line feeds and tabs are kept.
pub fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

/// A path, as [`escape`] prints it.
pub fn path(path: &Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `message` and a line feed to stderr, escaped as [`escape`] does. A failed write is
/// ignored: a message nobody can read is no reason to stop, or to panic as `eprintln!` would.
pub fn eprint_line(message: &str) {
    let mut line = escape(message).into_owned();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A writer that stops writing, quietly, once the reader has gone away (a broken pipe: `| head`).
/// Everything after that is dropped as if written, so the run goes on to its end, writes its other
/// outputs and returns the exit code it earned. Other write errors are passed on.
pub struct StopOnClosedPipe<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> StopOnClosedPipe<W> {
    pub fn new(inner: W) -> Self {
        StopOnClosedPipe {
            inner,
            closed: false,
        }
    }

    /// Whether the reader went away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn absorb<T>(&mut self, result: std::io::Result<T>, instead: T) -> std::io::Result<T> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(instead)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for StopOnClosedPipe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.absorb(result, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.absorb(result, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_escaped() {
        let hostile = "a\u{1b}]0;owned\u{7}b\nc\rd\te\u{9b}f\u{202e}g\u{2066}h\u{2028}i\u{7f}";
        let shown = escape(hostile);
        assert_eq!(
            shown,
            "a\\u{1b}]0;owned\\u{7}b\\nc\\rd\\te\\u{9b}f\\u{202e}g\\u{2066}h\\u{2028}i\\u{7f}"
        );
        assert!(!shown.chars().any(is_unsafe));
        let lines = escape_keeping_lines("line\u{1b}[2K one\n\tline two\r\n");
        assert_eq!(lines, "line\\u{1b}[2K one\n\tline two\\r\n");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let text = "plugins/été/agents/backend-architect.md — “quoted” 日本語";
        assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
    }

    /// A writer whose reader has gone away.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("no space left"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_stops_output_but_not_the_writer() {
        let mut out = StopOnClosedPipe::new(Closed);
        assert!(writeln!(out, "first").is_ok());
        assert!(out.closed());
        assert!(writeln!(out, "second").is_ok() && out.flush().is_ok());
        let mut full = StopOnClosedPipe::new(Full);
        assert!(writeln!(full, "x").is_err(), "other errors are passed on");
        assert!(!full.closed());
    }
}
