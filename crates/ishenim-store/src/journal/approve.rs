//! Approval: the draft becomes a numbered, chained journal entry.

use super::*;

/// What approval reads once per transaction: the calendar and the register settings.
pub(super) struct Ctx {
    pub(super) cal: Calendar,
    pub(super) settings: DeadlineSettings,
    pub(super) anonymous: AnonymousPolicy,
    pub(super) categories: Option<Arc<Vec<String>>>,
}

impl Ctx {
    fn load(c: &Connection, store: &Store) -> Result<Ctx> {
        Ok(Ctx {
            cal: load_calendar(c)?,
            settings: load_settings(c)?,
            anonymous: load_anonymous_policy(c)?,
            categories: store.categories(),
        })
    }
}

pub(super) fn approve_in_tx(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: DraftId,
    user: &str,
    f: &ApprovedFields,
    at: NaiveDateTime,
    receipt: Option<&ReceiptLink>,
) -> Result<Serial> {
    // Checks first: nothing is written unless all pass.
    let f = f.validated(ctx.categories.as_deref().map(Vec::as_slice))?;
    let row: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT d.opening_id, d.status, o.opened_at FROM drafts d
             JOIN openings o ON o.id = d.opening_id WHERE d.id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (opening, status, opened_at) =
        row.ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
    let status = DraftStatus::parse(&status)?;
    if status != DraftStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "draft {id} is {}, not pending",
            status.as_str()
        )));
    }
    let pages = draft_pages(tx, id)?;
    if pages.is_empty() {
        return Err(StoreError::Conflict(format!("draft {id} has no pages")));
    }
    let box_date = parse_ts(&opened_at)?.date();
    let year = at.year();
    let number: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM entries WHERE year = ?1")?
        .query_row([year], |r| r.get(0))?;
    let serial = Serial {
        year,
        number: u32::try_from(number)
            .map_err(|_| StoreError::Malformed("serial overflow".into()))?,
    };
    let registration_due = ctx.cal.registration_due(box_date, &ctx.settings);
    let deadline = ctx.cal.consideration_due(at.date(), &ctx.settings);
    let entry = EntryRecord {
        year,
        number,
        registered_at: fmt_ts(at),
        box_date: fmt_date(box_date),
        opening_id: opening,
        draft_id: id.0,
        page_ids: serde_json::to_string(&pages)?,
        fields: f.clone(),
        registration_due: fmt_date(registration_due),
        deadline: fmt_date(deadline),
        approved_by: user.to_string(),
    };
    let (entry_id, _) = append(tx, &entry)?;
    if let Some(r) = receipt {
        crate::receipts::link_in_tx(tx, entry_id, &r.hash, &r.prefix, user, at)?;
    }
    if f.anonymous && ctx.anonymous == AnonymousPolicy::RegisterOnly {
        // Registered, not considered: closed at once, in the chain, naming the setting.
        let closed = EventRecord {
            entry_id,
            at: fmt_ts(at),
            user: user.to_string(),
            kind: EventKind::Status.as_str().to_string(),
            official: None,
            measures: None,
            reply_no: None,
            reply_date: None,
            status: Some(EntryStatus::Closed.as_str().to_string()),
            deadline: None,
            reason: Some(REGISTER_ONLY_REASON.to_string()),
        };
        let (ev, _) = append(tx, &closed)?;
        audit_tx(tx, user, "status", &format!("entry {serial} event {ev}"))?;
    }
    tx.prepare_cached(
        "UPDATE drafts SET status = 'approved', decided_by = ?2, decided_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id.0, user, fmt_ts(at)])?;
    audit_tx(tx, user, "approve", &format!("entry {serial} (draft {id})"))?;
    Ok(serial)
}

impl Store {
    /// Approve a pending draft: allocate the next serial of the current year and insert the
    /// journal entry, in one `BEGIN IMMEDIATE` transaction (also marks the draft approved
    /// and writes the audit record). Safe from many threads and processes at once.
    ///
    /// Errors: [`StoreError::Conflict`] if the draft is not pending (e.g. approved by
    /// someone else a moment ago), [`StoreError::Invalid`] for missing name/brief/category.
    pub fn approve_draft(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
    ) -> Result<Serial> {
        self.approve_draft_at(id, user, fields, now())
    }

    /// [`Store::approve_draft`] with an explicit registration time (tests, imports of a
    /// paper journal). The serial's year is `at`'s year.
    pub fn approve_draft_at(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        at: NaiveDateTime,
    ) -> Result<Serial> {
        self.approve_coded_at(id, user, fields, at, None)
    }

    /// [`Store::approve_draft`] that also links the receipt code the reviewer confirmed,
    /// in the same transaction (a crash leaves both or neither). A code never issued here
    /// or already linked to another entry is linked all the same: the caller warns (see
    /// [`Store::receipt_check`]).
    pub fn approve_draft_with_receipt(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        receipt: Option<&ReceiptLink>,
    ) -> Result<Serial> {
        self.approve_coded_at(id, user, fields, now(), receipt)
    }

    fn approve_coded_at(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        at: NaiveDateTime,
        receipt: Option<&ReceiptLink>,
    ) -> Result<Serial> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ctx = Ctx::load(&tx, self)?;
        let s = approve_in_tx(&tx, &ctx, id, user.as_str(), fields, at, receipt)?;
        tx.commit()?;
        Ok(s)
    }

    /// Approve many drafts in one transaction (fast path for `drafts approve --all`).
    /// Returns one result per item, in order; an item that fails its checks (not pending,
    /// missing brief, ...) is skipped without consuming a serial. A database error aborts
    /// the whole batch (nothing registered) and is returned as the outer error.
    pub fn approve_drafts(
        &self,
        items: &[(DraftId, ApprovedFields)],
        user: &str,
    ) -> Result<Vec<Result<Serial>>> {
        let user = required("user", user)?;
        let at = now();
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ctx = Ctx::load(&tx, self)?;
        let mut out = Vec::with_capacity(items.len());
        for (id, f) in items {
            match approve_in_tx(&tx, &ctx, *id, &user, f, at, None) {
                Ok(s) => out.push(Ok(s)),
                Err(
                    e
                    @ (StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::NotFound(_)),
                ) => out.push(Err(e)),
                Err(e) => return Err(e),
            }
        }
        tx.commit()?;
        Ok(out)
    }
}
