// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 2 }
pub fn added_in_v2() {}
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
fn mine() {}
// @ggen:manual-edit-end
// footer
