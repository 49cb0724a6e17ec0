//! Text fields as people fill them in.

/// A text field as given: trimmed, and `None` when blank.
pub(crate) fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
