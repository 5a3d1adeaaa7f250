//! Questions asked on the terminal (stderr), only when stdin and stderr are terminals.

pub mod vars;
