//! Parse: bytes of one file → an [`AgentFile`], leniently.
//!
//! Real agent files are messy: descriptions with unquoted `: ` and raw `<example>` blocks fail a strict
//! YAML parser, yet Claude Code users expect them to work. So strict YAML is tried first and, when it
//! fails, the frontmatter is read line by line as `key: value`. Every repair becomes a [`Diagnostic`].
//! What cannot be read at all comes back as a [`Skipped`] with the reason.

use crate::model::{AgentFile, Diagnostic, FileId, Frontmatter, Kind, Skipped};
use serde_yaml::{Mapping, Value};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Files larger than this (1 MiB) are not agent definitions; they are skipped unread. The largest
/// real agent files are about 30 KB, so this leaves room for thirty times that while keeping every
/// later stage fast: merging bodies compares blocks pairwise, and two 4 MB copies took two minutes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Keys Claude Code and Agent Skills document; anything else is kept too, but these always start a new
/// entry in the lenient reader even where a looser rule would not.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "permissionMode",
    "maxTurns",
    "skills",
    "mcpServers",
    "hooks",
    "memory",
    "background",
    "effort",
    "isolation",
    "initialPrompt",
    "color",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
    "when_to_use",
    "argument-hint",
    "disable-model-invocation",
    "user-invocable",
    "context",
    "category",
];

/// Labels of the dialogue inside `<example>` blocks (`user: "..."`). At the start of a line they
/// continue the description rather than start a new key.
const DIALOGUE_LABELS: &[&str] = &[
    "user",
    "assistant",
    "context",
    "commentary",
    "example",
    "examples",
    "human",
    "ai",
];

const DOCUMENTED_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];
const DOCUMENTED_MODELS: &[&str] = &["sonnet", "opus", "haiku", "inherit"];

/// Reads one file from disk and parses it. I/O problems and unusable content become a `Skipped`
/// whose reason says what went wrong and, where there is something to do, what to do.
pub fn read_agent_file(path: &Path) -> Result<AgentFile, Skipped> {
    let (bytes, file_id) = read_file(path)?;
    let mut agent = parse_agent(path, &bytes)?;
    agent.file_id = file_id;
    Ok(agent)
}

/// The bytes of one file, read the safe way: a file is opened without blocking (a named pipe would
/// block), only a regular file is read, and at most [`MAX_FILE_BYTES`] (+1, to tell that a file is
/// over) are read, even when the file grows between the size check and the read. For any later
/// reading of a file too (diffs).
pub fn read_file_bytes(path: &Path) -> Result<Vec<u8>, Skipped> {
    read_file(path).map(|(bytes, _)| bytes)
}

/// [`read_file_bytes`], with which file was read.
pub fn read_file(path: &Path) -> Result<(Vec<u8>, Option<FileId>), Skipped> {
    let skip = |reason: String| Skipped {
        path: path.to_owned(),
        reason,
    };
    // Opened first and asked its type and size after: the path is looked up once, not twice.
    let file = open_without_blocking(path).map_err(|e| skip(why_not_opened(path, &e)))?;
    let meta = file.metadata().map_err(|e| skip(describe_read_error(&e)))?;
    if let Some(reason) = not_readable(&meta) {
        return Err(skip(reason));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| skip(describe_read_error(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(skip(format!(
            "{} (it grew while being read)",
            too_large(bytes.len() as u64)
        )));
    }
    Ok((bytes, FileId::of(&meta)))
}

/// Opens a file for reading. On Unix without blocking, so that a named pipe with no writer opens
/// at once (to be refused by its type), and without making a terminal ours.
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Why a file could not be opened, said as when its metadata was read before opening it: a pipe,
/// a folder or a file over the limit is named as such even where opening it failed.
fn why_not_opened(path: &Path, open_error: &std::io::Error) -> String {
    if open_error.kind() == std::io::ErrorKind::PermissionDenied {
        if let Some(folder) = crate::discover::unsearchable_folder(path) {
            return format!(
                "could not be read: permission denied: the folder {} cannot be entered (give \
                 yourself access, e.g. `chmod u+x {}`)",
                folder.display(),
                folder.display()
            );
        }
    }
    match std::fs::metadata(path) {
        Err(e) => describe_read_error(&e),
        Ok(meta) => not_readable(&meta).unwrap_or_else(|| describe_read_error(open_error)),
    }
}

/// Why a file of this type and size is not read, if it is not.
fn not_readable(meta: &std::fs::Metadata) -> Option<String> {
    if !meta.is_file() {
        return Some(format!(
            "not a regular file ({}); only regular files are read",
            file_type_name(&meta.file_type())
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Some(too_large(meta.len()));
    }
    None
}

fn too_large(len: u64) -> String {
    format!(
        "file is {len} bytes, over the {MAX_FILE_BYTES} byte limit for an agent definition; not read \
         (an agent definition is a few kilobytes: is this really one?)"
    )
}

/// Why a file could not be read, and what to do about it.
fn describe_read_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => {
            "could not be read: the file no longer exists (moved or deleted while the scan \
                     ran, or a broken link); run the scan again"
                .to_owned()
        }
        PermissionDenied => {
            "could not be read: permission denied (give yourself read access, e.g. `chmod u+r`)"
                .to_owned()
        }
        _ => format!("could not be read: {e}"),
    }
}

/// A file type in words, for reasons that name it.
pub fn file_type_name(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Parses the bytes of one file. Pure: no I/O, so tests and fuzzers can call it directly.
pub fn parse_agent(path: &Path, bytes: &[u8]) -> Result<AgentFile, Skipped> {
    let skip = |reason: &str| Skipped {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    if bytes.is_empty() {
        return Err(skip(
            "empty file: nothing to read (delete it, or write the agent's frontmatter and prompt)",
        ));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(skip(
            "UTF-16 text, not UTF-8: Claude Code reads agent files as UTF-8 (save it as UTF-8)",
        ));
    }
    if bytes.contains(&0) {
        return Err(skip(
            "binary file (contains NUL bytes), not a Markdown agent definition; not read",
        ));
    }
    let mut diagnostics = Vec::new();
    let text = decode_text(bytes, &mut diagnostics);
    let (frontmatter_text, body) = split_frontmatter(&text).map_err(|reason| skip(&reason))?;
    let work = YamlWork::per_file();
    let entries = read_frontmatter(frontmatter_text, &work, &mut diagnostics);
    let entries = repair_escaped_mojibake(entries, &mut diagnostics);
    let mut frontmatter = Frontmatter { entries };
    expand_escaped_newlines(&mut frontmatter, &mut diagnostics);
    let kind = kind_of(path);
    check_fields(&frontmatter, &mut diagnostics);
    Ok(AgentFile {
        path: path.to_owned(),
        kind,
        frontmatter,
        body: body.to_owned(),
        diagnostics,
        content_hash: content_hash(bytes),
        file_id: None,
    })
}

/// The body [`parse_agent`] reads from `bytes`, without reading the frontmatter again: for a second
/// reading of a file whose bytes are known to be those `parse_agent` accepted (the merge re-reads
/// cluster members for their bodies; strict YAML parsing is most of the cost of a full parse).
pub fn parse_body(bytes: &[u8]) -> Option<String> {
    let text = decode_text(bytes, &mut Vec::new());
    let (_, body) = split_frontmatter(&text).ok()?;
    Some(body.to_owned())
}

/// Hex SHA-256 of the file, as `apply` checks it before touching the file. Written digit by digit:
/// `format!` per byte took as long as the hashing.
pub fn content_hash(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 0xF)] as char);
    }
    hex
}

