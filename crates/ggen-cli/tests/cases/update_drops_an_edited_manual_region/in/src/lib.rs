// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 1 }
// @ggen:generated-end
// @ggen:manual-edit id=user
fn precious() {}
// @ggen:manual-edit-end
// footer
