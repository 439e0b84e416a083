//! What the descriptions cost. Claude Code lists every available agent's name and description to
//! the main model in every session, and warns at start-up when they pass about 15k tokens in all;
//! other tools list their agents the same way. This estimates, per tool, the tokens of that
//! listing, names the agents that cost most, and what the proposed consolidation would save: the
//! listing lines of the members it removes, minus what the merged description adds over the
//! representative's.
//!
//! Tokens are estimated at [`CHARS_PER_TOKEN`] characters per token, the rule of thumb the model
//! vendors document for English text (OpenAI and Anthropic both give about four): an estimate, not
//! a tokenizer's count.

use crate::model::{AgentFile, ClusterReport, Kind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const CHARS_PER_TOKEN: usize = 4;

/// Claude Code warns when the agent descriptions pass this many tokens.
pub const CLAUDE_CODE_WARNING_TOKENS: usize = 15_000;

/// How many of the costliest agents are named per tool.
const COSTLIEST: usize = 5;

/// The listing of one tool's agents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolCost {
    pub tool: String,
    pub agents: usize,
    /// Estimated tokens of every agent's name and description, as listed in each session.
    pub tokens: usize,
    /// Claude Code's warning level, where the tool has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_at: Option<usize>,
    pub costliest: Vec<AgentCost>,
    /// Tokens the proposed consolidation saves in this tool's listing.
    pub saving: usize,
    /// The listing after the consolidation.
    pub tokens_after: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgentCost {
    pub path: PathBuf,
    pub name: String,
    pub tokens: usize,
}

/// The tokens of one listing line, `name: description`.
pub fn listing_tokens(name: &str, description: &str) -> usize {
    let chars = name.chars().count() + 2 + description.chars().count();
    chars.div_ceil(CHARS_PER_TOKEN)
}

fn agent_tokens(agent: &AgentFile) -> usize {
    listing_tokens(
        &agent.display_name(),
        &agent.frontmatter.description().unwrap_or_default(),
    )
}

/// The cost of each tool's listing of agents (skills, commands and rules are not in it), with
/// what `clusters` would save. A tool lists the agents it loads (see [`crate::loads`]): Cursor
/// also lists the `.claude/agents` agents its own folder does not shadow, and a shadowed copy is
/// not counted. Agents of formats no modelled tool loads (CrewAI, other tools' folders) are
/// listed under their own format, every file counted. `home` tells user-level files from
/// project ones, as for name collisions.
pub fn description_cost(
    agents: &[AgentFile],
    clusters: &[ClusterReport],
    home: Option<&std::path::Path>,
) -> Vec<ToolCost> {
    let mut by_tool: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (tool, listed) in crate::loads::listed_agents(agents, home) {
        if !listed.is_empty() {
            by_tool.insert(tool.tool_name(), listed);
        }
    }
    let modelled = crate::loads::TOOLS;
    for (i, agent) in agents.iter().enumerate() {
        if agent.kind == Kind::Agent && !modelled.contains(&agent.format) {
            by_tool.entry(agent.format.tool_name()).or_default().push(i);
        }
    }
    by_tool
        .into_iter()
        .map(|(tool, members)| tool_cost(tool, &members, agents, clusters))
        .collect()
}

/// One tool's listing of `listed`, and what `clusters` save in it: for each cluster with members
/// in the listing, their lines, minus the merged agent's line that replaces them.
fn tool_cost(
    tool: &'static str,
    listed: &[usize],
    agents: &[AgentFile],
    clusters: &[ClusterReport],
) -> ToolCost {
    let in_listing: rustc_hash::FxHashSet<usize> = listed.iter().copied().collect();
    let mut saving = 0;
    for c in clusters {
        let before: usize = c
            .cluster
            .members
            .iter()
            .filter(|m| in_listing.contains(m))
            .map(|&m| agent_tokens(&agents[m]))
            .sum();
        if before == 0 || agents[c.cluster.representative].kind != Kind::Agent {
            continue;
        }
        let merged = listing_tokens(
            &c.merged.name,
            &c.merged.frontmatter.description().unwrap_or_default(),
        );
        saving += before.saturating_sub(merged);
    }
    let mut costs: Vec<AgentCost> = listed
        .iter()
        .map(|&i| AgentCost {
            path: agents[i].path.clone(),
            name: agents[i].display_name(),
            tokens: agent_tokens(&agents[i]),
        })
        .collect();
    let tokens = costs.iter().map(|c| c.tokens).sum();
    costs.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.path.cmp(&b.path)));
    costs.truncate(COSTLIEST);
    ToolCost {
        tool: tool.to_owned(),
        agents: listed.len(),
        tokens,
        warning_at: (tool == "Claude Code").then_some(CLAUDE_CODE_WARNING_TOKENS),
        costliest: costs,
        saving,
        tokens_after: tokens.saturating_sub(saving),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, MergedAgent, Tier};
    use crate::parse::parse_agent;
    use std::path::Path;

    fn agent(path: &str, name: &str, description: &str) -> AgentFile {
        let text = format!("---\nname: {name}\ndescription: {description}\n---\nBody\n");
        parse_agent(Path::new(path), text.as_bytes()).unwrap()
    }

    /// Worked by hand: `api` + `: ` + 38 characters = 43 characters, 11 tokens (43 / 4, rounded
    /// up); `api-v2` + `: ` + 38 = 46, 12 tokens; `sql` + `: ` + 10 = 15, 4 tokens. The merge of
    /// the first two, `api` with a 50-character description, lists at 55 characters, 14 tokens:
    /// it saves 11 + 12 − 14 = 9 tokens.
    ///
    /// Cursor lists its own `sql` (`sql` + `: ` + 23 = 28 characters, 7 tokens), which shadows
    /// the `.claude` one, and the two `.claude` agents it does not shadow: 11 + 12 + 7 = 30, not
    /// every file's 34; the merge saves the same 9 there. Claude Code also lists the plugin's
    /// `lint` (`lint: Lints.`, 12 characters, 3 tokens), which Cursor does not read.
    #[test]
    fn a_hand_computed_listing_and_saving() {
        let d38 = "Reviews HTTP APIs for breaking changes";
        assert_eq!(d38.len(), 38);
        let agents = vec![
            agent(".claude/agents/api.md", "api", d38),
            agent(".claude/agents/api-v2.md", "api-v2", d38),
            agent(".claude/agents/sql.md", "sql", "Tunes SQL."),
            agent(".cursor/agents/sql.md", "sql", "Tunes SQL queries fast."),
            agent("m/plugins/kit/agents/lint.md", "lint", "Lints."),
        ];
        let d50 = "Reviews HTTP APIs for breaking changes, and more..";
        assert_eq!(d50.len(), 50);
        let mut frontmatter = agents[0].frontmatter.clone();
        frontmatter.entries.insert("description".into(), d50.into());
        let cluster = ClusterReport {
            id: "c1".into(),
            cluster: Cluster {
                members: vec![0, 1],
                representative: 0,
                tier: Tier::Copy,
                min_score: 1.0,
                max_score: 1.0,
                shared_terms: vec![],
                copy_groups: vec![],
                pairs: vec![],
            },
            merged: MergedAgent {
                name: "api".into(),
                frontmatter,
                body: String::new(),
                decisions: vec![],
                text: String::new(),
                diffs: vec![],
            },
        };
        let cost = description_cost(&agents, &[cluster], None);
        assert_eq!(cost.len(), 2);
        let claude = &cost[0];
        assert_eq!(claude.tool, "Claude Code");
        assert_eq!((claude.agents, claude.tokens), (4, 11 + 12 + 4 + 3));
        assert_eq!(claude.warning_at, Some(15_000));
        assert_eq!(claude.saving, 9);
        assert_eq!(claude.tokens_after, 30 - 9);
        assert_eq!(claude.costliest[0].name, "api-v2");
        assert_eq!(claude.costliest[0].tokens, 12);
        let cursor = &cost[1];
        assert_eq!(
            (cursor.tool.as_str(), cursor.agents, cursor.tokens),
            ("Cursor", 3, 11 + 12 + 7)
        );
        assert_eq!((cursor.saving, cursor.tokens_after), (9, 30 - 9));
        assert_eq!(cursor.warning_at, None);
        let sql = cursor.costliest.iter().find(|c| c.name == "sql").unwrap();
        assert_eq!(sql.path, Path::new(".cursor/agents/sql.md"));
        assert_eq!(sql.tokens, 7);
    }
}
