//! A body read as an outline: its title, its sections and their units, as a maintainer reads it
//! before merging.
//!
//! - A **section** opens at a Markdown heading, a bold title line (`**Methodology:**`), a lead-in
//!   line ending in `:` that introduces a list or further titles (`Your approach:`), or a list item
//!   that is itself a title over a nested list (`1. **API Design**: you will:` + bullets).
//!   Paragraphs before the first section are the introduction (the identity); paragraphs after the
//!   list of a lead-in are *loose*: they end it, and the last of them close the body.
//! - A **unit** is what is merged whole: a list item (with what is nested in it), a paragraph, a
//!   code block together with the sentence that introduces it, a table.
//!
//! Every unit keeps its Markdown source, so a merge writes it back as written.

use crate::markdown::{self, Block, BlockKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A bulleted list item.
    Bullet,
    /// A numbered list item: a step.
    Step,
    Paragraph,
    /// A code block, with the sentence before it that introduces it when there is one.
    Code,
    /// A table, HTML or anything else kept as written.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub kind: UnitKind,
    /// Markdown as written (a list item with its marker).
    pub source: String,
    /// Plain text, for comparing.
    pub text: String,
}

impl Unit {
    pub fn is_item(&self) -> bool {
        matches!(self.kind, UnitKind::Bullet | UnitKind::Step)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderKind {
    /// `#`… headings, with their level.
    Heading(u8),
    /// A paragraph that is all bold: `**Methodology:**`.
    Bold,
    /// A short paragraph ending in `:` before a list or further titles.
    LeadIn,
    /// A list item whose first line titles a nested list; `marker` is its list marker (`1.`, `-`).
    GroupItem { marker: String },
    /// No header: paragraphs that follow a lead-in's list (they end it).
    Loose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: HeaderKind,
    /// As written (for a group item: its first paragraph, without the marker).
    pub source: String,
    /// The title's plain text, without trailing `:`.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `None` for the introduction.
    pub header: Option<Header>,
    pub units: Vec<Unit>,
}

impl Section {
    pub fn title(&self) -> Option<&str> {
        self.header
            .as_ref()
            .filter(|h| h.kind != HeaderKind::Loose)
            .map(|h| h.title.as_str())
    }

    pub fn is_loose(&self) -> bool {
        self.header
            .as_ref()
            .is_some_and(|h| h.kind == HeaderKind::Loose)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// A level-1 heading that opens the body: its title, kept above everything.
    pub title: Option<Block>,
    /// The introduction first (header `None`), then the sections in order.
    pub sections: Vec<Section>,
}

impl Outline {
    /// Every unit, with the index of its section.
    pub fn units(&self) -> impl Iterator<Item = (usize, &Unit)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.units.iter().map(move |u| (i, u)))
    }

    /// For each section, the index of the heading it sits under: the last heading of a lower level
    /// before a heading, the last heading before a bold title, lead-in or group item. A title is
    /// read in that scope: `Check for:` under `### SQL injection` and under `### XSS` are parts
    /// of two topics, not one topic said twice.
    pub fn parents(&self) -> Vec<Option<usize>> {
        let mut parents = Vec::with_capacity(self.sections.len());
        // The headings above the current point, outermost first: (level, section index).
        let mut open: Vec<(u8, usize)> = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            match s.header.as_ref().map(|h| &h.kind) {
                Some(HeaderKind::Heading(level)) => {
                    while open.last().is_some_and(|(l, _)| l >= level) {
                        open.pop();
                    }
                    parents.push(open.last().map(|&(_, p)| p));
                    open.push((*level, i));
                }
                _ => parents.push(open.last().map(|&(_, p)| p)),
            }
        }
        parents
    }

    /// The index of the first of the trailing loose sections: the closing of the body.
    pub fn closing_start(&self) -> usize {
        let mut start = self.sections.len();
        while start > 1 && self.sections[start - 1].is_loose() {
            start -= 1;
        }
        start
    }
}

