//! Outbound text shaping: chunking long replies, deriving titles, table handling, markdown detection.

use unicode_segmentation::UnicodeSegmentation;

use crate::config::TableMode;

/// One block of a markdown document.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    /// A fenced code block, fences included.
    Fence { open: String, body: Vec<String> },
    /// Consecutive table rows (header, separator, rows).
    Table(Vec<String>),
    /// Anything else, up to a blank line.
    Text(Vec<String>),
}

/// Splits `text` into chunks of at most `max_chars` characters.
///
/// Splits prefer block boundaries (blank lines), then line breaks, then sentence ends (`。！？.!?`), then grapheme
/// boundaries. A code fence is never left open: a split inside one closes it and reopens it with the same info
/// string. A table that fits moves whole into the next chunk; a larger one splits between rows and repeats its
/// header and separator.
pub fn chunk(text: &str, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(40);
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    for block in parse_blocks(text) {
        for piece in split_block(&block, max_chars) {
            let joined_len = len(&current) + if current.is_empty() { 0 } else { 2 } + len(&piece);
            if !current.is_empty() && joined_len > max_chars {
                chunks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push_str("\n\n");
            }
            current.push_str(&piece);
        }
    }
    if !current.trim().is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// A message title: the first non-empty line without heading, quote, list or emphasis markers and link syntax,
/// whitespace collapsed, cut to `max` graphemes; `fallback` when nothing is left.
pub fn derive_title(text: &str, max: usize, fallback: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("```"))
        .unwrap_or("");
    let mut t = line.trim_start_matches(['#', '>', ' ']).to_owned();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(marker) {
            t = rest.to_owned();
        }
    }
    if let Some((n, rest)) = t.split_once(". ")
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
    {
        t = rest.to_owned();
    }
    let t = strip_links(&t)
        .replace(['*', '_', '`', '~'], "")
        .replace('|', " ");
    let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let title: String = collapsed.graphemes(true).take(max.max(1)).collect();
    if title.is_empty() {
        fallback.to_owned()
    } else {
        title
    }
}

/// Whether `text` uses markdown syntax (headings, lists, emphasis, code, links, tables, quotes).
pub fn looks_like_markdown(text: &str) -> bool {
    text.lines().any(|line| {
        let t = line.trim_start();
        t.starts_with('#')
            || t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with('>')
            || t.starts_with("```")
            || t.starts_with('|')
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    }) || text.contains("**")
        || text.contains("](")
        || text.contains('`')
}

/// Applies a table mode: `normalize` puts a blank line before tables, pads short rows and rewrites separator cells
/// as `:---`; `code` wraps tables in a fence; `off` leaves text alone. Tables inside fences are never touched.
pub fn apply_table_mode(text: &str, mode: TableMode) -> String {
    if mode == TableMode::Off {
        return text.to_owned();
    }
    let mut out: Vec<String> = Vec::new();
    for block in parse_blocks(text) {
        match block {
            Block::Table(rows) if mode == TableMode::Code => {
                out.push(format!("```\n{}\n```", rows.join("\n")));
            }
            Block::Table(rows) => out.push(normalize_table(&rows)),
            other => out.push(render(&other)),
        }
    }
    out.join("\n\n")
}

fn normalize_table(rows: &[String]) -> String {
    let cells = |row: &str| -> Vec<String> {
        row.trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let width = rows.iter().map(|r| cells(r).len()).max().unwrap_or(1);
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut c = cells(row);
            c.resize(width, String::new());
            let is_separator = i == 1
                && c.iter()
                    .all(|cell| !cell.is_empty() && cell.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if is_separator {
                c = c
                    .iter()
                    .map(
                        |cell| match (cell.starts_with(':'), cell.ends_with(':') && cell.len() > 1) {
                            (true, true) => ":---:".to_owned(),
                            (false, true) => "---:".to_owned(),
                            _ => ":---".to_owned(),
                        },
                    )
                    .collect();
            }
            format!("| {} |", c.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            let mut body = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                body.push(inner.to_owned());
            }
            blocks.push(Block::Fence {
                open: line.trim().to_owned(),
                body,
            });
        } else if line.trim_start().starts_with('|') {
            let mut rows = vec![line.to_owned()];
            while let Some(next) = lines.next_if(|l| l.trim_start().starts_with('|')) {
                rows.push(next.to_owned());
            }
            blocks.push(Block::Table(rows));
        } else if !line.trim().is_empty() {
            let mut para = vec![line.to_owned()];
            while let Some(next) = lines.next_if(|l| {
                !l.trim().is_empty() && !l.trim_start().starts_with("```") && !l.trim_start().starts_with('|')
            }) {
                para.push(next.to_owned());
            }
            blocks.push(Block::Text(para));
        }
    }
    blocks
}

