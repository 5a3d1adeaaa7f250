//! Update and regenerate as directory-tree cases: each directory under `tests/cases/` is a
//! project, the pack versions it lives through, the user's edits and the commands run on
//! it, with the tree and the reports expected afterwards (see `common/case.rs`). Rewrite
//! the expected side with `GGEN_BLESS=1 cargo test -p ggen-cli --test cases`.

mod common;

macro_rules! cases {
    ($($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                common::case::run_case(stringify!($name));
            }
        )*

        /// A case directory without a test here would never run.
        #[test]
        fn every_case_directory_has_a_test() {
            assert_eq!(common::case::all_cases(), [$(stringify!($name)),*]);
        }
    };
}

cases! {
    move_carries_a_manual_edit_region
    move_found_by_similarity
    move_of_a_file_the_user_deleted
    move_onto_a_file_of_yours
    move_untouched
    move_with_a_conflicting_edit
    regenerate_follows_the_pack
    update_compatible_and_to
    update_drops_an_edited_manual_region
    update_edit_in_a_generated_region
    update_every_file_case
    update_marker_like_content
    update_preserve
}
