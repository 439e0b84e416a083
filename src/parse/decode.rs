//! Decoding and repairs, shared by every format: BOM, CRLF, invalid UTF-8, Mac Roman mojibake,
//! literal `\n` escapes. Every repair becomes a [`Diagnostic`].

use crate::model::{Diagnostic, Frontmatter};
use serde_yaml::{Mapping, Value};

/// The text of a file, decoded and repaired, or why its bytes are not text worth reading.
pub(crate) fn text_of(bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> Result<String, String> {
    if bytes.is_empty() {
        return Err(
            "empty file: nothing to read (delete it, or write the agent's frontmatter and prompt)"
                .to_owned(),
        );
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(
            "UTF-16 text, not UTF-8: the tools read agent files as UTF-8 (save it as UTF-8)"
                .to_owned(),
        );
    }
    if bytes.contains(&0) {
        return Err(
            "binary file (contains NUL bytes), not an agent definition; not read".to_owned(),
        );
    }
    Ok(decode_text(bytes, diagnostics))
}

/// Bytes → text with a BOM removed, line endings made `\n`, and mojibake repaired.
pub(crate) fn decode_text(bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> String {
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            diagnostics.push(Diagnostic::BomRemoved);
            (rest, 3)
        }
        None => (bytes, 0),
    };
    let mut text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(e) => {
            diagnostics.push(Diagnostic::InvalidUtf8Replaced {
                // An offset into the file as it is on disk, BOM included.
                first_bad_byte: bom + e.valid_up_to(),
            });
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
        diagnostics.push(Diagnostic::CrlfNormalized);
    }
    if let Some((repaired, lines)) = repaired_mojibake(&text) {
        diagnostics.push(Diagnostic::MojibakeRepaired { lines });
        text = repaired;
    }
    text
}

/// Undoes UTF-8 that was decoded as Mac Roman (`üìã` → `📋`), where that is unambiguous.
///
/// In such mojibake every byte of a multi-byte UTF-8 character became one non-ASCII character, so it
/// shows up as runs of non-ASCII characters. A run is repaired only when all of it maps back to Mac
/// Roman bytes and those bytes are valid UTF-8: a lone accented letter (`é`) never is, so real
/// non-English text is left alone. Returns the text and how many lines changed.
pub fn repair_mojibake(text: &str) -> (String, usize) {
    repaired_mojibake(text).unwrap_or_else(|| (text.to_owned(), 0))
}

/// [`repair_mojibake`], or `None` when it would change nothing: most text has no mojibake, and
/// then nothing is copied.
fn repaired_mojibake(text: &str) -> Option<(String, usize)> {
    if text.is_ascii() {
        return None;
    }
    let mut out = String::new();
    // `out` holds `text[..copied]`, repaired; unchanged lines after that are copied in one go.
    let mut copied = 0;
    let mut offset = 0;
    let mut changed_lines = 0;
    for line in text.split_inclusive('\n') {
        if let Some(repaired) = repair_line_fully(line) {
            out.push_str(&text[copied..offset]);
            out.push_str(&repaired);
            copied = offset + line.len();
            changed_lines += 1;
        }
        offset += line.len();
    }
    if changed_lines == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, changed_lines))
}

/// One line repaired until nothing changes, or `None` when nothing does. Text decoded wrongly
/// twice (`‚àö¬©` for `é`) is repaired twice, so that reading the repaired text again repairs
/// nothing more. Each round makes the line shorter in bytes, so this ends.
fn repair_line_fully(line: &str) -> Option<String> {
    let mut repaired = repair_line(line)?;
    while let Some(again) = repair_line(&repaired) {
        repaired = again;
    }
    Some(repaired)
}