fn render(block: &Block) -> String {
    match block {
        Block::Fence { open, body } => {
            if body.is_empty() {
                format!("{open}\n```")
            } else {
                format!("{open}\n{}\n```", body.join("\n"))
            }
        }
        Block::Table(rows) => rows.join("\n"),
        Block::Text(lines) => lines.join("\n"),
    }
}

fn len(text: &str) -> usize {
    text.chars().count()
}

/// Splits one block into pieces that each fit `max` characters.
fn split_block(block: &Block, max: usize) -> Vec<String> {
    let whole = render(block);
    if len(&whole) <= max {
        return vec![whole];
    }
    match block {
        Block::Fence { open, body } => {
            // Each piece is a complete fence: the info string reopens every piece.
            let overhead = len(open) + 5;
            let lines: Vec<String> = body
                .iter()
                .flat_map(|l| split_text(l, max.saturating_sub(overhead).max(10)))
                .collect();
            pack_lines(&lines, max.saturating_sub(overhead).max(10))
                .into_iter()
                .map(|piece| format!("{open}\n{piece}\n```"))
                .collect()
        }
        Block::Table(rows) if rows.len() > 2 => {
            let header = format!("{}\n{}", rows[0], rows[1]);
            let room = max.saturating_sub(len(&header) + 1).max(10);
            let body: Vec<String> = rows[2..].iter().flat_map(|r| split_text(r, room)).collect();
            pack_lines(&body, room)
                .into_iter()
                .map(|piece| format!("{header}\n{piece}"))
                .collect()
        }
        Block::Table(rows) => pack_lines(
            &rows.iter().flat_map(|r| split_text(r, max)).collect::<Vec<_>>(),
            max,
        ),
        Block::Text(lines) => {
            let pieces: Vec<String> = lines.iter().flat_map(|l| split_text(l, max)).collect();
            pack_lines(&pieces, max)
        }
    }
}

