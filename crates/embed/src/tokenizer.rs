//! BERT's uncased WordPiece tokenizer over a `vocab.txt`, as `BertTokenizer` does it: clean
//! the text, space out CJK ideographs, lowercase and strip accents, split off punctuation,
//! then split each word into the longest vocabulary pieces (`##` marks a continuation).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this become `[UNK]`, as in the reference tokenizer.
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary and the ids of its special tokens.
#[derive(Debug)]
pub struct Tokenizer {
    vocab: HashMap<String, u32>,
    pub cls: u32,
    pub sep: u32,
    unk: u32,
}

impl Tokenizer {
    /// Reads one token a line, the line number being the id.
    pub fn from_vocab(text: &str) -> anyhow::Result<Self> {
        let vocab: HashMap<String, u32> =
            text.lines().enumerate().map(|(i, t)| (t.to_string(), u32::try_from(i).unwrap_or(u32::MAX))).collect();
        let id = |t: &str| vocab.get(t).copied().ok_or_else(|| anyhow::anyhow!("vocab.txt has no {t} token"));
        Ok(Self { cls: id("[CLS]")?, sep: id("[SEP]")?, unk: id("[UNK]")?, vocab })
    }

    /// Word-piece ids of `text`, without `[CLS]`/`[SEP]`.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for word in basic_tokens(text) {
            self.word_pieces(&word, &mut ids);
        }
        ids
    }

    /// `[CLS]` + the first pieces of `text` + `[SEP]`, at most `max_len` ids.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = self.pieces(text);
        ids.truncate(max_len.saturating_sub(2));
        ids.insert(0, self.cls);
        ids.push(self.sep);
        ids
    }

    fn word_pieces(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let mark = out.len();
        let mut start = 0;
        let mut piece = String::new();
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while start < end {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.extend(&chars[start..end]);
                if let Some(&id) = self.vocab.get(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            let Some(id) = found else {
                // One unmatchable tail makes the whole word unknown.
                out.truncate(mark);
                out.push(self.unk);
                return;
            };
            out.push(id);
            start = end;
        }
    }
}

/// BERT's basic tokenization: words and single punctuation marks, lowercased, unaccented.
fn basic_tokens(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (is_control(c)) {
            continue;
        }
        if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else if c.is_whitespace() {
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut words = Vec::new();
    for raw in cleaned.split_whitespace() {
        let lowered: String = raw.to_lowercase().nfd().filter(|c| !is_combining_mark(*c)).collect();
        let mut current = String::new();
        for c in lowered.chars() {
            if is_punctuation(c) {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                words.push(c.to_string());
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// Control characters other than the whitespace ones (which become spaces).
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// ASCII symbols count as punctuation (BERT's rule), as do Unicode's punctuation blocks.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(u32::from(c),
        0x00A1..=0x00BF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011
        | 0x3014..=0x301F | 0xFE10..=0xFE19 | 0xFE30..=0xFE4F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20
        | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
        && !matches!(u32::from(c), 0x00A2..=0x00A6 | 0x00A8..=0x00AA | 0x00AC..=0x00B6 | 0x00B8..=0x00BA | 0x00BC..=0x00BE)
}

/// The CJK ideograph blocks BERT spaces out.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Tokenizer {
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n,\n!\nun\n##aff\n##able\ncafe\n";
        Tokenizer::from_vocab(vocab).unwrap()
    }

    #[test]
    fn splits_punctuation_lowercases_and_strips_accents() {
        let t = tiny();
        assert_eq!(t.encode("Hello, WORLD!", 16), vec![2, 4, 6, 5, 7, 3]);
        assert_eq!(t.pieces("Café"), vec![11]);
    }

    #[test]
    fn longest_pieces_first_and_unknown_words_whole() {
        let t = tiny();
        assert_eq!(t.pieces("unaffable"), vec![8, 9, 10]);
        assert_eq!(t.pieces("unaffablex hello"), vec![1, 4]);
    }

    #[test]
    fn truncates_inside_cls_and_sep() {
        let t = tiny();
        assert_eq!(t.encode("hello hello hello hello", 4), vec![2, 4, 4, 3]);
    }
}
