//! Partners: their accounts, keys and collections for administrators
//! (`admin`), and the collection listings and statistics partner sites read
//! (`public`).

mod admin;
mod listing;
mod public;

pub use admin::PartnerAdminApi;
pub use listing::ListingJson;
use poem_openapi::Tags;
pub use public::{PartnersApi, listing_route};

#[derive(Tags)]
enum ApiTags {
    /// Partner accounts, keys and collections (administrators).
    PartnerAdmin,
    /// What partner sites read: collection listings and statistics.
    Partners,
}