/// Joins lines with `\n` into pieces of at most `max` characters.
fn pack_lines(lines: &[String], max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for line in lines {
        if !current.is_empty() && len(&current) + 1 + len(line) > max {
            pieces.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Splits one line longer than `max` at sentence ends, else at grapheme boundaries.
fn split_text(line: &str, max: usize) -> Vec<String> {
    if len(line) <= max {
        return vec![line.to_owned()];
    }
    let mut out = Vec::new();
    let mut rest = line;
    while len(rest) > max {
        let mut end = 0;
        let mut chars = 0;
        let mut sentence_end = None;
        for (offset, g) in rest.grapheme_indices(true) {
            let c = g.chars().count();
            if chars + c > max {
                break;
            }
            chars += c;
            end = offset + g.len();
            if matches!(g, "。" | "！" | "？" | "." | "!" | "?") {
                sentence_end = Some(end);
            }
        }
        let cut = sentence_end
            .filter(|&at| at * 2 >= end)
            .unwrap_or(end.max(rest.graphemes(true).next().map_or(rest.len(), str::len)));
        out.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

fn strip_links(text: &str) -> String {
    // `[label](url)` → `label`; `![alt](url)` → `alt`.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before.trim_end_matches('!'));
        let link = after
            .find("](")
            .and_then(|mid| after[mid..].find(')').map(|close| (mid, mid + close)));
        if let Some((mid, close)) = link {
            out.push_str(&after[1..mid]);
            rest = &after[close + 1..];
        } else {
            out.push_str(after);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

/// Titles for a multi-chunk reply: `title (i/n)`; a single chunk keeps the plain title.
pub fn numbered_titles(title: &str, count: usize) -> Vec<String> {
    if count <= 1 {
        return vec![title.to_owned()];
    }
    (1..=count).map(|i| format!("{title} ({i}/{count})")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_chunk() {
        assert_eq!(chunk("hello", 100), ["hello"]);
        assert_eq!(chunk("", 100), [""]);
    }

    #[test]
    fn chunks_respect_the_limit_and_keep_everything() {
        let text = (0..50)
            .map(|i| format!("Paragraph {i} has a few words."))
            .collect::<Vec<_>>()
            .join("\n\n");
        let chunks = chunk(&text, 200);
        assert!(chunks.len() > 5);
        for c in &chunks {
            assert!(len(c) <= 200, "{}", len(c));
        }
        let rejoined = chunks.join("\n\n");
        assert_eq!(
            rejoined.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn fences_are_closed_and_reopened() {
        let code: String = (0..40)
            .map(|i| format!("let x{i} = {i};"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let text = format!("Intro\n\n```rust\n{code}```\n\nOutro");
        let chunks = chunk(&text, 150);
        for c in &chunks {
            assert_eq!(c.matches("```").count() % 2, 0, "unbalanced fence in {c}");
            assert!(len(c) <= 150);
        }
        assert!(chunks.iter().filter(|c| c.contains("```rust")).count() > 1);
    }

    #[test]
    fn big_tables_repeat_their_header() {
        let rows = (0..30)
            .map(|i| format!("| row {i} | value {i} |"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = format!("| name | value |\n| --- | --- |\n{rows}");
        let chunks = chunk(&text, 200);
        assert!(chunks.len() > 1);
        for c in &chunks {
            assert!(c.starts_with("| name | value |\n| --- | --- |"), "{c}");
        }
    }

    #[test]
    fn long_lines_split_at_sentences_then_graphemes() {
        let text = "第一句话很长。".repeat(20);
        let chunks = chunk(&text, 50);
        assert!(
            chunks
                .iter()
                .all(|c| c.ends_with('。') || c == chunks.last().unwrap())
        );
        let emoji = "👨‍👩‍👧".repeat(60);
        for c in chunk(&emoji, 40) {
            assert!(c.graphemes(true).all(|g| g == "👨‍👩‍👧"));
        }
    }

    #[test]
    fn titles() {
        assert_eq!(derive_title("## Deploy **done**\nmore", 20, "Bot"), "Deploy done");
        assert_eq!(
            derive_title("- [report](https://x) ready", 20, "Bot"),
            "report ready"
        );
        assert_eq!(derive_title("\n\n", 20, "Bot"), "Bot");
        assert_eq!(
            derive_title("一二三四五六七八九十一二三四五六七八九十一二", 20, "Bot")
                .chars()
                .count(),
            20
        );
        assert_eq!(numbered_titles("T", 3), ["T (1/3)", "T (2/3)", "T (3/3)"]);
    }

    #[test]
    fn markdown_detection() {
        assert!(looks_like_markdown("# Title"));
        assert!(looks_like_markdown("see **this**"));
        assert!(looks_like_markdown("1. first"));
        assert!(!looks_like_markdown("just a plain sentence."));
    }

    #[test]
    fn table_modes() {
        let text = "Data:\n| a | b |\n|-|:-:|\n| 1 |\n```\n| in | fence |\n```";
        let normalized = apply_table_mode(text, TableMode::Normalize);
        assert!(
            normalized.contains("Data:\n\n| a | b |\n| :--- | :---: |\n| 1 |  |"),
            "{normalized}"
        );
        assert!(normalized.contains("```\n| in | fence |\n```"));
        let coded = apply_table_mode(text, TableMode::Code);
        assert!(coded.contains("```\n| a | b |"), "{coded}");
        assert_eq!(apply_table_mode(text, TableMode::Off), text);
    }
}
