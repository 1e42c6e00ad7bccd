//! A local, deterministic token estimate. It runs offline and errs high against Claude's
//! tokenizers (about 4 characters a token on English for older models, about 3.5 for the
//! 4.7+ tokenizer), which is the safe side for budgets and for index-size claims.

/// Estimated tokens in `text`: the larger of a count by characters (one token per 3.5) and a
/// count by runs, in which each run of letters or digits counts one token per started 8
/// characters and each run of punctuation one per started 3 (`**`, `->` merge in the real
/// tokenizer). The run count dominates in code and tables, the character count in prose.
pub fn estimate(text: &str) -> usize {
    let chars = text.chars().count();
    by_runs(text).max((chars * 2).div_ceil(7))
}

fn by_runs(text: &str) -> usize {
    let mut total = 0;
    let mut word = 0usize;
    let mut punct = 0usize;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            total += flush(&mut punct, 3);
            word += 1;
        } else if ch.is_whitespace() {
            total += flush(&mut word, 8) + flush(&mut punct, 3);
        } else {
            total += flush(&mut word, 8);
            punct += 1;
        }
    }
    total + flush(&mut word, 8) + flush(&mut punct, 3)
}

fn flush(run: &mut usize, per_token: usize) -> usize {
    let tokens = run.div_ceil(per_token);
    *run = 0;
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_and_punctuation() {
        assert_eq!(estimate(""), 0);
        assert_eq!(estimate("hello world"), 4);
        assert_eq!(by_runs("hello world"), 2);
        assert_eq!(by_runs("internationalization"), 3);
        assert_eq!(by_runs("- **Redis**: caching"), 5);
        assert_eq!(estimate("a,b,c,d,e,f,g"), 13);
    }

    #[test]
    fn errs_high_against_four_chars_a_token() {
        let prose = "The quick brown fox jumps over the lazy dog, then reviews the pull request. ".repeat(20);
        assert!(estimate(&prose) >= prose.len() * 2 / 7);
    }
}
