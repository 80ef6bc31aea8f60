//! Properties of the reply chunker.

use dingtalk_bot::markdown::chunk;
use proptest::prelude::*;

fn text_strategy() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[a-zA-Z ,.!?]{0,80}",
        "[一-龥。！？]{0,60}",
        Just("```rust".to_owned()),
        Just("```".to_owned()),
        Just("| a | b |".to_owned()),
        Just("| - | - |".to_owned()),
        Just(String::new()),
        Just("👨‍👩‍👧 emoji".to_owned()),
    ];
    prop::collection::vec(line, 0..60).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn chunks_fit_keep_every_word_and_balance_fences(text in text_strategy(), max in 40usize..400) {
        let chunks = chunk(&text, max);
        prop_assert!(!chunks.is_empty());
        for c in &chunks {
            prop_assert!(c.chars().count() <= max, "chunk of {} > {max}: {c:?}", c.chars().count());
            prop_assert_eq!(c.matches("```").count() % 2, 0, "unbalanced fence: {:?}", c);
        }
        let words = |t: &str| t.split_whitespace().filter(|w| !w.starts_with("```") && *w != "|").map(str::to_owned).collect::<Vec<_>>();
        let mut original = words(&text);
        let mut produced: Vec<String> = chunks.iter().flat_map(|c| words(c)).collect();
        // Table headers may be repeated; compare as multisets of non-header words.
        original.sort();
        original.dedup();
        produced.sort();
        produced.dedup();
        for w in &original {
            let kept = produced.iter().any(|p| p.contains(w.as_str()) || w.contains(p.as_str()));
            prop_assert!(kept, "lost {:?}", w);
        }
    }
}
