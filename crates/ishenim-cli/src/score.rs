//! OCR scoring, a port of `shared/corpus/cer.py`: CER, WER and recall of ө ү ң, on text
//! with whitespace collapsed and dashes/quotes unified.

/// Error counts of one or more pages.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Character edits.
    pub char_errors: u64,
    /// Reference characters.
    pub chars: u64,
    /// Word edits.
    pub word_errors: u64,
    /// Reference words.
    pub words: u64,
    /// ө ү ң (any case) matched in the alignment.
    pub ky_hit: u64,
    /// ө ү ң (any case) in the reference.
    pub ky_total: u64,
    /// Pages scored.
    pub pages: u64,
}

impl Score {
    /// Adds another score.
    pub fn add(&mut self, o: &Score) {
        self.char_errors += o.char_errors;
        self.chars += o.chars;
        self.word_errors += o.word_errors;
        self.words += o.words;
        self.ky_hit += o.ky_hit;
        self.ky_total += o.ky_total;
        self.pages += o.pages;
    }
    /// Character error rate in percent.
    pub fn cer(&self) -> f64 {
        100.0 * self.char_errors as f64 / self.chars.max(1) as f64
    }
    /// Word error rate in percent.
    pub fn wer(&self) -> f64 {
        100.0 * self.word_errors as f64 / self.words.max(1) as f64
    }
    /// Recall of ө ү ң in percent.
    pub fn ky_recall(&self) -> f64 {
        100.0 * self.ky_hit as f64 / self.ky_total.max(1) as f64
    }
}

/// Normalises text as cer.py does.
pub fn norm(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|&c| c != '\u{00AD}')
        .map(|c| match c {
            '—' | '–' => '-',
            '«' | '»' | '“' | '”' | '„' => '"',
            c => c,
        })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_ky(c: char) -> bool {
    matches!(c, 'ө' | 'ү' | 'ң' | 'Ө' | 'Ү' | 'Ң')
}

/// Levenshtein distance and, when `ky` is set, the ө ү ң of `a` kept by an optimal alignment.
fn align<T: PartialEq + Copy>(a: &[T], b: &[T], ky: Option<&dyn Fn(T) -> bool>) -> (u64, u64) {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return ((n + m) as u64, 0);
    }
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for (j, v) in d.iter_mut().take(w).enumerate() {
        *v = j as u32;
    }
    for i in 1..=n {
        d[i * w] = i as u32;
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + u32::from(a[i - 1] != b[j - 1]);
            let del = d[(i - 1) * w + j] + 1;
            let ins = d[i * w + j - 1] + 1;
            d[i * w + j] = sub.min(del).min(ins);
        }
    }
    let dist = d[n * w + m] as u64;
    let Some(is_ky) = ky else {
        return (dist, 0);
    };
    let (mut i, mut j, mut hit) = (n, m, 0u64);
    while i > 0 && j > 0 {
        let cur = d[i * w + j];
        if a[i - 1] == b[j - 1] && cur == d[(i - 1) * w + j - 1] {
            if is_ky(a[i - 1]) {
                hit += 1;
            }
            i -= 1;
            j -= 1;
        } else if cur == d[(i - 1) * w + j - 1] + 1 {
            i -= 1;
            j -= 1;
        } else if cur == d[(i - 1) * w + j] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    (dist, hit)
}

/// Scores one page: `reference` is the truth text, `hypothesis` the OCR text.
pub fn score_page(reference: &str, hypothesis: &str) -> Score {
    let (r, h) = (norm(reference), norm(hypothesis));
    let rc: Vec<char> = r.chars().collect();
    let hc: Vec<char> = h.chars().collect();
    let (ce, ky_hit) = align(&rc, &hc, Some(&|c: char| is_ky(c)));
    let rw: Vec<&str> = r.split(' ').filter(|w| !w.is_empty()).collect();
    let hw: Vec<&str> = h.split(' ').filter(|w| !w.is_empty()).collect();
    let (we, _) = align(&rw, &hw, None);
    Score {
        char_errors: ce,
        chars: rc.len() as u64,
        word_errors: we,
        words: rw.len() as u64,
        ky_hit,
        ky_total: rc.iter().filter(|&&c| is_ky(c)).count() as u64,
        pages: 1,
    }
}

