//! How deep the YAML parser will nest `[`/`{`, read closely enough to leave out brackets it reads
//! as text. One of the YAML guards ([`super::yaml_guard`]).

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
/// time only, and the YAML work budget per file (`yaml_guard`) bounds it. Frontmatter written back
/// by the merge (where a tool list or description may hold any number of `[`) reads as shallow as
/// it is.
pub(super) fn flow_depth(text: &str) -> usize {
    let mut scan = FlowScan::default();
    for line in text.split('\n') {
        scan.line(line.as_bytes());
    }
    scan.deepest
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Whether the byte after `i` ends a token: white space, the end of the line, or a `\r`.
fn space_after(b: &[u8], i: usize) -> bool {
    b.get(i + 1).is_none_or(|&n| is_space(n) || n == b'\r')
}

/// What the scan knows between lines.
struct FlowScan {
    depth: usize,
    deepest: usize,
    /// The quote character of the quoted scalar the scan is in, if any.
    quote: Option<u8>,
    /// Whether that quoted scalar started in block context, where a `: value` may follow it.
    quote_in_block: bool,
    /// In flow context: inside a plain scalar, where white space does not end a token, so that a
    /// quote is text (`[a "b`) while `#` after white space still begins a comment.
    in_plain: bool,
    continued: Continued,
}

impl Default for FlowScan {
    fn default() -> Self {
        FlowScan {
            depth: 0,
            deepest: 0,
            quote: None,
            quote_in_block: false,
            in_plain: false,
            continued: Continued::Nothing,
        }
    }
}

/// Where the scan is within one line.
struct Cursor {
    i: usize,
    /// In block context, a node may start here (after `- `, `? `, `key: `, anchors and tags).
    node_start: bool,
    node_col: usize,
    closed_quote_at: Option<usize>,
}

/// Whether the rest of a line is to be read.
enum Step {
    Next,
    EndOfLine,
}

impl FlowScan {
    fn line(&mut self, b: &[u8]) {
        // A document marker (`---`, `...`) ends any scalar; the parser reads on after it.
        let marker = (b.starts_with(b"---") || b.starts_with(b"..."))
            && b.get(3).is_none_or(|&c| is_space(c));
        if marker {
            self.quote = None;
            self.continued = Continued::Nothing;
            self.in_plain = false;
        }
        let indent = if marker {
            3
        } else {
            b.iter().take_while(|&&c| c == b' ').count()
        };
        let blank = b[indent..].iter().all(|&c| is_space(c) || c == b'\r');
        let in_block = self.quote.is_none() && self.depth == 0;
        if in_block && self.continues_scalar(b, indent, blank) {
            return;
        }
        let mut at = Cursor {
            i: if in_block { indent } else { 0 },
            node_start: in_block,
            node_col: indent,
            closed_quote_at: None,
        };
        while at.i < b.len() {
            let step = if self.quote.is_some() {
                self.in_quotes(b, &mut at)
            } else if at.node_start {
                self.block_node(b, &mut at)
            } else {
                self.in_flow(b, &mut at)
            };
            if let Step::EndOfLine = step {
                break;
            }
        }
    }

    /// Whether this line goes on with the block or plain scalar above it (and holds no brackets).
    fn continues_scalar(&mut self, b: &[u8], indent: usize, blank: bool) -> bool {
        match self.continued {
            Continued::Block {
                parent,
                content,
                leading_blank,
            } => {
                if blank {
                    if content.is_none() {
                        self.continued = Continued::Block {
                            parent,
                            content,
                            leading_blank: leading_blank.max(indent),
                        };
                    }
                    return true;
                }
                let content = content.unwrap_or(indent.max(leading_blank));
                if indent > parent && indent >= content {
                    self.continued = Continued::Block {
                        parent,
                        content: Some(content),
                        leading_blank,
                    };
                    return true;
                }
            }
            Continued::Plain { parent } => {
                // `: ` or ` #` end a plain scalar; such a line is read afresh.
                if blank || (indent > parent && !b.contains(&b'#') && !b.contains(&b':')) {
                    return true;
                }
            }
            Continued::Nothing => return false,
        }
        self.continued = Continued::Nothing;
        false
    }

    fn open(&mut self) {
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        self.in_plain = false;
    }

    /// Inside a quoted scalar: only its closing quote matters.
    fn in_quotes(&mut self, b: &[u8], at: &mut Cursor) -> Step {
        let (c, q) = (b[at.i], self.quote.unwrap_or(b'"'));
        if q == b'"' && c == b'\\' {
            at.i += 2;
            return Step::Next;
        }
        if c == q {
            if q == b'\'' && b.get(at.i + 1) == Some(&b'\'') {
                at.i += 2;
                return Step::Next;
            }
            self.quote = None;
            self.in_plain = false;
            at.closed_quote_at = Some(at.i + 1);
            // After a quoted key in block context, read on as at a node start (`: value`).
            at.node_start = self.quote_in_block && self.depth == 0;
        }
        at.i += 1;
        Step::Next
    }

    /// Flow context, or the rest of a block line after a flow collection: every bracket outside
    /// quoted scalars and comments counts. As in libyaml, a token starts after white space (unless
    /// inside a plain scalar), a flow indicator or a closing quote; there a quote begins a quoted
    /// scalar, and `#` (as after any white space) a comment, so `[#` is one.
    fn in_flow(&mut self, b: &[u8], at: &mut Cursor) -> Step {
        let (i, c) = (at.i, b[at.i]);
        let after_break = i > 0
            && (matches!(b[i - 1], b'[' | b']' | b'{' | b'}' | b',')
                || at.closed_quote_at == Some(i));
        // A line break counts as white space: a plain scalar goes on over it.
        let after_space = i == 0 || is_space(b[i - 1]);
        let token_start = after_break || (after_space && !self.in_plain);
        let next_ends_plain =
            space_after(b, i) || b.get(i + 1).is_some_and(|n| b",[]{}".contains(n));
        match c {
            b'#' if after_break || after_space => return Step::EndOfLine,
            b'[' | b'{' => self.open(),
            b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                self.in_plain = false;
            }
            b',' => self.in_plain = false,
            b':' if next_ends_plain => self.in_plain = false,
            b'\'' | b'"' if token_start => self.quote = Some(c),
            b'&' | b'!' | b'*' if token_start => {
                // An anchor, tag or alias, up to white space or a flow indicator.
                while at.i + 1 < b.len()
                    && !is_space(b[at.i + 1])
                    && !b",[]{}".contains(&b[at.i + 1])
                {
                    at.i += 1;
                }
            }
            b'?' | b'-' if token_start && space_after(b, i) => {}
            _ if is_space(c) => {}
            _ => self.in_plain = true,
        }
        self.quote_in_block = false;
        at.i += 1;
        Step::Next
    }

    /// Block context, where a node may start: indicators, properties, a flow collection, a quoted
    /// or block scalar, or a plain scalar (a key when `: ` follows it on the line).
    fn block_node(&mut self, b: &[u8], at: &mut Cursor) -> Step {
        let c = b[at.i];
        match c {
            _ if is_space(c) => at.i += 1,
            b'#' => return Step::EndOfLine,
            b'-' | b'?' | b':' if space_after(b, at.i) => {
                at.node_col = at.i;
                at.i += 1;
            }
            b'&' | b'!' | b'*' => {
                // An anchor, tag or alias: up to white space (a bracket is read as a bracket).
                at.i += 1;
                while at.i < b.len() && !is_space(b[at.i]) && !matches!(b[at.i], b'[' | b'{' | b',')
                {
                    at.i += 1;
                }
            }
            b'[' | b'{' => {
                at.node_start = false;
                self.open();
                at.i += 1;
            }
            b'\'' | b'"' => {
                at.node_start = false;
                self.quote = Some(c);
                self.quote_in_block = true;
                at.i += 1;
            }
            b'|' | b'>' => {
                self.block_scalar_header(b, at);
                return Step::EndOfLine;
            }
            _ => return self.plain_scalar(b, at),
        }
        Step::Next
    }

    /// A block scalar's header. With an explicit indentation digit (`|2`) the content is not
    /// guessed: the scan reads on.
    fn block_scalar_header(&mut self, b: &[u8], at: &Cursor) {
        let header = b[at.i + 1..]
            .iter()
            .take_while(|&&h| !is_space(h) && h != b'#');
        if !header.clone().any(u8::is_ascii_digit) {
            self.continued = Continued::Block {
                parent: at.node_col,
                content: None,
                leading_blank: 0,
            };
        }
    }

    /// A plain scalar in block context: a key when `: ` follows on this line, else a value that
    /// may go on over more indented lines (unless a comment ends it).
    fn plain_scalar(&mut self, b: &[u8], at: &mut Cursor) -> Step {
        let start = at.i;
        let mut comment = false;
        while at.i < b.len() {
            if b[at.i] == b':' && space_after(b, at.i) {
                break;
            }
            if b[at.i] == b'#' && is_space(b[at.i - 1]) {
                comment = true;
                break;
            }
            at.i += 1;
        }
        if at.i < b.len() && !comment {
            at.node_col = start;
            at.i += 1;
            return Step::Next;
        }
        if !comment {
            self.continued = Continued::Plain {
                parent: at.node_col,
            };
        }
        Step::EndOfLine
    }
}

#[cfg(test)]
mod tests {
    use super::super::yaml_guard::flow_openers;
    use super::*;

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
}
