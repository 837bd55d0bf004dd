//! `PayloadError`: why a value could not be converted to or from payloads.

/// The error a [`PayloadCodec`](super::PayloadCodec) returns.
pub type CodecError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which way a codec was working when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodecDirection {
    /// Encoding payloads on their way to the server.
    Encode,
    /// Decoding payloads that came from the server.
    Decode,
}

impl CodecDirection {
    fn verb(self) -> &'static str {
        match self {
            Self::Encode => "encode",
            Self::Decode => "decode",
        }
    }
}

impl std::fmt::Display for CodecDirection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.verb())
    }
}

/// Why a value could not be converted to or from payloads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The payload lacks a metadata entry that is needed to read it.
    #[error("the payload has no `{0}` metadata entry, so it is not known how to read it")]
    MissingMetadata(&'static str),
    /// The payload's encoding is not one the payload converter knows.
    #[error(
        "the payload's encoding `{0}` is not supported by this payload converter \
         (it knows binary/null, binary/plain, json/protobuf, binary/protobuf and json/plain)"
    )]
    UnknownEncoding(String),
    /// The value could not be written (for example JSON refused it).
    #[error("the value could not be converted to a payload: {0}")]
    Serialize(String),
    /// The payload could not be read as the requested type.
    #[error("a `{encoding}` payload could not be read as `{type_name}`: {message}")]
    Deserialize {
        /// The payload's `encoding` metadata.
        encoding: String,
        /// The Rust type that was requested.
        type_name: &'static str,
        /// What the deserializer reported.
        message: String,
    },
    /// A payload converter reported success but produced no value (a converter bug).
    #[error("the payload converter returned no value for `{0}`")]
    NothingDecoded(&'static str),
    /// The number of payloads does not match the number of arguments.
    #[error("expected {expected} arguments, got {actual}")]
    ArgCount {
        /// How many the target type has.
        expected: usize,
        /// How many payloads there were.
        actual: usize,
    },
    /// One argument of several could not be converted.
    #[error("the argument at index {index} (counting from 0) could not be converted: {source}")]
    Argument {
        /// Position of the argument, from 0.
        index: usize,
        /// What went wrong with it.
        #[source]
        source: Box<PayloadError>,
    },
    /// A payload codec failed.
    #[error("a payload codec failed to {direction} the payloads: {source}")]
    Codec {
        /// Whether it was encoding or decoding.
        direction: CodecDirection,
        /// The codec's error.
        #[source]
        source: CodecError,
    },
    /// A codec returned a different number of payloads than it was given: nothing it
    /// returned is used, so no value, argument or memo entry is silently lost.
    #[error(
        "payload codec {step} (counting from 0 in the order they were added) returned {actual} payloads when given {expected} to {direction}; \
         codecs must return one payload for each payload they are given"
    )]
    CodecCount {
        /// Whether it was encoding or decoding.
        direction: CodecDirection,
        /// The codec's position in the data converter's list, from 0.
        step: usize,
        /// How many payloads went in.
        expected: usize,
        /// How many came out.
        actual: usize,
    },
}

impl PayloadError {
    /// Wraps an error as the error of argument `index`.
    pub(crate) fn at_argument(self, index: usize) -> Self {
        Self::Argument {
            index,
            source: Box::new(self),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_plain_words() {
        assert_eq!(
            PayloadError::ArgCount {
                expected: 2,
                actual: 3
            }
            .to_string(),
            "expected 2 arguments, got 3"
        );
        let e = PayloadError::UnknownEncoding("binary/encrypted".into());
        assert!(e.to_string().contains("`binary/encrypted`"), "{e}");
        let e = PayloadError::Codec {
            direction: CodecDirection::Decode,
            source: "bad key".into(),
        };
        assert_eq!(
            e.to_string(),
            "a payload codec failed to decode the payloads: bad key"
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn argument_error_keeps_the_inner_error() {
        let e = PayloadError::MissingMetadata("encoding").at_argument(1);
        assert!(e.to_string().starts_with("the argument at index 1"));
        let inner = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(
            inner.as_deref(),
            Some("the payload has no `encoding` metadata entry, so it is not known how to read it")
        );
    }
}
