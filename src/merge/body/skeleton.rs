//! The body the merge builds on: which member's it is (the representative's, unless another says
//! much more of what the members share), the language it is written in, and where its closing
//! starts (what the merge adds goes before it).

use super::cache::TermCache;
use crate::merge::outline::{Outline, UnitKind};
use crate::merge::points::{Language, Terms};
use crate::merge::topics;
use rustc_hash::FxHashMap;

/// A member's body is taken as the merge's skeleton instead of the representative's when it holds
/// this many times the words two or more members use…
const RICHER_SKELETON: f32 = 1.5;

/// …and at least this many more of them: a few words more is no richer body.
const RICHER_BY_WORDS: usize = 40;

/// The member whose body is the skeleton: the representative's, unless another member's already
/// says much more of what the members share (its words that two or more members use). A short
/// representative among long members would otherwise take most of the body from others as
/// additions, and a body built mostly of additions reads as a patchwork.
pub(super) fn skeleton_of(
    outlines: &[Outline],
    representative: usize,
    cache: &mut TermCache,
) -> usize {
    // The words of each body, from its units' (which the merge reads anyway, so they are cached).
    let terms: Vec<Terms> = outlines
        .iter()
        .map(|o| {
            let mut words = Terms::default();
            for (_, u) in o.units() {
                words.extend(cache.terms(&u.text).iter().copied());
            }
            words
        })
        .collect();
    let mut holders: FxHashMap<u64, usize> = FxHashMap::default();
    for set in &terms {
        for &t in set.iter() {
            *holders.entry(t).or_default() += 1;
        }
    }
    let shared = |set: &Terms| set.iter().filter(|t| holders[*t] >= 2).count();
    let rep_shared = shared(&terms[representative]);
    let (best, best_shared) = terms
        .iter()
        .enumerate()
        .map(|(i, set)| (i, shared(set)))
        .max_by_key(|&(i, n)| (n, i == representative))
        .unwrap_or((representative, rep_shared));
    if best_shared as f32 >= RICHER_SKELETON * rep_shared as f32
        && best_shared >= rep_shared + RICHER_BY_WORDS
    {
        best
    } else {
        representative
    }
}

/// The language of a body: the language of three quarters of its prose units or more, else
/// `Unknown` (a body that mixes two languages throughout has no other language to keep out).
pub(super) fn body_language(outline: &Outline, cache: &mut TermCache) -> Language {
    let mut counts: Vec<(Language, usize)> = Vec::new();
    let mut total = 0;
    for (_, u) in outline.units() {
        if u.kind == UnitKind::Code {
            continue;
        }
        let language = cache.language(&u.text);
        if language == Language::Unknown {
            continue;
        }
        total += 1;
        match counts.iter_mut().find(|(l, _)| *l == language) {
            Some((_, n)) => *n += 1,
            None => counts.push((language, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n * 4 >= total * 3)
        .map_or(Language::Unknown, |(l, _)| l)
}

/// Where a body's closing starts: its trailing loose paragraphs
/// ([`crate::merge::outline::Outline::closing_start`]), and the sections titled as a closing or as
/// pointers elsewhere just before them (`## Remember`, `## Resources`, `## Related agents`): what
/// the merge adds goes before them, and another member's closing sections are not carried over.
pub(super) fn closing_of(outline: &Outline, cache: &mut TermCache) -> usize {
    let mut start = outline.closing_start();
    while start > 1
        && outline.sections[start - 1].title().is_some_and(|t| {
            matches!(
                cache.topic(t).known,
                Some(topics::CLOSING) | Some(topics::REFERENCES)
            )
        })
    {
        start -= 1;
    }
    start
}

#[cfg(test)]
mod tests {

    use crate::merge::body::testing::merged;

    /// A body of `sections` sections of five items each, on invented topics of one job.
    fn rich_body(intro: &str, sections: &[&str]) -> String {
        let mut body = format!("{intro}\n");
        for (s, title) in sections.iter().enumerate() {
            body.push_str(&format!("\n## {title}\n"));
            const SYLLABLES: [&str; 8] = ["ba", "ke", "lo", "mi", "nu", "ra", "si", "to"];
            for item in &SYLLABLES[..5] {
                // Invented words, one set an item: the members share words, not filler.
                let word = |k: usize| format!("{}{item}{}n", SYLLABLES[s], SYLLABLES[k]);
                body.push_str(&format!(
                    "- Check the {title} {} against {} and {} before {}\n",
                    word(0),
                    word(1),
                    word(2),
                    word(3)
                ));
            }
        }
        body
    }

    #[test]
    fn a_member_saying_much_more_of_what_all_share_is_the_skeleton_and_the_report_says_so() {
        let titles = ["Glazing", "Firing", "Stacking", "Cooling", "Packing"];
        let rich = rich_body("You run a pottery kiln.", &titles);
        let also_rich = rich_body("You keep a kiln running.", &titles[..4]);
        let short = "You fire pottery.\n\n## Firing\n- Check the Firing kebaban against kebaken\n";
        let (m, decisions) = merged(short, &[&rich, &also_rich]);
        assert!(m.starts_with("You run a pottery kiln."), "{m}");
        assert!(!m.contains("You fire pottery"), "one identity: {m}");
        assert_eq!(m.matches("## Firing").count(), 1, "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.chose.starts_with("0.md"), "{body:?}");
        assert!(body.why.contains("says much more"), "{body:?}");
        // A representative about as rich as the others keeps its body.
        let (m, decisions) = merged(&also_rich, &[&rich, short]);
        assert!(m.starts_with("You keep a kiln running."), "{m}");
        let body = decisions.iter().find(|d| d.field == "body").unwrap();
        assert!(body.chose.starts_with("r.md"), "{body:?}");
    }
}
