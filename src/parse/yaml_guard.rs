//! The YAML guards: strict YAML parsed only within time and memory in proportion to the text's
//! length (alias bombs, deep nesting, tags refused before or instead of parsing).

use super::flow_depth::flow_depth;
use serde_yaml::Value;

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
pub(crate) enum StrictError {
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
pub(crate) fn strict_yaml(yaml: &str, work: &YamlWork) -> Result<Value, StrictError> {
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
pub(crate) struct YamlWork {
    left: std::cell::Cell<usize>,
}

impl YamlWork {
    pub(crate) fn per_file() -> YamlWork {
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
pub(super) fn flow_openers(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'[' || b == b'{').count()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