fn kind_of(path: &Path) -> Kind {
    let is_skill = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("SKILL.md"));
    if is_skill {
        Kind::Skill
    } else {
        Kind::Agent
    }
}

/// Bytes → text with a BOM removed, line endings made `\n`, and mojibake repaired.
fn decode_text(bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> String {
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
fn repair_escaped_mojibake(entries: Mapping, diagnostics: &mut Vec<Diagnostic>) -> Mapping {
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

/// Splits `---\n<yaml>\n---\n<body>`. The reason is returned when there is no usable frontmatter.
fn split_frontmatter(text: &str) -> Result<(&str, &str), String> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(
            "no YAML frontmatter (the file does not start with a `---` line), so not an agent \
             definition"
                .to_owned(),
        );
    }
    let start = first.len();
    let mut offset = start;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok((&text[start..offset], &text[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err(
        "frontmatter opened by `---` on line 1 never closes (no second `---` line): add a `---` \
         line after the last key"
            .to_owned(),
    )
}

/// Strict YAML first; the line reader when that fails.
fn read_frontmatter(yaml: &str, work: &YamlWork, diagnostics: &mut Vec<Diagnostic>) -> Mapping {
    match strict_yaml(yaml, work) {
        Ok(Value::Mapping(map)) => stringify_keys(map),
        Ok(Value::Null) => Mapping::new(),
        Ok(other) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: format!(
                    "the frontmatter is a {} rather than key: value pairs",
                    yaml_type(&other)
                ),
            });
            read_lenient(yaml, work, diagnostics)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::LenientYaml {
                strict_error: e.to_string(),
            });
            read_lenient(yaml, work, diagnostics)
        }
    }
}

/// Deepest `[`/`{` nesting handed to the YAML parser. The deserializer gives up at 128 levels
/// anyway, but the parser underneath spends time quadratic in the depth before it gets there
/// (40,000 `[` take seconds), so deeper text is refused before parsing.
pub const MAX_YAML_FLOW_DEPTH: usize = 128;

/// How many values (scalars, lists, mappings) a frontmatter may expand to, beyond one per byte of
/// its text. Without aliases a YAML text never holds more values than bytes; with them (`&a` … `*a`)
/// a few kilobytes can expand to billions ("billion laughs") or, one list of aliases to another,
/// to gigabytes in seconds. `serde_yaml` limits alias *jumps*, not the values they copy, so the
/// values are counted here, without building them, before the real parse.
pub const YAML_VALUE_ALLOWANCE: usize = 10_000;

/// Why strict YAML was not used.
#[derive(Debug)]
enum StrictError {
    Yaml(serde_yaml::Error),
    TooDeep,
    TooManyBrackets { openers: usize },
    TooManyValues,
    NotPlain,
}

impl std::fmt::Display for StrictError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StrictError::Yaml(e) => f.write_str(&short_error(e)),
            StrictError::TooDeep => write!(
                f,
                "lists or mappings nested more than {MAX_YAML_FLOW_DEPTH} levels deep"
            ),
            StrictError::TooManyBrackets { openers } => write!(
                f,
                "lists or mappings perhaps nested too deep to read in reasonable time \
                 ({openers} `[` or `{{`)"
            ),
            StrictError::TooManyValues => f.write_str(
                "YAML aliases (`*name`) expand to far more values than the text holds, \
                 as in an alias bomb; aliases are not expanded",
            ),
            StrictError::NotPlain => f.write_str(
                "it uses YAML tags (`!name`) or lists or mappings as keys, which frontmatter \
                 does not need and which could not be written back",
            ),
        }
    }
}

/// `serde_yaml::from_str::<Value>` with the limits above, so that no frontmatter can make parsing
/// take more than time and memory in proportion to its length.
fn strict_yaml(yaml: &str, work: &YamlWork) -> Result<Value, StrictError> {
    check_flow(yaml, work)?;
    let max_values = yaml.len().saturating_add(YAML_VALUE_ALLOWANCE);
    let value = if yaml.contains('*') {
        // Perhaps aliases: count the values they expand to before building any.
        count_values(yaml, max_values)?;
        serde_yaml::from_str::<Value>(yaml).map_err(StrictError::Yaml)?
    } else {
        parse_without_aliases(yaml, max_values)?
    };
    // What is read must be writable again: the merge writes the frontmatter back as YAML.
    if !is_plain(&value) {
        return Err(StrictError::NotPlain);
    }
    // Writing it is not tried, as it used to be (a third of the time spent reading a library): the
    // serializer and libyaml's emitter refuse only tags, anchors, directives, bytes and keys that
    // are lists or mappings, and `is_plain` has ruled out all of them. The fuzzer checks the claim.
    debug_assert!(serde_yaml::to_string(&value).is_ok(), "{value:?}");
    Ok(value)
}

