//! What a compile error means, in a learner's words, before the compiler's own.
//!
//! rustc's messages are precise but assume a reader who knows why they arise. The grader adds a
//! paragraph for the errors the exercises are known to provoke — and only for those it recognises
//! in the rendered output, so it never blames a `MutexGuard` the code doesn't hold:
//!
//! * a fix-it exercise's own error (the one its chapter explains): a link to that section;
//! * a future that isn't `Send` (a std `MutexGuard`, an `Rc` or a `RefCell` held across an
//!   `.await`);
//! * rustc's higher-ranked lifetime limitation ("implementation of `FnOnce` is not general
//!   enough", "one type is more general than the other"): an async closure or stream stage whose
//!   future borrows a local of the enclosing function, which the compiler can't prove `Send` for
//!   every lifetime; the usual way round it is to move owned values (an `Arc` clone) into each
//!   future instead of borrowing — boxing the future alone often doesn't help;
//! * otherwise, for the hidden tests: the API the tests call changed.

/// A fix-it exercise's expected error and where its chapter explains it.
pub struct FixIt {
    /// `E0373`.
    pub code: String,
    /// `book/src/loop-capture.md#when-the-tasks-fill-one-vec`, or the chapter alone.
    pub explained_at: String,
}

const NOT_SEND: &str = "Something the tests need to send to another thread (a future, a \
    counter) holds a type that isn't Send or Sync: a std `MutexGuard` kept across an `.await`, an \
    `Rc` or a `RefCell`. End the guard's scope before the `.await` (or use an async-aware lock), \
    and share with `Arc` and `Mutex`/atomics instead.";

const NOT_GENERAL: &str = "This is a known limitation of rustc, not a mistake in your logic: a \
    future made inside a closure (an async block in `.then(|x| async move { … })`, `map`, \
    `for_each`) borrows something from the enclosing function, and the compiler can't prove that \
    future is Send for every lifetime the closure could be called with (\"implementation of \
    `FnOnce` is not general enough\", \"one type is more general than the other\"). The usual way \
    round it: move owned values into each future instead of borrowing — clone an `Arc` of the \
    shared thing (the limiter, the client) before the `async move` block and use the clone \
    inside. Boxing the future alone often doesn't help.";

/// The message for a build that failed: an explanation where one applies, then rustc's words.
pub fn explain(rendered: &str, in_hidden_tests: bool, fix_it: Option<&FixIt>) -> String {
    let mut advice = Vec::new();
    if let Some(fix_it) = fix_it {
        if rendered.contains(&format!("error[{}]", fix_it.code)) {
            advice.push(format!(
                "This exercise starts from code that doesn't compile, on purpose: make the \
                 compiler accept it, then make it right. {} is explained in {}.",
                fix_it.code, fix_it.explained_at
            ));
        }
    }
    if rendered.contains("is not general enough")
        || rendered.contains("one type is more general than the other")
    {
        advice.push(NOT_GENERAL.to_owned());
    }
    if rendered.contains("cannot be sent between threads safely")
        || rendered.contains("cannot be shared between threads safely")
    {
        advice.push(NOT_SEND.to_owned());
    }
    let lead = if in_hidden_tests {
        "the hidden tests don't compile against this code. They call the API the exercise's doc \
         comments describe, with the bounds they promise"
    } else {
        "the code doesn't compile"
    };
    let mut message = lead.to_owned();
    if advice.is_empty() && in_hidden_tests {
        message.push_str(": did a public signature change?");
    } else if !advice.is_empty() {
        message.push_str(".\n\n");
        message.push_str(&advice.join("\n\n"));
    }
    message.push_str("\n\nThe compiler's own words:\n\n");
    message.push_str(rendered);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_send_future_is_explained_and_nothing_else_is_blamed() {
        let message = explain(
            "error: future cannot be sent between threads safely",
            true,
            None,
        );
        assert!(message.contains("MutexGuard"), "{message}");
        assert!(!message.contains("not general enough"), "{message}");
    }

    #[test]
    fn the_higher_ranked_limitation_gets_its_own_explanation() {
        let message = explain(
            "error: implementation of `FnOnce` is not general enough",
            true,
            None,
        );
        assert!(message.contains("Arc"), "{message}");
        assert!(message.contains("limitation of rustc"), "{message}");
        assert!(!message.contains("MutexGuard"), "{message}");
    }

    #[test]
    fn the_other_higher_ranked_message_gets_the_same_explanation() {
        let message = explain("error: one type is more general than the other", true, None);
        assert!(message.contains("limitation of rustc"), "{message}");
        assert!(!message.contains("MutexGuard"), "{message}");
    }

    #[test]
    fn a_fix_it_error_links_its_chapter() {
        let fix_it = FixIt {
            code: "E0373".into(),
            explained_at: "book/src/loop-capture.md#x".into(),
        };
        let message = explain("error[E0373]: closure may outlive", false, Some(&fix_it));
        assert!(message.contains("book/src/loop-capture.md#x"), "{message}");
        let other = explain("error[E0308]: mismatched types", false, Some(&fix_it));
        assert!(!other.contains("loop-capture.md"), "{other}");
    }

    #[test]
    fn an_unknown_error_in_the_hidden_tests_asks_about_the_signature() {
        let message = explain("error[E0061]: wrong number of arguments", true, None);
        assert!(message.contains("signature"), "{message}");
    }
}
