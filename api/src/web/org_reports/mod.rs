//! The organisation and network report pages: charts drawn on the server,
//! every figure also in a table, and a CSV link per table. Both pages use
//! one template of titled tables (`org_report`), built from `page`.

mod network;
mod organisation;
mod page;

pub use self::{
    network::network as network_report, organisation::organisation as organisation_report,
};