/// Text without a `*` holds no alias, so its values are no more than its length suggests and may
/// be built straight away: one parse instead of a count and a parse. The result is the one
/// [`count_values`] then `from_str` give: values over `max_values` are refused all the same, and
/// a text that does not parse is counted first, for the error that doing so reports.
fn parse_without_aliases(yaml: &str, max_values: usize) -> Result<Value, StrictError> {
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(value) if values_in(&value) > max_values => Err(StrictError::TooManyValues),
        Ok(value) => Ok(value),
        Err(e) => {
            count_values(yaml, max_values)?;
            Err(StrictError::Yaml(e))
        }
    }
}

/// Walks the document as `serde_yaml` would deserialize it, aliases expanded, and refuses it when
/// it holds more than `max_values` values, without building them.
fn count_values(yaml: &str, max_values: usize) -> Result<(), StrictError> {
    let budget = ValueBudget {
        left: std::cell::Cell::new(max_values),
    };
    let counted = serde::de::DeserializeSeed::deserialize(
        CountValues(&budget),
        serde_yaml::Deserializer::from_str(yaml),
    );
    match counted {
        Err(_) if budget.left.get() == 0 => Err(StrictError::TooManyValues),
        Err(e) if e.to_string().starts_with("repetition limit exceeded") => {
            Err(StrictError::TooManyValues)
        }
        Err(e) => Err(StrictError::Yaml(e)),
        Ok(()) => Ok(()),
    }
}

/// How many values [`CountValues`] counts in a document that parsed to `value`: one per scalar,
/// list, mapping and tag, with every key.
fn values_in(value: &Value) -> usize {
    1 + match value {
        Value::Sequence(items) => items.iter().map(values_in).sum(),
        Value::Mapping(map) => map.iter().map(|(k, v)| values_in(k) + values_in(v)).sum(),
        Value::Tagged(tagged) => values_in(&tagged.value),
        _ => 0,
    }
}

/// Plain data, as frontmatter holds: no YAML tags (`!name value`), no lists or mappings as keys.
/// Depth is bounded by the parser's own limit (128).
fn is_plain(value: &Value) -> bool {
    match value {
        Value::Tagged(_) => false,
        Value::Sequence(items) => items.iter().all(is_plain),
        Value::Mapping(map) => map.iter().all(|(k, v)| {
            matches!(
                k,
                Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
            ) && is_plain(v)
        }),
        _ => true,
    }
}

/// The YAML parser's time grows with tokens × `[`/`{` nesting depth (about 5 ns each). Text with
/// more than [`MAX_YAML_FLOW_DEPTH`] brackets may only be parsed while this much of that work
/// (bytes × brackets, 0.1 s at most) is left for the file, whatever [`flow_depth`] says: a bound
/// that does not depend on that close reading being right.
const YAML_WORK_PER_FILE: usize = 15_000_000;

/// What is left of [`YAML_WORK_PER_FILE`] for one file (its frontmatter, then its lenient entries).
struct YamlWork {
    left: std::cell::Cell<usize>,
}

impl YamlWork {
    fn per_file() -> YamlWork {
        YamlWork {
            left: std::cell::Cell::new(YAML_WORK_PER_FILE),
        }
    }
}

/// Refuses text the YAML parser would read deeper than [`MAX_YAML_FLOW_DEPTH`] into `[`/`{`
/// nesting, by [`flow_depth`], or could spend more time on than is left of the file's [`YamlWork`].
fn check_flow(yaml: &str, work: &YamlWork) -> Result<(), StrictError> {
    let openers = flow_openers(yaml);
    if openers <= MAX_YAML_FLOW_DEPTH {
        return Ok(());
    }
    let need = openers.saturating_mul(yaml.len());
    if need > work.left.get() {
        return Err(StrictError::TooManyBrackets { openers });
    }
    work.left.set(work.left.get() - need);
    if flow_depth(yaml) > MAX_YAML_FLOW_DEPTH {
        return Err(StrictError::TooDeep);
    }
    Ok(())
}

/// How many `[` and `{` the text holds: no depth can be greater, whatever quotes and comments hide
/// (a depth that closing brackets lowered could be fooled by a `]` in a comment).
fn flow_openers(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'[' || b == b'{').count()
}

/// What the lines after a block-context line continue, if anything.
#[derive(Clone, Copy)]
enum Continued {
    Nothing,
    /// A plain scalar that started in a node at column `parent`: more indented lines go on with it.
    Plain {
        parent: usize,
    },
    /// A block scalar (`|`, `>`) of a node at column `parent`: its content is the lines indented as
    /// much as its first line (and more than `parent`), and blank lines.
    Block {
        parent: usize,
        content: Option<usize>,
        leading_blank: usize,
    },
}

