// demo handlers
fn a() -> u8 { 1 }
fn b() {}
fn c() {}
fn d() {}
fn e() {}
fn f() {}
fn h() {}
