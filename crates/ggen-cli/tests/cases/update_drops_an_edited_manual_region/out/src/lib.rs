// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 2 }
// @ggen:generated-end
<<<<<<< current
// @ggen:manual-edit id=user
fn precious() {}
// @ggen:manual-edit-end
||||||| base
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
=======
>>>>>>> app@2.0.0
// footer