/// The deepest `[`/`{` nesting the YAML parser will see, read closely enough to leave out the
/// brackets it reads as text: in quoted scalars, block scalars (`|`, `>`), plain scalars (`a [b`,
/// and their continuation lines) and comments. Where this reading is unsure it counts the bracket,
/// so it means to overstate the depth, not understate it; but it is not libyaml, and a differential
/// check against libyaml found contrived texts where it understates (where a plain scalar's
/// continuation depends on indentation it does not track, `&a : :[[[\n '\n:[: [[[…`). That costs
/// time only, and [`YAML_WORK_PER_FILE`] bounds it. Frontmatter written back by the merge (where a
/// tool list or description may hold any number of `[`) reads as shallow as it is.
fn flow_depth(text: &str) -> usize {
    let is_space = |c: u8| c == b' ' || c == b'\t';
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    // Whether that quoted scalar started in block context, where a `: value` may follow it.
    let mut quote_in_block = false;
    // In flow context: inside a plain scalar, where white space does not end a token, so that a
    // quote is text (`[a "b`) while `#` after white space still begins a comment.
    let mut in_plain = false;
    let mut continued = Continued::Nothing;
    for line in text.split('\n') {
        let b = line.as_bytes();
        // A document marker (`---`, `...`) ends any scalar; the parser reads on after it.
        let marker = (b.starts_with(b"---") || b.starts_with(b"..."))
            && b.get(3).is_none_or(|&c| is_space(c));
        if marker {
            quote = None;
            continued = Continued::Nothing;
            in_plain = false;
        }
        let indent = if marker {
            3
        } else {
            b.iter().take_while(|&&c| c == b' ').count()
        };
        let blank = b[indent..].iter().all(|&c| is_space(c) || c == b'\r');
        if quote.is_none() && depth == 0 {
            match continued {
                Continued::Block {
                    parent,
                    content,
                    leading_blank,
                } => {
                    if blank {
                        if content.is_none() {
                            continued = Continued::Block {
                                parent,
                                content,
                                leading_blank: leading_blank.max(indent),
                            };
                        }
                        continue;
                    }
                    let content = content.unwrap_or(indent.max(leading_blank));
                    if indent > parent && indent >= content {
                        continued = Continued::Block {
                            parent,
                            content: Some(content),
                            leading_blank,
                        };
                        continue;
                    }
                    continued = Continued::Nothing;
                }
                Continued::Plain { parent } => {
                    // `: ` or ` #` end a plain scalar; such a line is read afresh.
                    if blank || (indent > parent && !b.contains(&b'#') && !b.contains(&b':')) {
                        continue;
                    }
                    continued = Continued::Nothing;
                }
                Continued::Nothing => {}
            }
        }
        // In block context, a node may start here (after `- `, `? `, `key: `, anchors and tags).
        let mut node_start = quote.is_none() && depth == 0;
        let mut node_col = indent;
        let mut i = if node_start { indent } else { 0 };
        let mut closed_quote_at = None;
        while i < b.len() {
            let c = b[i];
            if let Some(q) = quote {
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                    in_plain = false;
                    closed_quote_at = Some(i + 1);
                    // After a quoted key in block context, read on as at a node start (`: value`).
                    node_start = quote_in_block && depth == 0;
                }
                i += 1;
                continue;
            }
            let next_is_space = b.get(i + 1).is_none_or(|&n| is_space(n) || n == b'\r');
            if !node_start {
                // Flow context, or the rest of a block line after a flow collection: every
                // bracket outside quoted scalars and comments counts. As in libyaml, a token
                // starts after white space (unless inside a plain scalar), a flow indicator or a
                // closing quote; there a quote begins a quoted scalar, and `#` (as after any
                // white space) a comment, so `[#` is one.
                let after_break = i > 0
                    && (matches!(b[i - 1], b'[' | b']' | b'{' | b'}' | b',')
                        || closed_quote_at == Some(i));
                // A line break counts as white space: a plain scalar goes on over it.
                let after_space = i == 0 || is_space(b[i - 1]);
                let token_start = after_break || (after_space && !in_plain);
                let next_ends_plain =
                    next_is_space || b.get(i + 1).is_some_and(|n| b",[]{}".contains(n));
                match c {
                    b'#' if after_break || after_space => break,
                    b'[' | b'{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                        in_plain = false;
                    }
                    b']' | b'}' => {
                        depth = depth.saturating_sub(1);
                        in_plain = false;
                    }
                    b',' => in_plain = false,
                    b':' if next_ends_plain => in_plain = false,
                    b'\'' | b'"' if token_start => quote = Some(c),
                    b'&' | b'!' | b'*' if token_start => {
                        // An anchor, tag or alias, up to white space or a flow indicator.
                        while i + 1 < b.len()
                            && !is_space(b[i + 1])
                            && !b",[]{}".contains(&b[i + 1])
                        {
                            i += 1;
                        }
                    }
                    b'?' | b'-' if token_start && next_is_space => {}
                    _ if is_space(c) => {}
                    _ => in_plain = true,
                }
                quote_in_block = false;
                i += 1;
                continue;
            }
            match c {
                _ if is_space(c) => i += 1,
                b'#' => break,
                b'-' | b'?' | b':' if next_is_space => {
                    node_col = i;
                    i += 1;
                }
                b'&' | b'!' | b'*' => {
                    // An anchor, tag or alias: up to white space (a bracket is read as a bracket).
                    i += 1;
                    while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'[' | b'{' | b',') {
                        i += 1;
                    }
                }
                b'[' | b'{' => {
                    node_start = false;
                    depth += 1;
                    deepest = deepest.max(depth);
                    in_plain = false;
                    i += 1;
                }
                b'\'' | b'"' => {
                    node_start = false;
                    quote = Some(c);
                    quote_in_block = true;
                    i += 1;
                }
                b'|' | b'>' => {
                    // With an explicit indentation digit (`|2`) the content is not guessed: read on.
                    let header = b[i + 1..]
                        .iter()
                        .take_while(|&&h| !is_space(h) && h != b'#');
                    if !header.clone().any(u8::is_ascii_digit) {
                        continued = Continued::Block {
                            parent: node_col,
                            content: None,
                            leading_blank: 0,
                        };
                    }
                    break;
                }
                _ => {
                    // A plain scalar: a key when `: ` follows on this line, else a value that may
                    // go on over more indented lines (unless a comment ends it).
                    let start = i;
                    let mut comment = false;
                    while i < b.len() {
                        let next_is_space = b.get(i + 1).is_none_or(|&n| is_space(n) || n == b'\r');
                        if b[i] == b':' && next_is_space {
                            break;
                        }
                        if b[i] == b'#' && is_space(b[i - 1]) {
                            comment = true;
                            break;
                        }
                        i += 1;
                    }
                    if i < b.len() && !comment {
                        node_col = start;
                        i += 1;
                    } else {
                        if !comment {
                            continued = Continued::Plain { parent: node_col };
                        }
                        break;
                    }
                }
            }
        }
    }
    deepest
}

struct ValueBudget {
    left: std::cell::Cell<usize>,
}

impl ValueBudget {
    fn take<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.left.get() {
            0 => Err(E::custom("too many values")),
            n => {
                self.left.set(n - 1);
                Ok(())
            }
        }
    }
}

