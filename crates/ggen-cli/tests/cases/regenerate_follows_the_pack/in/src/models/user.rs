//! The `User` entity (User).

// @ggen:generated-start id=struct pack=entity-models version=0.1.0
/// Someone who can sign in.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: u64,
    pub email: String,
    pub display_name: Option<String>,
}
// @ggen:generated-end

// @ggen:manual-edit id=impl
impl User {
    pub fn mine(&self) {}
}
// @ggen:manual-edit-end
