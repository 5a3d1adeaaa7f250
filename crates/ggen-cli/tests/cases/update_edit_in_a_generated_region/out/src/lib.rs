// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 100 }
pub fn added_in_v2() {}
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
// footer