/// Walks a YAML document as `serde_yaml` would deserialize it (aliases expanded), counting values
/// against a budget and keeping none of them.
#[derive(Clone, Copy)]
struct CountValues<'a>(&'a ValueBudget);

impl<'de> serde::de::DeserializeSeed<'de> for CountValues<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for CountValues<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.0.take()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.0.take()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.0.take()
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<(), E> {
        self.0.take()
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<(), E> {
        self.0.take()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.0.take()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.0.take()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take()
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.take()?;
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.take()?;
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.take()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.take()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): the tag, then the value.
        use serde::de::VariantAccess;
        self.0.take()?;
        let (_, variant) = data.variant::<serde::de::IgnoredAny>()?;
        variant.newtype_variant_seed(self)
    }
}

fn yaml_type(value: &Value) -> &'static str {
    match value {
        Value::Sequence(_) => "list",
        Value::Mapping(_) => "mapping",
        Value::Tagged(_) => "tagged value",
        _ => "single value",
    }
}

fn short_error(e: &serde_yaml::Error) -> String {
    let message = e.to_string();
    let first = message.lines().next().unwrap_or("").trim();
    // The error counts lines from the start of the frontmatter; the file has `---` above it.
    match e.location() {
        Some(loc) => format!(
            "{} at line {} of the file",
            strip_location(first),
            loc.line() + 1
        ),
        None => first.to_owned(),
    }
}

fn strip_location(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// YAML allows keys of any type; a frontmatter key is always used as text.
fn stringify_keys(map: Mapping) -> Mapping {
    map.into_iter()
        .map(|(k, v)| match k {
            Value::String(_) => (k, v),
            other => (
                Value::String(crate::model::scalar_text(&other).unwrap_or_default()),
                v,
            ),
        })
        .collect()
}

/// One `key:` line and the lines that continue it.
struct RawEntry<'a> {
    key: &'a str,
    first: &'a str,
    rest: Vec<&'a str>,
}

/// Reads `key: value` lines the way users of Claude Code expect: a line that starts with a key begins
/// an entry, and every other line continues the entry above it.
fn read_lenient(yaml: &str, work: &YamlWork, diagnostics: &mut Vec<Diagnostic>) -> Mapping {
    let mut entries: Vec<RawEntry> = Vec::new();
    for line in yaml.lines() {
        match key_line(line) {
            Some((key, first)) => entries.push(RawEntry {
                key,
                first,
                rest: Vec::new(),
            }),
            None => {
                if let Some(last) = entries.last_mut() {
                    last.rest.push(line);
                }
            }
        }
    }
    let mut map = Mapping::new();
    for entry in entries {
        let value = entry_value(&entry, work);
        if map
            .insert(Value::String(entry.key.to_owned()), value)
            .is_some()
        {
            diagnostics.push(Diagnostic::DuplicateKey {
                key: entry.key.to_owned(),
            });
        }
    }
    map
}

/// `key: value` at the start of a line, with a key of letters, digits, `_` and `-`.
fn key_line(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.split_once(':')?;
    let valid = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let is_dialogue = DIALOGUE_LABELS.iter().any(|l| key.eq_ignore_ascii_case(l));
    if is_dialogue && !KNOWN_KEYS.contains(&key) {
        return None;
    }
    Some((key, rest.trim()))
}

fn entry_value(entry: &RawEntry, work: &YamlWork) -> Value {
    let rest: Vec<&str> = entry
        .rest
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if entry.first.is_empty()
        && !rest.is_empty()
        && rest.iter().all(|l| l.trim_start().starts_with("- "))
    {
        let items = rest
            .iter()
            .map(|l| Value::String(unquote(l.trim_start()[2..].trim()).to_owned()));
        return Value::Sequence(items.collect());
    }
    // Block scalars and nested mappings are valid YAML on their own: let the strict parser read them.
    if entry.first.is_empty() || entry.first.starts_with(['|', '>']) {
        let mut single = format!("{}: {}\n", entry.key, entry.first);
        for line in &entry.rest {
            single.push_str(line);
            single.push('\n');
        }
        if let Ok(Value::Mapping(m)) = strict_yaml(&single, work) {
            if let Some(v) = m.into_iter().next().map(|(_, v)| v) {
                return v;
            }
        }
    }
    if rest.is_empty() {
        return single_line_value(entry.first, work);
    }
    let mut text = unquote(entry.first).to_owned();
    for line in rest {
        text.push('\n');
        text.push_str(line.trim());
    }
    Value::String(text.trim().to_owned())
}

/// A value on one line: numbers, booleans and `[a, b]` lists keep their type; the rest is text.
fn single_line_value(raw: &str, work: &YamlWork) -> Value {
    let looks_typed = raw.starts_with('[')
        || raw.starts_with(['"', '\''])
        || raw.parse::<f64>().is_ok()
        || matches!(raw, "true" | "false" | "null" | "~");
    if looks_typed {
        if let Ok(v) = strict_yaml(raw, work) {
            if !matches!(v, Value::Mapping(_) | Value::Tagged(_)) {
                return v;
            }
        }
    }
    Value::String(unquote(raw).to_owned())
}

fn unquote(raw: &str) -> &str {
    for q in ['"', '\''] {
        if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
            return &raw[1..raw.len() - 1];
        }
    }
    raw
}

