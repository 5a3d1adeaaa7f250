// demo handlers
fn a() -> u8 { 100 }
fn b() {}
fn c() {}
fn d() {}
fn e() {}
fn f() {}
fn h() {}
