//! The shared retry rule: which codes and messages make a failed call worth retrying.

use super::code::Code;

/// The shared retry rule: is a call that failed with `code` and `message` worth retrying?
pub fn is_retryable_code(code: Code, message: &str) -> bool {
    match code {
        Code::Unavailable | Code::Aborted | Code::Unknown | Code::DataLoss | Code::OutOfRange => {
            true
        }
        Code::ResourceExhausted => !is_message_too_large(message),
        Code::Internal => message.contains("RST_STREAM") || message.contains("stream reset"),
        _ => false,
    }
}

fn is_message_too_large(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    // gRPC-Go: "received message larger than max (N vs. M)" or, for a compressed
    // request, "received message after decompression larger than max M".
    lower.contains("larger than max")
        || lower.contains("message length too large")
        || lower.contains("exceeds the limit")
}