/// Whether a unit is only HTML comments (`<!-- VALIDATION: tested with … -->`): a note to the
/// file's maintainers about that file, which the model would read as part of its instructions.
pub fn is_html_comment(source: &str) -> bool {
    let mut rest = source.trim();
    if !rest.starts_with("<!--") {
        return false;
    }
    while let Some(after) = rest.strip_prefix("<!--") {
        let Some(end) = after.find("-->") else {
            return true;
        };
        rest = after[end + 3..].trim_start();
    }
    rest.is_empty()
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn lead_ins_sit_under_the_last_heading_and_headings_under_a_lower_level() {
        let o = outline(
            "Intro.\n\n## Checks\n\n### SQL injection\n\nCheck for:\n- string-built queries\n- raw input\n\n### XSS\n\nCheck for:\n- unescaped output\n- inline scripts\n\n## Output\n\nText.\n",
        );
        let titled: Vec<(Option<&str>, Option<&str>)> = o
            .sections
            .iter()
            .zip(o.parents())
            .filter(|(s, _)| s.title().is_some())
            .map(|(s, p)| (s.title(), p.and_then(|p| o.sections[p].title())))
            .collect();
        assert_eq!(
            titled,
            vec![
                (Some("Checks"), None),
                (Some("SQL injection"), Some("Checks")),
                (Some("Check for"), Some("SQL injection")),
                (Some("XSS"), Some("Checks")),
                (Some("Check for"), Some("XSS")),
                (Some("Output"), None),
            ]
        );
    }
}

/// A lead-in or bold title is at most this many words: longer, it is a sentence.
const TITLE_WORDS: usize = 14;

/// Reads a body as an outline.
pub fn outline(body: &str) -> Outline {
    let mut blocks = markdown::blocks(body);
    let mut out = Outline {
        title: None,
        sections: vec![Section {
            header: None,
            units: Vec::new(),
        }],
    };
    let mut i = 0;
    // The title is the first block, or the first after notes to the maintainers (`<!-- … -->`),
    // which stay in the introduction.
    let first = blocks
        .iter()
        .position(|b| !is_html_comment(&b.source))
        .unwrap_or(blocks.len());
    if blocks
        .get(first)
        .is_some_and(|b| b.heading_level() == Some(1))
    {
        out.title = Some(blocks.remove(first));
    }
    while i < blocks.len() {
        let block = &blocks[i];
        let next = blocks.get(i + 1);
        i += 1;
        if let Some(level) = block.heading_level() {
            out.sections
                .push(section(HeaderKind::Heading(level), block));
            continue;
        }
        if is_bold_title(block) && next.is_some() {
            out.sections.push(section(HeaderKind::Bold, block));
            continue;
        }
        if is_lead_in(block, next) {
            out.sections.push(section(HeaderKind::LeadIn, block));
            continue;
        }
        if block.kind == BlockKind::ListItem {
            if let Some(group) = group_item(block) {
                out.sections.push(group);
                continue;
            }
        }
        // A code block joins the sentence just before it that introduces it (`… like this:`).
        if block.kind == BlockKind::Code {
            let current = out
                .sections
                .last_mut()
                .expect("starts with the introduction");
            if let Some(lead) = current
                .units
                .last_mut()
                .filter(|u| u.kind == UnitKind::Paragraph && u.text.trim_end().ends_with(':'))
            {
                lead.kind = UnitKind::Code;
                lead.source = format!("{}\n\n{}", lead.source, block.source);
                lead.text = format!("{} {}", lead.text, block.text);
                continue;
            }
        }
        // The block becomes a unit: its text is moved, not copied (this runs for every block of
        // every member merged).
        let unit = unit_of(std::mem::replace(
            &mut blocks[i - 1],
            Block {
                kind: BlockKind::Other,
                source: String::new(),
                text: String::new(),
            },
        ));
        let current = out.sections.last().expect("starts with the introduction");
        // A paragraph after the list of a lead-in (or of a group item) ends it.
        let ends_list = unit.kind == UnitKind::Paragraph
            && current.header.as_ref().is_some_and(|h| {
                matches!(
                    h.kind,
                    HeaderKind::LeadIn | HeaderKind::Bold | HeaderKind::GroupItem { .. }
                )
            })
            && current.units.iter().any(Unit::is_item);
        // So does any block after a group item: its own content is all nested.
        let after_group = matches!(
            current.header.as_ref().map(|h| &h.kind),
            Some(HeaderKind::GroupItem { .. })
        );
        if ends_list || after_group {
            out.sections.push(Section {
                header: Some(Header {
                    kind: HeaderKind::Loose,
                    source: String::new(),
                    title: String::new(),
                }),
                units: Vec::new(),
            });
        }
        out.sections
            .last_mut()
            .expect("starts with the introduction")
            .units
            .push(unit);
    }
    split_closing(&mut out);
    out
}

