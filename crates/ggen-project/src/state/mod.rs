//! What a project stores: where things live ([`layout`]), the packs it uses ([`lockfile`]),
//! what was generated last ([`snapshot`]), contents by hash ([`objects`]), and the git index
//! entries ggen writes for conflicts ([`git_index`]).

pub(crate) mod git_index;
pub mod layout;
pub mod lockfile;
pub mod objects;
mod parsed;
pub mod secret_salt;
pub mod snapshot;
pub mod stat_cache;
