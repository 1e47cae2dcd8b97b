//! Amendments and follow-up events of an entry (assignment, measures, reply, status,
//! extension), each appended to the chain.

use super::*;

/// A follow-up event to append.
pub(super) struct EventSpec {
    pub(super) kind: EventKind,
    pub(super) official: Option<String>,
    pub(super) measures: Option<String>,
    pub(super) reply_no: Option<String>,
    pub(super) reply_date: Option<NaiveDate>,
    pub(super) status: Option<EntryStatus>,
    pub(super) deadline: Option<NaiveDate>,
    pub(super) reason: Option<String>,
}

impl EventSpec {
    fn new(kind: EventKind) -> Self {
        EventSpec {
            kind,
            official: None,
            measures: None,
            reply_no: None,
            reply_date: None,
            status: None,
            deadline: None,
            reason: None,
        }
    }
}

impl Store {
    /// Correct a registration field: appends an amendment (who, when, why, old → new).
    /// `new_value` is text; booleans are `true`/`false`, the box date `YYYY-MM-DD`.
    /// Returns the amendment id.
    pub fn amend_entry(
        &self,
        serial: Serial,
        user: &str,
        field: EntryField,
        new_value: Option<&str>,
        reason: &str,
    ) -> Result<i64> {
        let user = required("user", user)?;
        let reason = required("amendment reason", reason)?;
        // The same checks as approval.
        let categories = self.categories();
        let new_value = check_field(field, new_value, categories.as_deref().map(Vec::as_slice))?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid = entry_id_of(&tx, serial)?;
        let view = view_of(&tx, serial)?;
        let old = field_text(&view, field);
        if old == new_value {
            return Err(StoreError::Invalid(format!(
                "{} already has this value",
                field.as_str()
            )));
        }
        let amendment = AmendmentRecord {
            entry_id: eid,
            at: fmt_ts(now()),
            user: user.clone(),
            field: field.as_str().to_string(),
            old_value: old,
            new_value,
            reason,
        };
        let (id, _) = append(&tx, &amendment)?;
        audit_tx(
            &tx,
            &user,
            "amend",
            &format!("entry {serial} amendment {id}"),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn add_event(&self, serial: Serial, user: &str, spec: EventSpec) -> Result<i64> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid = entry_id_of(&tx, serial)?;
        let view = view_of(&tx, serial)?;
        let mut spec = spec;
        match spec.kind {
            EventKind::Assign => {
                if view.status == EntryStatus::Registered {
                    spec.status = Some(EntryStatus::Assigned);
                }
            }
            EventKind::Extend => {
                let d = spec
                    .deadline
                    .ok_or_else(|| StoreError::Invalid("new deadline missing".into()))?;
                if d <= view.deadline {
                    return Err(StoreError::Invalid(format!(
                        "the new deadline must be after the current one ({})",
                        view.deadline
                    )));
                }
            }
            EventKind::Status => {
                if spec.status == Some(view.status) {
                    return Err(StoreError::Invalid(
                        "the entry already has this status".into(),
                    ));
                }
            }
            EventKind::Measures | EventKind::Reply => {}
        }
        let event = EventRecord {
            entry_id: eid,
            at: fmt_ts(now()),
            user: user.clone(),
            kind: spec.kind.as_str().to_string(),
            official: spec.official,
            measures: spec.measures,
            reply_no: spec.reply_no,
            reply_date: spec.reply_date.map(fmt_date),
            status: spec.status.map(|s| s.as_str().to_string()),
            deadline: spec.deadline.map(fmt_date),
            reason: spec.reason,
        };
        let (id, _) = append(&tx, &event)?;
        audit_tx(
            &tx,
            &user,
            spec.kind.as_str(),
            &format!("entry {serial} event {id}"),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Assign (or reassign) the official responsible; a `registered` entry becomes
    /// `assigned`. Returns the event id.
    pub fn assign_official(&self, serial: Serial, user: &str, official: &str) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Assign);
        s.official = Some(required("official", official)?);
        self.add_event(serial, user, s)
    }

    /// Record measures taken (appended to the "measures taken" column).
    pub fn record_measures(&self, serial: Serial, user: &str, measures: &str) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Measures);
        s.measures = Some(required("measures", measures)?);
        self.add_event(serial, user, s)
    }

    /// Record the outgoing reply number and date; the entry becomes `answered`.
    pub fn record_reply(
        &self,
        serial: Serial,
        user: &str,
        reply_no: &str,
        reply_date: NaiveDate,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Reply);
        s.reply_no = Some(required("reply number", reply_no)?);
        s.reply_date = Some(reply_date);
        s.status = Some(EntryStatus::Answered);
        self.add_event(serial, user, s)
    }

    /// Change the status (e.g. `redirected`, `closed`), with an optional reason.
    pub fn set_status(
        &self,
        serial: Serial,
        user: &str,
        status: EntryStatus,
        reason: Option<&str>,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Status);
        s.status = Some(status);
        s.reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        self.add_event(serial, user, s)
    }

    /// Extend the consideration deadline to `new_deadline` (must be later), with a reason.
    pub fn extend_deadline(
        &self,
        serial: Serial,
        user: &str,
        new_deadline: NaiveDate,
        reason: &str,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Extend);
        s.deadline = Some(new_deadline);
        s.reason = Some(required("extension reason", reason)?);
        self.add_event(serial, user, s)
    }
}