/// Truth lines with no counterpart in `hypothesis`: lines (of at least three characters)
/// of which fewer than half the characters are matched by an optimal character alignment of
/// the whole page. Returns `(lost, lines)`.
///
/// Aligning the whole page rather than line against line keeps a line that the reader
/// split, merged with its neighbour or put in another order from counting as lost, while a
/// line that is missing (or read as garbage) has almost nothing to align with.
pub fn lost_lines(reference: &str, hypothesis: &str) -> (u32, u32) {
    let mut rc: Vec<char> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    for line in reference.lines() {
        let l = norm(line);
        if l.chars().count() < 3 {
            continue;
        }
        if !rc.is_empty() {
            rc.push(' ');
            owner.push(usize::MAX);
        }
        let k = sizes.len();
        for c in l.chars() {
            rc.push(c);
            owner.push(if c == ' ' { usize::MAX } else { k });
        }
        sizes.push(l.chars().filter(|&c| c != ' ').count());
    }
    if sizes.is_empty() {
        return (0, 0);
    }
    let hc: Vec<char> = norm(hypothesis).chars().collect();
    let mut hit = vec![0usize; sizes.len()];
    for i in matched(&rc, &hc) {
        if let Some(h) = hit.get_mut(owner[i]) {
            *h += 1;
        }
    }
    let lost = hit.iter().zip(&sizes).filter(|(&h, &n)| 2 * h < n).count();
    (lost as u32, sizes.len() as u32)
}

/// Indices of `a` matched (equal characters aligned) by an optimal Levenshtein alignment.
fn matched(a: &[char], b: &[char]) -> Vec<usize> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for (j, v) in d.iter_mut().take(w).enumerate() {
        *v = j as u32;
    }
    for i in 1..=n {
        d[i * w] = i as u32;
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + u32::from(a[i - 1] != b[j - 1]);
            d[i * w + j] = sub.min(d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1);
        }
    }
    let (mut i, mut j, mut out) = (n, m, Vec::new());
    while i > 0 && j > 0 {
        let cur = d[i * w + j];
        if a[i - 1] == b[j - 1] && cur == d[(i - 1) * w + j - 1] {
            out.push(i - 1);
            i -= 1;
            j -= 1;
        } else if cur == d[(i - 1) * w + j - 1] + 1 {
            i -= 1;
            j -= 1;
        } else if cur == d[(i - 1) * w + j] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_line_is_lost_a_misread_one_is_not() {
        let truth = "Айыл өкмөтүнүн башчысына\nАРЫЗ\nКөпүрөнү оңдоп берүүнү суранам.\n5-май";
        assert_eq!(lost_lines(truth, truth), (0, 4));
        let read = "Айыл окмотунун башчысына АРЫЗ\n5-май";
        assert_eq!(
            lost_lines(truth, read),
            (1, 4),
            "misread and merged lines are not lost"
        );
        assert_eq!(lost_lines(truth, ""), (4, 4));
        assert_eq!(
            lost_lines("ab\n", ""),
            (0, 0),
            "lines under three characters are not counted"
        );
    }

    #[test]
    fn exact_match_is_zero() {
        let s = score_page(
            "Өкмөтүнүн  башчысына\n«Арыз»",
            "Өкмөтүнүн башчысына \"Арыз\"",
        );
        assert_eq!(s.char_errors, 0);
        assert_eq!(s.ky_hit, s.ky_total);
        assert_eq!(s.ky_total, 4);
    }

    #[test]
    fn substitutions_count() {
        let s = score_page("көчөсү үй", "кочосу уй");
        assert_eq!(s.char_errors, 4);
        assert_eq!(s.ky_hit, 0);
        assert_eq!(s.word_errors, 2);
        assert!((s.cer() - 100.0 * 4.0 / 9.0).abs() < 1e-9);
    }

    #[test]
    fn missing_prediction_is_all_errors() {
        let s = score_page("абв где", "");
        assert_eq!(s.char_errors, 7);
        assert_eq!(s.word_errors, 2);
    }
}