/// Some files hold a literal backslash-n (`\n`) where a line break was meant; YAML only expands it in
/// double quotes, so after parsing any left in the description are artifacts.
fn expand_escaped_newlines(frontmatter: &mut Frontmatter, diagnostics: &mut Vec<Diagnostic>) {
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

fn check_fields(frontmatter: &Frontmatter, diagnostics: &mut Vec<Diagnostic>) {
    match frontmatter.name() {
        None => diagnostics.push(Diagnostic::MissingField { field: "name" }),
        Some(name) if !is_valid_name(&name) => diagnostics.push(Diagnostic::InvalidName { name }),
        Some(_) => {}
    }
    if frontmatter.description().is_none() {
        diagnostics.push(Diagnostic::MissingField {
            field: "description",
        });
    }
    for (field, documented) in [("color", DOCUMENTED_COLORS), ("model", DOCUMENTED_MODELS)] {
        if let Some(value) = frontmatter.text(field) {
            let is_model_id = field == "model" && value.starts_with("claude-");
            if !documented.contains(&value.as_str()) && !is_model_id {
                diagnostics.push(Diagnostic::UndocumentedValue {
                    field: field.to_owned(),
                    value,
                });
            }
        }
    }
}

/// Claude Code names: lowercase letters and digits in words joined by single hyphens (no hyphen at
/// either end, none doubled), as the Agent Skills specification spells out and as
/// `merge::sanitize_name` writes them.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> AgentFile {
        parse_agent(Path::new("a.md"), text.as_bytes()).expect("parses")
    }

    /// Parses a hostile text, failing if that takes seconds. Not a speed measurement: the inputs
    /// these tests use make an unbounded parser work for minutes or run out of memory, so a bound
    /// this loose separates the two on any machine, however loaded.
    fn parse_without_blowup(text: &str) -> AgentFile {
        let start = std::time::Instant::now();
        let parsed = parse(text);
        let took = start.elapsed();
        assert!(
            took.as_secs() < 5,
            "took {took:?}: the parser's work is not bounded"
        );
        parsed
    }

    #[test]
    fn strict_yaml_is_read_without_diagnostics() {
        let a = parse("---\nname: py\ndescription: Python help\ntools: Read, Grep\n---\nBody\n");
        assert_eq!(a.frontmatter.name().as_deref(), Some("py"));
        assert_eq!(
            a.frontmatter.tools(),
            Some(vec!["Read".to_owned(), "Grep".to_owned()])
        );
        assert_eq!(a.body, "Body\n");
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn unquoted_colon_and_examples_fall_back_to_lenient_reading() {
        let a = parse(
            "---\nname: be\ndescription: Use it. Examples: <example>user: 'hi' assistant: 'yo'</example>\nmodel: sonnet\n---\nB",
        );
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("Use it. Examples: <example>user: 'hi' assistant: 'yo'</example>")
        );
        assert_eq!(a.frontmatter.text("model").as_deref(), Some("sonnet"));
        assert!(matches!(a.diagnostics[0], Diagnostic::LenientYaml { .. }));
    }

    #[test]
    fn dialogue_lines_continue_the_description() {
        let a = parse("---\nname: x\ndescription: Does x: well\nuser: hello\nassistant: hi\ncolor: red\n---\n");
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("Does x: well\nuser: hello\nassistant: hi")
        );
        assert_eq!(a.frontmatter.text("color").as_deref(), Some("red"));
    }

    #[test]
    fn tools_as_list_and_unknown_keys_are_kept() {
        let a = parse(
            "---\nname: x\ndescription: d: e\ntools:\n  - Read\n  - Bash\ncategory: qa\n---\n",
        );
        assert_eq!(
            a.frontmatter.tools(),
            Some(vec!["Read".to_owned(), "Bash".to_owned()])
        );
        assert_eq!(a.frontmatter.text("category").as_deref(), Some("qa"));
    }

    #[test]
    fn literal_backslash_n_in_description_becomes_a_line_break() {
        let a = parse("---\nname: x\ndescription: One.\\n\\nTwo: three\n---\n");
        assert_eq!(
            a.frontmatter.description().as_deref(),
            Some("One.\n\nTwo: three")
        );
        assert!(a
            .diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::EscapedNewlinesExpanded { .. })));
    }

    #[test]
    fn crlf_and_bom_are_normalized_and_reported() {
        let a = parse("\u{feff}---\r\nname: x\r\ndescription: y\r\n---\r\nBody\r\n");
        assert_eq!(a.frontmatter.name().as_deref(), Some("x"));
        assert_eq!(a.body, "Body\n");
        assert!(a.diagnostics.contains(&Diagnostic::BomRemoved));
        assert!(a.diagnostics.contains(&Diagnostic::CrlfNormalized));
    }

    #[test]
    fn mac_roman_mojibake_is_repaired_but_real_accents_are_not() {
        let (fixed, lines) = repair_mojibake("> \u{f8ff}üìã [ÂÖ±Êúâ] ok\ncafé — naïve\n");
        assert_eq!(fixed, "> 📋 [共有] ok\ncafé — naïve\n");
        assert_eq!(lines, 1);
    }

    #[test]
    fn missing_frontmatter_and_unclosed_frontmatter_are_skipped_with_reasons() {
        let no_fm = parse_agent(Path::new("n.md"), b"# Notes\n").unwrap_err();
        assert!(no_fm.reason.contains("no YAML frontmatter"));
        let open = parse_agent(Path::new("o.md"), b"---\nname: x\n").unwrap_err();
        assert!(open.reason.contains("never closes"));
        let binary = parse_agent(Path::new("b.md"), b"---\0\0").unwrap_err();
        assert!(binary.reason.contains("binary"));
    }

    #[test]
    fn missing_name_and_undocumented_values_are_flagged() {
        let a = parse("---\ndescription: d\ncolor: teal\nmodel: gpt\n---\n");
        let text: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("no `name`")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("color: teal")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("model: gpt")), "{text:?}");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_folders_missing_and_large_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let reason = |path: &Path| read_file_bytes(path).unwrap_err().reason;
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening it must not wait for a writer.
            assert!(reason(&fifo).contains("not a regular file (a named pipe)"));
        }
        assert!(reason(dir.path()).contains("not a regular file (a folder)"));
        assert!(reason(&dir.path().join("gone.md")).contains("no longer exists"));
        let big = dir.path().join("big.md");
        std::fs::write(&big, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(reason(&big).contains("over the 1048576 byte limit"));
        std::fs::write(&big, b"---\n").unwrap();
        assert_eq!(read_file_bytes(&big).unwrap(), b"---\n");
    }

    #[test]
    fn content_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn skill_files_are_skills() {
        let a = parse_agent(
            Path::new("s/py/SKILL.md"),
            b"---\nname: py\ndescription: d\n---\n",
        )
        .unwrap();
        assert_eq!(a.kind, Kind::Skill);
    }

    fn lenient_reason(a: &AgentFile) -> String {
        a.diagnostics
            .iter()
            .find_map(|d| match d {
                Diagnostic::LenientYaml { strict_error } => Some(strict_error.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_billion_laughs_alias_bomb_is_not_expanded() {
        let mut text = String::from(
            "---\nname: bomb\ndescription: d\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n",
        );
        let mut prev = "a".to_owned();
        for i in 0..9 {
            let n = format!("l{i}");
            text.push_str(&format!(
                "{n}: &{n} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
            prev = n;
        }
        text.push_str("---\nBody\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("bomb"));
        assert!(lenient_reason(&a).contains("alias"), "{:?}", a.diagnostics);
    }

    #[test]
    fn a_quadratic_alias_blowup_is_not_expanded() {
        // 30 KB that serde_yaml alone expands to 9 million values (3.6 GB, 30 s).
        let items = vec!["x"; 3000].join(",");
        let aliases = vec!["*a"; 3000].join(",");
        let text =
            format!("---\nname: quad\ndescription: d\na: &a [{items}]\nb: [{aliases}]\n---\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("quad"));
        assert!(lenient_reason(&a).contains("alias"), "{:?}", a.diagnostics);
        // Within one entry, read by the lenient reader, too.
        let text = format!(
            "---\nname: quad\nb: [{aliases}, &a [{items}]]\nc:\n  - &b [{items}]\n  - [{}]\n---\n",
            vec!["*b"; 3000].join(",")
        );
        parse_without_blowup(&text);
    }

    /// `parse_without_aliases` refuses exactly the documents the counting pass refuses.
    #[test]
    fn values_in_counts_as_the_counting_pass_does() {
        for yaml in [
            "",
            "# only a comment",
            "name: x\ndescription: d\ntools: [Read, Grep]\n",
            "a: !t [1, {b: !u c}]\nb: ~\nc: 1.5\nd: true\n? [k]\n: v\n",
            "[{?}, {?}, !t , {a, b}, -a]",
            "a: &x [1, 2]\nb:\n  - c: |\n      text\n",
        ] {
            let value = serde_yaml::from_str::<Value>(yaml).unwrap();
            let n = values_in(&value);
            assert!(count_values(yaml, n).is_ok(), "{yaml:?}: {n}");
            assert!(
                matches!(count_values(yaml, n - 1), Err(StrictError::TooManyValues)),
                "{yaml:?}: {n}"
            );
        }
    }

    #[test]
    fn a_few_aliases_are_still_read_strictly() {
        let a = parse("---\nname: x\ndescription: &d Does x.\nsummary: *d\ntools: &t [Read]\nmore: [*t, *t]\n---\n");
        assert_eq!(a.frontmatter.text("summary").as_deref(), Some("Does x."));
        assert!(lenient_reason(&a).is_empty(), "{:?}", a.diagnostics);
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        for open in ["[", "{a: ", "- "] {
            let text = format!(
                "---\nname: deep\ndescription: d\ntools: {}\n---\n",
                open.repeat(100_000)
            );
            let a = parse_without_blowup(&text);
            assert_eq!(a.frontmatter.name().as_deref(), Some("deep"), "{open}");
        }
        // 100 levels is deep but fine.
        let text = format!(
            "---\nname: x\ndescription: d\nt: {}{}\n---\n",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(lenient_reason(&parse(&text)).is_empty());
    }

    #[test]
    fn a_repeated_key_keeps_the_last_value_and_says_so() {
        let a = parse("---\nname: x\ndescription: first\ndescription: second\n---\n");
        assert_eq!(a.frontmatter.description().as_deref(), Some("second"));
        assert!(a.diagnostics.contains(&Diagnostic::DuplicateKey {
            key: "description".to_owned()
        }));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_its_offset_counts_the_bom() {
        let a = parse_agent(
            Path::new("a.md"),
            b"\xEF\xBB\xBF---\nname: x\xFF\ndescription: d\n---\n",
        )
        .unwrap();
        assert!(a
            .diagnostics
            .contains(&Diagnostic::InvalidUtf8Replaced { first_bad_byte: 14 }));
        assert_eq!(a.frontmatter.name().as_deref(), Some("x\u{FFFD}"));
    }

    #[test]
    fn utf16_is_named_as_such() {
        let skip = parse_agent(Path::new("a.md"), b"\xFF\xFE-\0-\0-\0").unwrap_err();
        assert!(skip.reason.contains("UTF-16"), "{}", skip.reason);
    }

    #[test]
    fn valid_names_are_words_joined_by_single_hyphens() {
        for ok in ["a", "py", "backend-architect", "k8s-helper-2"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "../x", "é"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn mojibake_of_mojibake_is_repaired_in_one_reading() {
        // `é` → Mac Roman `√©` → Mac Roman again `‚àö¬©`.
        let (fixed, lines) = repair_mojibake("caf‚àö¬© ok\n");
        assert_eq!((fixed.as_str(), lines), ("café ok\n", 1));
        assert_eq!(repair_mojibake(&fixed).1, 0);
    }

    #[test]
    fn empty_and_comment_only_frontmatter_is_strict_and_empty() {
        for text in [
            "---\n---\nBody\n",
            "---\n# just a comment\n---\nBody\n",
            "---\n\n...\nBody\n",
        ] {
            let a = parse(text);
            assert!(a.frontmatter.entries.is_empty(), "{text:?}");
            assert!(
                lenient_reason(&a).is_empty(),
                "{text:?}: {:?}",
                a.diagnostics
            );
        }
    }

    /// Found by `cargo fuzz` (fuzz/fuzz_targets/parse.rs): a tagged mapping key nested in a value
    /// was read strictly, and `merge::render` then panicked because it cannot be written back.
    #[test]
    fn fuzz_regression_tagged_key_cannot_be_written_back() {
        for bytes in [
            &b"---\n::\n !\t:\n---"[..],
            b"---\nname: x\ndescription: d\nmeta:\n  - ! a: b\n  - !custom {[1]: 2}\n---\n",
            b"---\nname: x\ndescription: !tag d\n---\n",
        ] {
            let a = parse_agent(Path::new("f.md"), bytes).unwrap();
            assert!(
                serde_yaml::to_string(&a.frontmatter.entries).is_ok(),
                "{:?}",
                a.frontmatter
            );
            let merged = crate::merge::merge(&[&a, &a], 0, &[1]);
            assert!(merged.text.starts_with("---\n"));
        }
        let a = parse("---\nname: x\ndescription: !tag d\n---\n");
        assert!(
            lenient_reason(&a).contains("YAML tags"),
            "{:?}",
            a.diagnostics
        );
        assert_eq!(a.frontmatter.description().as_deref(), Some("!tag d"));
    }

    #[test]
    fn flow_depth_leaves_out_brackets_read_as_text() {
        let cases: &[(&str, usize)] = &[
            ("a: [[[]]]", 3),
            ("a: R[[[[", 0),
            ("a: |\n  [[[[\n  [[\nb: [x]", 1),
            ("a: >-\n\n    [[[\n    [[[\n", 0),
            ("a: '[[[['", 0),
            ("a: 'it''s [[['", 0),
            ("a: \"[[[\\\"[[[\"", 0),
            ("- [[[", 3),
            ("- - [[", 2),
            ("a: &x [[", 2),
            ("a: !t [[", 2),
            ("a: !t[[", 2),
            ("[a'b [[[", 4),
            ("a: b\n  [[[[", 0),
            ("a: b # c\n  [[[", 3),
            ("a: b\n  c: [[[", 3),
            ("- key: |\n    text\n  other: [[[", 3),
            ("key: |2\n   [[[", 3),
            ("key: |\n    text\n  [[[", 3),
            // Leading blank lines deeper than the text: the scalar ends (the parser fails there).
            ("key: |\n      \n    text\n    [[", 2),
            ("key: |\n      \n    text\n     [[", 0),
            ("key: |\n      \n   text\n   [[", 2),
            ("a: [x,\n  'y [[[',\n  [[z]]]", 3),
            ("a: [x, y'[[[]]]]", 4),
            ("a: {b: 'c [['}", 1),
            ("a: {b:'c [['}", 3),
            ("a: \"multi\n  [[[ line\"\nb: [[", 2),
            ("a: [x] # [[[", 1),
            // libyaml reads `#` right after `[` as a comment (found by a differential check).
            ("[#k: :\t'|2 #}\n    ? [[[", 4),
            ("&a {#[\"[*a\n#x\n[[[", 4),
            ("[\"a\"#c\n[[", 3),
            // A plain scalar goes on over a line break in flow context: the quote is text.
            ("[a\n\"b [[\"", 3),
            ("[a, \"b\n [[\"", 1),
            ("[&a \"x #\" [[", 3),
            ("[!t 'x #' [[", 3),
            ("[a \"b # c\n[[", 3),
            ("--- [[\n", 2),
            ("a: '\n--- [[\n", 2),
            ("'k': [[", 2),
            ("'k [[': [[", 2),
            ("'k [[': v[[[", 0),
            ("\"k\\\" [[\": v[[[ # [[", 0),
            ("\"k\" [[[", 3),
            ("\"k\n [[\": [[", 2),
            ("a: [\"k\"]: [[", 2),
            ("? [[]]\n: [[[", 3),
            ("a: # [[[\n  [[", 2),
        ];
        for (yaml, want) in cases {
            assert_eq!(flow_depth(yaml), *want, "{yaml:?}");
            assert!(flow_openers(yaml) >= *want, "{yaml:?}");
        }
    }

    /// Found by `cargo fuzz`: a `tools` value holding a run of `[` (read leniently) was written back
    /// as a block scalar, which the first depth check, counting every `[`, then refused to read
    /// strictly, so reading the file written back gave a different value.
    #[test]
    fn fuzz_regression_brackets_in_a_written_value_read_back_the_same() {
        let value = format!("R{}net\nmore", "[".repeat(200));
        let mut entries = Mapping::new();
        entries.insert("name".into(), "x".into());
        entries.insert("tools".into(), value.clone().into());
        entries.insert(
            "description".into(),
            format!("{} d", "{".repeat(300)).into(),
        );
        let written = crate::merge::render(
            &Frontmatter {
                entries: entries.clone(),
            },
            "Body",
        );
        let a = parse(&written);
        assert_eq!(a.frontmatter.entries, entries, "{written}");
        assert!(lenient_reason(&a).is_empty(), "{:?}", a.diagnostics);
    }

    /// Found by `cargo fuzz`: mojibake spelled with a YAML escape (`\uF8FF`) was not repaired on the
    /// first reading but was on the second, once the value had been written back with the character
    /// itself.
    #[test]
    fn fuzz_regression_mojibake_behind_yaml_escapes_is_repaired_too() {
        let a = parse("---\nname: x\ndescription: \"\\uF8FF\u{fc}\u{ec}\u{e3} notes\"\n---\n");
        assert_eq!(a.frontmatter.description().as_deref(), Some("📋 notes"));
        assert!(a
            .diagnostics
            .contains(&Diagnostic::MojibakeRepaired { lines: 1 }));
        let again = parse(&crate::merge::render(&a.frontmatter, &a.body));
        assert_eq!(again.frontmatter, a.frontmatter);
    }

    /// Whatever `flow_depth` makes of it, the YAML parser's work on one file is bounded: here a text
    /// on which it understates the depth, repeated in entries the lenient reader parses one by one.
    #[test]
    fn yaml_work_is_bounded_per_file_even_where_flow_depth_understates() {
        let trap = format!("&a : :[[[\n '\n:[: {}", "[".repeat(3000));
        assert!(flow_depth(&trap) <= MAX_YAML_FLOW_DEPTH);
        let mut text = String::from("---\nname: x\ndescription: d\n");
        for i in 0..200 {
            text.push_str(&format!("k{i}:\n"));
            for line in trap.lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
        text.push_str("---\n");
        let a = parse_without_blowup(&text);
        assert_eq!(a.frontmatter.name().as_deref(), Some("x"));
    }
}
