//! Read-only feeds for derived indexes (the search index in `ishenim-search`): which entries
//! changed after a chain position, the hash at a chain position (to tell whether a derived
//! index still belongs to this journal), and page texts without parsing whole page records.
//!
//! Entries, amendments and events share one gap-free chain position `seq`, so "everything
//! after position N" is a complete, cheap change feed: a derived index remembers the last
//! position it has seen and asks for the entries touched after it.

use crate::journal::Serial;
use crate::{DraftId, PageId, Result, Store};
use rusqlite::OptionalExtension;

impl Store {
    /// Hash (hex) of the chained row (entry, amendment or event) at chain position `seq`,
    /// or `None` when there is no such position (e.g. the register was replaced by an older
    /// backup).
    pub fn chain_hash_at(&self, seq: i64) -> Result<Option<String>> {
        let c = self.conn()?;
        for t in ["entries", "amendments", "events"] {
            let h: Option<Vec<u8>> = c
                .prepare_cached(&format!("SELECT hash FROM {t} WHERE seq = ?1"))?
                .query_row([seq], |r| r.get(0))
                .optional()?;
            if let Some(h) = h {
                return Ok(Some(hex_of(&h)));
            }
        }
        Ok(None)
    }

    /// Serials of the entries whose current view may differ from what was seen at chain
    /// position `after`: entries registered after it and entries with an amendment or event
    /// after it. Distinct, ordered by serial. `after = 0` lists the whole journal.
    pub fn entries_changed_since(&self, after: i64) -> Result<Vec<Serial>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT year, number FROM entries WHERE seq > ?1
               OR id IN (SELECT entry_id FROM amendments WHERE seq > ?1)
               OR id IN (SELECT entry_id FROM events WHERE seq > ?1)
             ORDER BY year, number",
        )?;
        let rows = st.query_map([after], |r| {
            Ok(Serial {
                year: r.get(0)?,
                number: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The recognised text of each page, in the order given (empty for a blank page or an
    /// unknown id). Reads only the `text` key of the stored record.
    pub fn page_texts(&self, pages: &[PageId]) -> Result<Vec<String>> {
        let c = self.conn()?;
        let mut st =
            c.prepare_cached("SELECT json_extract(record, '$.text') FROM pages WHERE id = ?1")?;
        let mut out = Vec::with_capacity(pages.len());
        for p in pages {
            let t: Option<Option<String>> = st.query_row([p.0], |r| r.get(0)).optional()?;
            out.push(t.flatten().unwrap_or_default());
        }
        Ok(out)
    }
}

impl Store {
    /// True when `page` belongs to a registered (approved) letter. Readers of the journal
    /// may see such pages; pages still in review are for reviewers only.
    pub fn page_is_registered(&self, page: PageId) -> Result<bool> {
        let c = self.conn()?;
        let n: i64 = c
            .prepare_cached(
                "SELECT COUNT(*) FROM draft_pages dp JOIN drafts d ON d.id = dp.draft_id
                 WHERE dp.page_id = ?1 AND d.status = 'approved'",
            )?
            .query_row([page.0], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// The text of each page of a letter as the journal should know it: the text a
    /// reviewer typed for the page (transcription mode, kept in the draft under
    /// `transcriptions.<stem>`) when there is one, else the recognised text.
    pub fn letter_page_texts(&self, draft: DraftId, pages: &[PageId]) -> Result<Vec<String>> {
        let mut texts = self.page_texts(pages)?;
        let c = self.conn()?;
        let data: Option<String> = c
            .query_row("SELECT data FROM drafts WHERE id = ?1", [draft.0], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(data) = data else {
            return Ok(texts);
        };
        let typed = ishenim_draft::LetterDraft::from_stored_json(&data)?.transcriptions;
        if typed.is_empty() {
            return Ok(texts);
        }
        let mut st = c.prepare_cached("SELECT stem FROM pages WHERE id = ?1")?;
        for (i, p) in pages.iter().enumerate() {
            let stem: Option<String> = st.query_row([p.0], |r| r.get(0)).optional()?;
            if let Some(t) = stem.and_then(|s| typed.get(&s)) {
                if !t.trim().is_empty() {
                    texts[i] = t.clone();
                }
            }
        }
        Ok(texts)
    }
}

fn hex_of(b: &[u8]) -> String {
    hex::encode(b)
}

#[cfg(test)]
mod tests {
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;

    #[test]
    fn change_feed_follows_the_chain() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        assert!(s.entries_changed_since(0).unwrap().is_empty());
        let a = s.approve_draft(d[0], "rev", &fields("A")).unwrap();
        let b = s.approve_draft(d[1], "rev", &fields("B")).unwrap();
        assert_eq!(s.entries_changed_since(0).unwrap(), vec![a, b]);
        let head = s.chain_head().unwrap().unwrap();
        assert_eq!(s.chain_hash_at(head.seq).unwrap(), Some(head.hash.clone()));
        assert_eq!(s.chain_hash_at(head.seq + 1).unwrap(), None);
        assert!(s.entries_changed_since(head.seq).unwrap().is_empty());
        // An event on the first entry and a new entry: both are reported once.
        s.assign_official(a, "admin", "Токтогулов").unwrap();
        let c = s.approve_draft(d[2], "rev", &fields("C")).unwrap();
        assert_eq!(s.entries_changed_since(head.seq).unwrap(), vec![a, c]);
        let seen = s.chain_head().unwrap().unwrap().seq;
        s.amend_entry(b, "rev", crate::EntryField::Address, Some("Ош"), "typo")
            .unwrap();
        assert_eq!(s.entries_changed_since(seen).unwrap(), vec![b]);
    }

    #[test]
    fn page_texts_in_order_without_parsing_records() {
        let (_d, s) = store();
        let o = s.new_opening(crate::openings::sample_opening()).unwrap();
        let f = s.add_file(o, "a.pdf", b"two pages").unwrap().id();
        let recs = vec![
            crate::intake::page("a", 1, "биринчи"),
            crate::intake::page("a", 2, ""),
            crate::intake::page("a", 3, "үчүнчү"),
        ];
        let p = s.save_pages(f, &recs).unwrap();
        let t = s
            .page_texts(&[p[2], p[0], p[1], crate::PageId(9999)])
            .unwrap();
        assert_eq!(t, vec!["үчүнчү", "биринчи", "", ""]);
    }

    #[test]
    fn typed_text_replaces_the_recognised_text_of_its_page() {
        let (_d, s) = store();
        let d = drafts(&s, 1)[0];
        let draft = s.get_draft(d).unwrap();
        let page = draft.page_ids[0];
        let stem = s.page_info(page).unwrap().stem;
        let before = s.letter_page_texts(d, &draft.page_ids).unwrap();
        assert_eq!(before, s.page_texts(&draft.page_ids).unwrap());
        let mut data = draft.data.clone();
        data.transcriptions
            .insert(stem, "колго терилген текст".to_string());
        s.set_draft_data(d, &data).unwrap();
        let after = s.letter_page_texts(d, &draft.page_ids).unwrap();
        assert_eq!(after[0], "колго терилген текст");
    }

    #[test]
    fn only_pages_of_approved_letters_count_as_registered() {
        let (_d, s) = store();
        let d = drafts(&s, 2);
        let p0 = s.get_draft(d[0]).unwrap().page_ids[0];
        let p1 = s.get_draft(d[1]).unwrap().page_ids[0];
        assert!(!s.page_is_registered(p0).unwrap());
        s.approve_draft(d[0], "rev", &fields("A")).unwrap();
        assert!(s.page_is_registered(p0).unwrap());
        assert!(!s.page_is_registered(p1).unwrap());
    }
}