/// Paragraphs that end the last section after its list are the body's closing, not part of that
/// section (`## Notes` … `Remember: …`).
fn split_closing(outline: &mut Outline) {
    let Some(last) = outline.sections.last_mut() else {
        return;
    };
    if last.header.is_none() || last.is_loose() {
        return;
    }
    let Some(last_item) = last.units.iter().rposition(Unit::is_item) else {
        return;
    };
    let tail = last.units.split_off(last_item + 1);
    if tail.is_empty() {
        return;
    }
    if tail.iter().any(|u| u.kind != UnitKind::Paragraph) {
        last.units.extend(tail);
        return;
    }
    outline.sections.push(Section {
        header: Some(Header {
            kind: HeaderKind::Loose,
            source: String::new(),
            title: String::new(),
        }),
        units: tail,
    });
}

fn section(kind: HeaderKind, block: &Block) -> Section {
    Section {
        header: Some(Header {
            kind,
            source: block.source.clone(),
            title: clean_title(&block.text),
        }),
        units: Vec::new(),
    }
}

/// A title without the punctuation around it (`Methodology:` → `Methodology`).
pub fn clean_title(text: &str) -> String {
    text.trim()
        .trim_end_matches([':', '：'])
        .trim()
        .trim_matches('*')
        .trim()
        .to_owned()
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// A short paragraph that is bold from end to end: `**Methodology:**`, `**Stack**:`.
fn is_bold_title(block: &Block) -> bool {
    let s = block.source.trim();
    block.kind == BlockKind::Paragraph
        && !s.contains('\n')
        && (s.starts_with("**") || s.starts_with("__"))
        && (s.ends_with("**") || s.ends_with("**:") || s.ends_with("__") || s.ends_with("__:"))
        && words(&block.text) <= TITLE_WORDS
}

/// A short paragraph ending in `:` followed by a list, or by a title it introduces.
fn is_lead_in(block: &Block, next: Option<&Block>) -> bool {
    block.kind == BlockKind::Paragraph
        && !block.source.trim().contains('\n')
        && block.text.trim_end().ends_with(':')
        && words(&block.text) <= TITLE_WORDS
        && next.is_some_and(|n| n.kind == BlockKind::ListItem || is_bold_title(n))
}

fn unit_of(block: Block) -> Unit {
    let kind = match block.kind {
        BlockKind::ListItem if is_numbered(&block.source) => UnitKind::Step,
        BlockKind::ListItem => UnitKind::Bullet,
        BlockKind::Paragraph | BlockKind::Heading(_) => UnitKind::Paragraph,
        BlockKind::Code => UnitKind::Code,
        BlockKind::Other => UnitKind::Other,
    };
    Unit {
        kind,
        source: block.source,
        text: block.text,
    }
}

/// Whether a list item's marker is a number (`3.` or `3)`).
pub fn is_numbered(item: &str) -> bool {
    let marker = list_marker(item);
    marker.len() > 1
        && marker[..marker.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
}

/// A list item's marker: `-`, `*`, `+`, `12.`, `3)`.
pub fn list_marker(item: &str) -> &str {
    item.trim_start().split([' ', '\t']).next().unwrap_or("")
}

/// A list item's text after its marker, with its continuation lines as written.
pub fn after_marker(item: &str) -> &str {
    let t = item.trim_start();
    t[list_marker(t).len()..].trim_start_matches([' ', '\t'])
}

/// A list item that is a title over a nested list of two or more items (and nothing else):
/// read as a section of its own, whose units are the nested items.
fn group_item(block: &Block) -> Option<Section> {
    let marker = list_marker(&block.source).to_owned();
    let first_line_end = block.source.find('\n')?;
    let first = after_marker(&block.source[..first_line_end]).trim_end();
    // The nested part, moved back to the left margin.
    let rest = &block.source[first_line_end + 1..];
    let indent = rest
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()?;
    if indent == 0 {
        return None;
    }
    let dedented: String = rest
        .lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n");
    let nested = markdown::blocks(&dedented);
    if nested.len() < 2 || nested.iter().any(|b| b.kind != BlockKind::ListItem) {
        return None;
    }
    let title_text = markdown::blocks(first)
        .first()
        .map(|b| b.text.clone())
        .unwrap_or_default();
    Some(Section {
        header: Some(Header {
            kind: HeaderKind::GroupItem { marker },
            source: first.to_owned(),
            title: clean_title(&title_text),
        }),
        units: nested.into_iter().map(unit_of).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(o: &Outline) -> Vec<String> {
        o.sections
            .iter()
            .map(|s| match &s.header {
                None => "<intro>".to_owned(),
                Some(h) if h.kind == HeaderKind::Loose => "<loose>".to_owned(),
                Some(h) => h.title.clone(),
            })
            .collect()
    }

    #[test]
    fn headings_bold_titles_and_lead_ins_open_sections() {
        let o = outline(
            "# Title\n\nYou are a helper.\n\n## Rules\n- a\n- b\n\n**Methodology:**\n1. x\n2. y\n\nYour approach:\n- p\n- q\n\nClosing words.\n",
        );
        assert_eq!(o.title.as_ref().unwrap().text, "Title");
        assert_eq!(
            titles(&o),
            [
                "<intro>",
                "Rules",
                "Methodology",
                "Your approach",
                "<loose>"
            ]
        );
        assert_eq!(o.sections[0].units[0].text, "You are a helper.");
        assert_eq!(o.sections[2].units[1].kind, UnitKind::Step);
        assert_eq!(o.closing_start(), 4);
    }

    #[test]
    fn a_titled_item_over_a_nested_list_is_a_section() {
        let o = outline(
            "Your responsibilities:\n\n1. **API Design**: you will:\n\n   - Design REST APIs\n   - Version them\n2. **Databases**: you will:\n   - Model data\n   - Index it\n",
        );
        assert_eq!(
            titles(&o),
            [
                "<intro>",
                "Your responsibilities",
                "API Design: you will",
                "Databases: you will"
            ]
        );
        let api = &o.sections[2];
        assert_eq!(
            api.header.as_ref().unwrap().kind,
            HeaderKind::GroupItem {
                marker: "1.".into()
            }
        );
        assert_eq!(api.units.len(), 2);
        assert_eq!(api.units[0].source, "- Design REST APIs");
    }

    #[test]
    fn a_code_block_stays_with_its_lead_sentence() {
        let o = outline("## Run\n\nRun the checks like this:\n\n```sh\nmake check\n```\n");
        let units = &o.sections[1].units;
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].kind, UnitKind::Code);
        assert!(units[0]
            .source
            .starts_with("Run the checks like this:\n\n```sh"));
    }

    #[test]
    fn long_sentences_ending_in_a_colon_are_not_titles() {
        let o = outline("When you review code that other people on the team wrote last week, always check these things first:\n- a\n- b\n");
        assert_eq!(o.sections.len(), 1);
    }
}

#[cfg(test)]
mod comment_tests {
    use super::is_html_comment;

    #[test]
    fn a_title_after_html_comments_is_the_title() {
        let o = super::outline(
            "<!-- why this agent exists -->\n\n# Site Builder\n\nYou build sites.\n",
        );
        assert_eq!(o.title.map(|t| t.text).as_deref(), Some("Site Builder"));
        assert_eq!(o.sections[0].units.len(), 2, "{:?}", o.sections[0].units);
    }

    #[test]
    fn only_units_made_of_html_comments_are_comments() {
        assert!(is_html_comment("<!-- a --> <!-- b -->"));
        assert!(is_html_comment("<!-- open to the end"));
        assert!(!is_html_comment("<!-- a --> text"));
        assert!(!is_html_comment("<div>text</div>"));
    }
}
