//! One module per subcommand.

pub mod backup;
pub mod bench;
pub mod calendar;
pub mod ctx;
pub mod doctor;
pub mod draft;
pub mod drafts;
pub mod eval;
pub mod followup;
pub mod ingest;
pub mod journal;
pub mod opening;
pub mod quarantine;
pub mod receipts;
pub mod report;
pub mod scan;
pub mod scanner;
pub mod search;
pub mod serve;
pub mod settings;
pub mod user;
pub mod watch;
