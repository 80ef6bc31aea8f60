//! Text shaping for card variables: renderer normalization, frame trimming and safe split points.

use unicode_segmentation::UnicodeSegmentation;

/// Normalizes markdown for the card renderer, which treats a single `\n` as a space: inside code fences and before
/// block syntax (lists, tables, headings, rules, quotes) newlines are kept; consecutive quote lines are joined with
/// `<br>`; other single newlines become `<br>`. Paragraph breaks (`\n\n`) are kept.
pub fn normalize_for_card(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence = false;
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let Some(next) = lines.get(i + 1) else { break };
        if is_fence(line) {
            in_fence = !in_fence;
        }
        let keep_newline = in_fence
            || is_fence(next)
            || line.trim().is_empty()
            || next.trim().is_empty()
            || is_block_start(next)
            || is_table_row(line);
        if keep_newline {
            out.push('\n');
        } else {
            out.push_str("<br>");
        }
    }
    out
}

/// What a non-final frame may show: trailing newlines dropped (they cause flicker) and a trailing unterminated
/// `[DING:` media tag held back until it is complete.
pub fn trim_partial_frame(text: &str) -> &str {
    let mut end = text.len();
    if let Some(start) = text.rfind("[DING:").filter(|&start| !text[start..].contains(']')) {
        end = start;
    }
    text[..end].trim_end_matches(['\n', '\r'])
}

/// Measures `text` against a budget of characters and UTF-8 bytes.
pub fn fits(text: &str, max_chars: usize, max_bytes: usize) -> bool {
    text.len() <= max_bytes && text.chars().count() <= max_chars
}

/// A split of an over-long text: the head that fits, and where the rest starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// What stays in the current card (fences closed).
    pub head: String,
    /// Byte offset in the input where the remainder starts.
    pub rest_at: usize,
    /// The fence line to reopen at the start of the remainder, when the split fell inside a code block.
    pub reopen_fence: Option<String>,
}

/// Finds the split point of `text` for a budget: searching backwards from the budget, the last blank line outside a
/// code fence, else the last newline, else the last sentence end (`。！？.!?`), else a grapheme boundary. Never
/// inside a table row. A split inside a fence closes the fence in the head and reports the fence to reopen.
pub fn split_for_budget(text: &str, max_chars: usize, max_bytes: usize) -> Split {
    // The largest prefix, on a grapheme boundary, that fits both budgets (leave room for a closing fence).
    let reserve = 8;
    let limit_chars = max_chars.saturating_sub(reserve).max(1);
    let limit_bytes = max_bytes.saturating_sub(reserve).max(4);
    let mut limit = 0;
    let mut chars = 0;
    for (offset, grapheme) in text.grapheme_indices(true) {
        let next_chars = chars + grapheme.chars().count();
        let next_end = offset + grapheme.len();
        if next_chars > limit_chars || next_end > limit_bytes {
            break;
        }
        chars = next_chars;
        limit = next_end;
    }
    if limit == 0 {
        // A single grapheme larger than the budget: take it whole rather than loop forever.
        limit = text.graphemes(true).next().map_or(text.len(), str::len);
    }
    let window = &text[..limit];
    let fence_open_at = |pos: usize| fence_state(&text[..pos]);
    let candidates = [
        last_blank_line_outside_fence(window),
        window.rfind('\n').map(|i| i + 1),
        last_sentence_end(window),
    ];
    let mut at = candidates
        .into_iter()
        .flatten()
        .find(|&at| at > 0 && !inside_table_row(text, at))
        .unwrap_or(limit);
    if at == 0 {
        at = limit;
    }
    let fence = fence_open_at(at);
    let mut head = text[..at].to_owned();
    if fence.is_some() {
        if !head.ends_with('\n') {
            head.push('\n');
        }
        head.push_str("```");
    }
    Split {
        head,
        rest_at: at,
        reopen_fence: fence,
    }
}

fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

fn is_block_start(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#')
        || t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || t.starts_with('>')
        || t.starts_with('|')
        || t.starts_with("---")
        || t.starts_with("***")
        || t.split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn is_table_row(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

/// The info line of the fence open at the end of `text`, if one is open.
fn fence_state(text: &str) -> Option<String> {
    let mut open: Option<String> = None;
    for line in text.split('\n') {
        if is_fence(line) {
            open = if open.is_some() {
                None
            } else {
                Some(line.trim().to_owned())
            };
        }
    }
    open
}

fn last_blank_line_outside_fence(window: &str) -> Option<usize> {
    let mut best = None;
    let mut in_fence = false;
    let mut offset = 0;
    let mut previous_blank_candidate = false;
    for line in window.split_inclusive('\n') {
        if is_fence(line) {
            in_fence = !in_fence;
        }
        let end = offset + line.len();
        if !in_fence && line.trim().is_empty() && line.ends_with('\n') && previous_blank_candidate {
            best = Some(end);
        }
        previous_blank_candidate = line.ends_with('\n');
        offset = end;
    }
    best
}

fn last_sentence_end(window: &str) -> Option<usize> {
    window
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '.' | '!' | '?'))
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
}

fn inside_table_row(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    at != line_start && is_table_row(&text[line_start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_keeps_blocks_and_fences() {
        assert_eq!(normalize_for_card("a\nb"), "a<br>b");
        assert_eq!(normalize_for_card("a\n\nb"), "a\n\nb");
        assert_eq!(normalize_for_card("intro\n- x\n- y"), "intro\n- x\n- y");
        assert_eq!(
            normalize_for_card("```\nx\ny\n```\nafter"),
            "```\nx\ny\n```<br>after"
        );
        assert_eq!(normalize_for_card("| a |\n| - |\n| 1 |"), "| a |\n| - |\n| 1 |");
    }

    #[test]
    fn partial_frames_hold_back_tags_and_newlines() {
        assert_eq!(trim_partial_frame("hello\n\n"), "hello");
        assert_eq!(trim_partial_frame("see [DING:IMAGE path=\"/a"), "see ");
        assert_eq!(
            trim_partial_frame("see [DING:IMAGE path=\"/a.png\"] ok"),
            "see [DING:IMAGE path=\"/a.png\"] ok"
        );
    }

    #[test]
    fn split_prefers_paragraphs_then_lines_then_sentences() {
        let text = format!("{}\n\n{}", "a".repeat(40), "b".repeat(100));
        let split = split_for_budget(&text, 60, 10_000);
        assert_eq!(split.head, format!("{}\n\n", "a".repeat(40)));
        assert_eq!(&text[split.rest_at..], "b".repeat(100));
        let text = format!("{}. {}", "a".repeat(30), "b".repeat(100));
        let split = split_for_budget(&text, 60, 10_000);
        assert_eq!(split.head, format!("{}.", "a".repeat(30)));
    }

    #[test]
    fn split_inside_a_fence_closes_and_reopens_it() {
        let text = format!(
            "```rust\n{}\n{}\n```",
            "let a = 1;".repeat(3),
            "let b = 2;".repeat(10)
        );
        let split = split_for_budget(&text, 60, 10_000);
        assert!(
            split.head.starts_with("```rust\n") && split.head.ends_with("```"),
            "{}",
            split.head
        );
        assert_eq!(split.reopen_fence.as_deref(), Some("```rust"));
    }

    #[test]
    fn split_never_breaks_an_emoji_sequence() {
        let family = "👨‍👩‍👧‍👦";
        let text = family.repeat(50);
        let split = split_for_budget(&text, 30, 10_000);
        assert!(
            split.head.len().is_multiple_of(family.len()),
            "split inside a grapheme"
        );
        assert!(fits(&split.head, 30, 10_000));
    }
}
