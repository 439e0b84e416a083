//! The block structure of a Markdown body, read with pulldown-cmark.
//!
//! Comparison and merging both work on *blocks*: headings, paragraphs, code blocks, tables, and each
//! item of a top-level list (with its nested items). A block keeps its exact source, so a merge can
//! write it back untouched, and its plain text, so it can be compared.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    ListItem,
    Code,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's Markdown exactly as written, without trailing white space.
    pub source: String,
    /// Its text with the markup removed.
    pub text: String,
}

impl Block {
    pub fn heading_level(&self) -> Option<u8> {
        match self.kind {
            BlockKind::Heading(level) => Some(level),
            _ => None,
        }
    }
}

struct OpenBlock {
    kind: BlockKind,
    range: Range<usize>,
    depth: usize,
    text: String,
}

/// Splits a Markdown document into blocks, in document order.
pub fn blocks(markdown: &str) -> Vec<Block> {
    blocks_keeping(markdown, true)
}

/// [`blocks`] without their sources (each `source` empty): what comparing needs, for every body
/// of a library, without a copy of each block's Markdown.
pub fn text_blocks(markdown: &str) -> Vec<Block> {
    blocks_keeping(markdown, false)
}

fn blocks_keeping(markdown: &str, with_source: bool) -> Vec<Block> {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut list_depth: Option<usize> = None;
    let mut open: Option<OpenBlock> = None;
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(tag) => {
                separate_words(open.as_mut(), &tag_is_block(&tag));
                if open.is_none() {
                    if depth == 0 && matches!(tag, Tag::List(_)) {
                        list_depth = Some(depth);
                    } else if depth == 0
                        || (list_depth == Some(depth - 1) && matches!(tag, Tag::Item))
                    {
                        open = Some(OpenBlock {
                            kind: kind_of(&tag),
                            // The text is about as long as the source: one allocation, not a
                            // dozen as it grows (this runs for every block of every file).
                            text: String::with_capacity(range.len()),
                            range,
                            depth,
                        });
                    }
                }
                depth += 1;
            }
            Event::End(end) => {
                separate_words(
                    open.as_mut(),
                    &!matches!(
                        end,
                        TagEnd::Emphasis
                            | TagEnd::Strong
                            | TagEnd::Strikethrough
                            | TagEnd::Link
                            | TagEnd::Image
                    ),
                );
                depth = depth.saturating_sub(1);
                if open.as_ref().is_some_and(|b| b.depth == depth) {
                    let block = open.take().expect("checked above");
                    out.push(finish(markdown, block, with_source));
                }
                if list_depth == Some(depth) && open.is_none() {
                    list_depth = None;
                }
            }
            Event::Text(t)
            | Event::Code(t)
            | Event::InlineHtml(t)
            | Event::Html(t)
            | Event::InlineMath(t) => {
                if let Some(b) = open.as_mut() {
                    b.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(b) = open.as_mut() {
                    b.text.push(' ');
                }
            }
            Event::Rule => {}
            _ => {}
        }
    }
    out
}

/// Inline markup (emphasis, links) sits inside words' flow; anything else ends a run of text.
fn tag_is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

/// Keeps the text of nested blocks (a list inside an item) from running into each other.
fn separate_words(open: Option<&mut OpenBlock>, is_block: &bool) {
    if let Some(b) = open.filter(|_| *is_block) {
        b.text.push(' ');
    }
}

fn kind_of(tag: &Tag) -> BlockKind {
    match tag {
        Tag::Heading { level, .. } => BlockKind::Heading(*level as u8),
        Tag::Paragraph => BlockKind::Paragraph,
        Tag::Item => BlockKind::ListItem,
        Tag::CodeBlock(_) => BlockKind::Code,
        _ => BlockKind::Other,
    }
}

fn finish(markdown: &str, block: OpenBlock, with_source: bool) -> Block {
    Block {
        kind: block.kind,
        source: if with_source {
            markdown[block.range].trim_end().to_owned()
        } else {
            String::new()
        },
        text: collapse_whitespace(&block.text),
    }
}

/// The words of `text` joined by single spaces, as `split_whitespace` would give them, built in one
/// pass: this runs on every block of every file, read once to featurize and again to merge.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    // ASCII white space is the same for both splits but for the vertical tab, which only
    // `split_whitespace` splits on; the ASCII split is much faster.
    if text.is_ascii() && !text.contains('\x0B') {
        text.split_ascii_whitespace().for_each(&mut push);
    } else {
        text.split_whitespace().for_each(&mut push);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_blocks_are_the_blocks_without_their_sources() {
        let md =
            "# Title\n\nIntro *it* text.\n\n- one\n  - nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let full = blocks(md);
        let texts = text_blocks(md);
        assert_eq!(full.len(), texts.len());
        for (f, t) in full.iter().zip(&texts) {
            assert_eq!((f.kind, &f.text), (t.kind, &t.text));
            assert!(t.source.is_empty() && !f.source.is_empty());
        }
    }

    #[test]
    fn splits_headings_paragraphs_and_top_level_items() {
        let md = "# Title\n\nIntro **bold** text.\n\n## Steps\n- one\n  - nested\n- two `code`\n\n```\nx = 1\n```\n";
        let b = blocks(md);
        let kinds: Vec<_> = b.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Heading(1),
                BlockKind::Paragraph,
                BlockKind::Heading(2),
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Code
            ]
        );
        assert_eq!(b[1].text, "Intro bold text.");
        assert_eq!(b[3].source, "- one\n  - nested");
        assert_eq!(b[3].text, "one nested");
        assert_eq!(b[4].text, "two code");
        assert_eq!(b[5].source, "```\nx = 1\n```");
    }

    #[test]
    fn white_space_is_collapsed_as_split_whitespace_does() {
        for text in [
            "",
            " a ",
            "a\tb\x0Bc\x0C\rd\n\ne",
            "é\u{85}x\u{a0}y\u{2003} z",
            "\x0B",
            "  ",
        ] {
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(collapse_whitespace(text), words.join(" "), "{text:?}");
        }
    }

    #[test]
    fn ordered_lists_are_split_into_items_too() {
        let b = blocks("1. first\n2. second\n");
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].source, "2. second");
    }
}
