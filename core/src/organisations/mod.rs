//! Organisations (local and regional governments, their associations and
//! partner institutions), the networks they belong to, their members,
//! email domains and invitations, and the networks' coordinators.
//!
//! - `access`: who is what to an organisation or a network (read-only; the
//!   reports and the rest of the code decide with it).

mod access;

use sea_orm::DatabaseConnection;

pub use self::access::{MemberStatus, Membership, OrgRole};

/// The organisations service, built once at start-up.
#[derive(Clone)]
pub struct Organisations {
    db: DatabaseConnection,
}

impl Organisations {
    pub fn new(db: DatabaseConnection) -> Self {
        Organisations { db }
    }
}
