//! A Kyrgyz word list (an FST set of lower-case words) for resolving OCR confusions.
//!
//! The default list is extracted from Tesseract's own `kir.traineddata`
//! (`combine_tessdata -u` + `dawg2wordlist`, see `make models`) and stored in
//! `models/kir-words.fst`; it is compiled into the binary.

use fst::Set;

/// Errors reading a word list.
#[derive(Debug, thiserror::Error)]
#[error("invalid word list: {0}")]
pub struct LexiconError(String);

/// A set of lower-case words.
pub struct Lexicon {
    set: Set<Vec<u8>>,
}

/// The compiled-in Kyrgyz word list.
static KIR_WORDS: &[u8] = include_bytes!("../../../models/kir-words.fst");

impl Lexicon {
    /// The Kyrgyz word list shipped with Ishenim.
    pub fn kyrgyz() -> Lexicon {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Lexicon::from_bytes(KIR_WORDS.to_vec())
            .unwrap_or_else(|_| Lexicon::from_words(Vec::<String>::new()))
    }

    /// Loads a list built by [`Lexicon::build`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Lexicon, LexiconError> {
        Set::new(bytes)
            .map(|set| Lexicon { set })
            .map_err(|e| LexiconError(e.to_string()))
    }

    /// Builds a list from words (any case; duplicates allowed).
    pub fn from_words<I, S>(words: I) -> Lexicon
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v: Vec<String> = words
            .into_iter()
            .map(|w| w.as_ref().trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        v.sort();
        v.dedup();
        // Sorted and deduplicated, so building cannot fail.
        let set = Set::from_iter(v).unwrap_or_default();
        Lexicon {
            set: Set::new(set.as_fst().as_bytes().to_vec()).unwrap_or_default(),
        }
    }

    /// The serialised form, for writing to `models/`.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.set.as_fst().as_bytes().to_vec()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The start state for [`Lexicon::step`].
    pub fn root(&self) -> usize {
        self.set.as_fst().root().addr()
    }

    /// Follows the bytes of `s` from state `node`; `None` when no listed word continues so.
    pub fn step(&self, node: usize, s: &str) -> Option<usize> {
        let fst = self.set.as_fst();
        let mut n = fst.node(node);
        for b in s.bytes() {
            let i = n.find_input(b)?;
            n = fst.node(n.transition(i).addr);
        }
        Some(n.addr())
    }

    /// True when state `node` ends a listed word.
    pub fn is_final(&self, node: usize) -> bool {
        self.set.as_fst().node(node).is_final()
    }

    /// True when the word (any case) is in the list.
    pub fn contains(&self, word: &str) -> bool {
        self.set.contains(word.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_loads_and_knows_kyrgyz_words() {
        let l = Lexicon::kyrgyz();
        assert!(l.len() > 100_000);
        for w in ["көчөсү", "Өкмөтүнүн", "мүчөлөрү", "жеткирүү", "үй"]
        {
            assert!(l.contains(w), "{w}");
        }
        assert!(!l.contains("кїчїсї"));
    }

    #[test]
    fn round_trip() {
        let l = Lexicon::from_words(["Бир", "эки", "бир"]);
        assert_eq!(l.len(), 2);
        let l2 = Lexicon::from_bytes(l.to_bytes()).expect("valid");
        assert!(l2.contains("БИР"));
    }
}
