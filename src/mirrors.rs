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
    // Each word ended by a space (the words `split_whitespace` gives), gathered into a small
    // buffer that goes into the hash when full: no copy of the body is made, and the hash is not
    // called twice a word (a streaming hash gives the same value however its input is cut). Words
    // are found a byte at a time, a character decoded only where a byte is not ASCII: this runs
    // over every body of the library, and `split_whitespace` decodes every character.
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = [0u8; 4096];
    let mut used = 0;
    let mut push = |piece: &[u8]| {
        if used + piece.len() > buffer.len() {
            hasher.update(&buffer[..used]);
            used = 0;
        }
        if piece.len() > buffer.len() {
            hasher.update(piece);
        } else {
            buffer[used..used + piece.len()].copy_from_slice(piece);
            used += piece.len();
        }
    };
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = space_at(body, i);
        if space {
            i += len;
            continue;
        }
        let start = i;
        while i < bytes.len() {
            let (space, len) = space_at(body, i);
            if space {
                break;
            }
            i += len;
        }
        push(&bytes[start..i]);
        push(b" ");
    }
    hasher.update(&buffer[..used]);
    hasher.digest()
}

/// Whether the character at byte `i` of `text` (a character boundary) is white space as
/// `char::is_whitespace` says, and its length in bytes.
fn space_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (matches!(b, b' ' | b'\t'..=b'\r'), 1);
    }
    let c = text[i..].chars().next().expect("i is a character boundary");
    (c.is_whitespace(), c.len_utf8())
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
