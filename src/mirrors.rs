//! Mirror sets: one agent kept for several tools at once (often generated from one source into
//! every tool's folder). Its copies have one name (or file stem), one body, and lie in different
//! tools' folders. They are not duplicates to merge: each tool loads its own copy. So they are
//! reported as a set, never clustered with each other (clusters stay inside one tool's folder),
//! and counted once in the library's statistics (boilerplate, term rarity), so that mirroring a
//! library ten times does not make every body look like boilerplate.

use crate::model::{AgentFile, Kind, MirrorSet};
use crate::parse::format::scope;
use rustc_hash::FxHashMap;

/// The mirror sets among `agents`, whose bodies must still be in memory. Each set lists its
/// members in library order; the sets come in the order of their first member.
pub fn mirror_sets(agents: &[AgentFile]) -> Vec<MirrorSet> {
    let body_keys: Vec<u64> = agents.iter().map(|a| body_key(&a.body)).collect();
    mirror_sets_by_body_key(agents, &body_keys)
}

/// [`mirror_sets`], from each agent's [`body_key`] taken while its body was in memory: a scan
/// lets each body go as soon as the file is featurized.
pub fn mirror_sets_by_body_key(agents: &[AgentFile], body_keys: &[u64]) -> Vec<MirrorSet> {
    let mut groups: FxHashMap<(Kind, String, u64), Vec<usize>> = FxHashMap::default();
    for (i, (agent, &body)) in agents.iter().zip(body_keys).enumerate() {
        let key = (agent.kind, identity(agent), body);
        groups.entry(key).or_default().push(i);
    }
    let mut sets: Vec<MirrorSet> = groups
        .into_iter()
        .filter_map(|((kind, name, _), members)| {
            let mut tools: Vec<String> = members
                .iter()
                .map(|&i| scope(&agents[i].path, agents[i].format))
                .collect();
            tools.sort();
            tools.dedup();
            (tools.len() >= 2).then(|| MirrorSet {
                name,
                kind,
                tools,
                paths: members.iter().map(|&i| agents[i].path.clone()).collect(),
                members,
            })
        })
        .collect();
    sets.sort_by_key(|s| s.members[0]);
    sets
}

/// Which agents count in the library's statistics: one per mirror set (its first member), and
/// every agent in no set.
pub fn counted(agent_count: usize, sets: &[MirrorSet]) -> Vec<bool> {
    let mut counted = vec![true; agent_count];
    for set in sets {
        for &m in &set.members[1..] {
            counted[m] = false;
        }
    }
    counted
}

/// The name the copies share: the tool's own name for the file, lowercased (Copilot file names
/// keep their capitals, other tools' names are slugs), else the file stem.
fn identity(agent: &AgentFile) -> String {
    agent.display_name().trim().to_lowercase()
}

/// The body with its white space folded, hashed: generators reflow blank lines and trailing
/// spaces, not words.
pub fn body_key(body: &str) -> u64 {
    // Each word (as `split_whitespace` gives them) followed by one space, written a byte at a time
    // into one buffer hashed at the end: this runs over every body of the library, and
    // `split_whitespace` decodes every character and copies word by word. Only a byte that can
    // start a white space character beyond ASCII (U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000)
    // has its character decoded.
    let bytes = body.as_bytes();
    let mut folded = Vec::with_capacity(bytes.len() + 1);
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let space = match b {
            b' ' | b'\t'..=b'\r' => 1,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                let c = body[i..].chars().next().expect("a character starts here");
                if c.is_whitespace() {
                    c.len_utf8()
                } else {
                    0
                }
            }
            _ => 0,
        };
        if space > 0 {
            if in_word {
                folded.push(b' ');
                in_word = false;
            }
            i += space;
        } else {
            folded.push(b);
            in_word = true;
            i += 1;
        }
    }
    if in_word {
        folded.push(b' ');
    }
    xxhash_rust::xxh3::xxh3_64(&folded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, name: &str, body: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: d\n---\n{body}");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    #[test]
    fn the_body_key_is_the_hash_of_the_words_each_followed_by_a_space() {
        let long = "word ".repeat(3000) + &"x".repeat(5000) + "\n tail";
        let wide =
            "\u{a0}caf\u{e9}\u{3000}na\u{ef}ve \u{1f600}\u{2028}x\u{b}y\u{c}z\u{85}end\u{202f}";
        for body in ["", "Review  APIs.\n\n", " a\tb\nc ", long.as_str(), wide] {
            let mut words = String::new();
            for w in body.split_whitespace() {
                words.push_str(w);
                words.push(' ');
            }
            assert_eq!(body_key(body), xxhash_rust::xxh3::xxh3_64(words.as_bytes()));
        }
        // Every character up to U+3100 (beyond it, none is white space) between two words.
        for c in (0..0x3100).filter_map(char::from_u32) {
            let body = format!("a{c}b {c}");
            let words: String = body.split_whitespace().map(|w| format!("{w} ")).collect();
            assert_eq!(
                body_key(&body),
                xxhash_rust::xxh3::xxh3_64(words.as_bytes()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn same_name_and_body_in_two_tools_is_a_mirror_set() {
        let agents = vec![
            agent(".claude/agents/a.md", "api", "Review APIs.\n"),
            agent(".cursor/agents/a.md", "api", "Review  APIs.\n\n"),
            agent(
                ".github/agents/api.agent.md",
                "API Reviewer",
                "Review APIs.\n",
            ),
            agent(".gemini/agents/a.md", "api", "Something else.\n"),
            agent("plugins/x/agents/a.md", "api", "Review APIs.\n"),
        ];
        let sets = mirror_sets(&agents);
        assert_eq!(sets.len(), 1, "{sets:?}");
        // The Claude Code copies (project and plugin) are one tool's: duplicates, in the set
        // with the other tools' copies.
        assert_eq!(sets[0].members, [0, 1, 2, 4]);
        assert_eq!(sets[0].tools, ["claude-code", "copilot", "cursor"]);
        assert_eq!(counted(5, &sets), [true, false, false, true, false]);
    }

    #[test]
    fn copies_inside_one_tool_are_no_mirror_set() {
        let agents = vec![
            agent(".claude/agents/a.md", "api", "Review APIs.\n"),
            agent("plugins/x/agents/a.md", "api", "Review APIs.\n"),
        ];
        assert!(mirror_sets(&agents).is_empty());
    }
}