/// Mojibake the text repair could not see, because YAML escapes (`"\uF8FF..."`) spelled it, is
/// repaired in the values read; otherwise the file written back would be repaired when read again.
pub(crate) fn repair_escaped_mojibake(
    entries: Mapping,
    diagnostics: &mut Vec<Diagnostic>,
) -> Mapping {
    fn holds_mojibake(value: &Value) -> bool {
        match value {
            Value::String(s) => repaired_mojibake(s).is_some(),
            Value::Sequence(items) => items.iter().any(holds_mojibake),
            Value::Mapping(map) => map
                .iter()
                .any(|(k, v)| holds_mojibake(k) || holds_mojibake(v)),
            _ => false,
        }
    }
    fn repair(value: Value, lines: &mut usize) -> Value {
        match value {
            Value::String(s) => match repaired_mojibake(&s) {
                Some((fixed, changed)) => {
                    *lines += changed;
                    Value::String(fixed)
                }
                None => Value::String(s),
            },
            Value::Sequence(items) => {
                Value::Sequence(items.into_iter().map(|v| repair(v, lines)).collect())
            }
            Value::Mapping(map) => Value::Mapping(
                map.into_iter()
                    .map(|(k, v)| (repair(k, lines), repair(v, lines)))
                    .collect(),
            ),
            other => other,
        }
    }
    // Nearly always there is none, and then the entries are not rebuilt.
    if !entries
        .iter()
        .any(|(k, v)| holds_mojibake(k) || holds_mojibake(v))
    {
        return entries;
    }
    let mut lines = 0;
    let Value::Mapping(repaired) = repair(Value::Mapping(entries), &mut lines) else {
        unreachable!("a mapping stays a mapping")
    };
    if lines > 0 {
        match diagnostics
            .iter_mut()
            .find(|d| matches!(d, Diagnostic::MojibakeRepaired { .. }))
        {
            Some(Diagnostic::MojibakeRepaired { lines: total }) => *total += lines,
            _ => diagnostics.push(Diagnostic::MojibakeRepaired { lines }),
        }
    }
    repaired
}

/// Whether `c` is one of the 128 characters Mac Roman gives bytes 0x80–0xFF: only these make up
/// mojibake. Runs are split at every other character (ASCII, or anything Mac Roman cannot spell,
/// such as U+FEFF), so that a run reads the same whether such a character was written as itself or
/// as a YAML escape.
fn is_mac_roman_high(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    static HIGH: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let high = HIGH.get_or_init(|| {
        let bytes: Vec<u8> = (0x80..=0xFF).collect();
        let (text, _, _) = encoding_rs::MACINTOSH.decode(&bytes);
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars
    });
    high.binary_search(&c).is_ok()
}

/// The line with each run of Mac Roman characters repaired, or `None` when none is.
fn repair_line(line: &str) -> Option<String> {
    if line.is_ascii() {
        return None;
    }
    // Made at the first repair; it then holds `line[..copied]`, repaired.
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut repair = |start: usize, end: usize| {
        if let Some(fixed) = repair_run(&line[start..end]) {
            let out = out.get_or_insert_with(|| String::with_capacity(line.len()));
            out.push_str(&line[copied..start]);
            out.push_str(&fixed);
            copied = end;
        }
    };
    let mut run_start = None;
    for (i, c) in line.char_indices() {
        match (is_mac_roman_high(c), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                repair(start, i);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start {
        repair(start, line.len());
    }
    out.map(|mut out| {
        out.push_str(&line[copied..]);
        out
    })
}

/// A run of Mac Roman characters read back as the UTF-8 it spelled, or `None` when it spelled
/// none (or is a single character, such as a real `é`).
fn repair_run(run: &str) -> Option<String> {
    if run.chars().count() < 2 {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::MACINTOSH.encode(run);
    if unmappable {
        return None;
    }
    match std::str::from_utf8(&bytes) {
        Ok(fixed) if fixed != run => Some(fixed.to_owned()),
        _ => None,
    }
}

/// Some files hold a literal backslash-n (`\n`) where a line break was meant; YAML only expands it in
/// double quotes, so after parsing any left in the description are artifacts.
pub(crate) fn expand_escaped_newlines(
    frontmatter: &mut Frontmatter,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let key = Value::String("description".to_owned());
    if let Some(Value::String(s)) = frontmatter.entries.get_mut(&key) {
        if s.contains("\\n") {
            *s = s.replace("\\n", "\n").trim().to_owned();
            diagnostics.push(Diagnostic::EscapedNewlinesExpanded {
                field: "description".to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_of_mojibake_is_repaired_in_one_reading() {
        // `é` → Mac Roman `√©` → Mac Roman again `‚àö¬©`.
        let (fixed, lines) = repair_mojibake("caf‚àö¬© ok\n");
        assert_eq!((fixed.as_str(), lines), ("café ok\n", 1));
        assert_eq!(repair_mojibake(&fixed).1, 0);
    }
}
