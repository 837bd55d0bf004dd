//! The headers of a call: the static ones (client name and version, API key, custom
//! metadata) are validated and built once per connection; each call adds
//! `temporal-namespace`, its own metadata and `grpc-timeout`.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use temporal_client_core::{Code, ErrorOrigin, ServiceError, grpc};

use super::error::ConnectError;
use super::options::is_authorization;

/// The `client-name` header value sent on every call. (The server applies version
/// checks only to the client names it knows, so this one is always accepted.)
pub const CLIENT_NAME: &str = "temporal-client-rs";
/// The `client-version` header value sent on every call: this crate's version.
pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `supported-features` header: this client follows `new_execution_run_id` of
/// completed, failed and timed-out close events itself.
const SUPPORTED_FEATURES: &str = "follows-next-run-id";
const NAMESPACE_HEADER: HeaderName = HeaderName::from_static("temporal-namespace");
const GRPC_TIMEOUT_HEADER: HeaderName = HeaderName::from_static("grpc-timeout");
/// Headers tonic and the channel add after ours (te, content-type, user-agent,
/// grpc-accept-encoding, grpc-encoding), so the map never grows after we build it.
const ADDED_LATER: usize = 5;

/// Headers that are the same for every call of a connection (until
/// [`Connection::set_api_key`](super::Connection::set_api_key) or
/// [`set_metadata`](super::Connection::set_metadata) replaces them).
#[derive(Debug, Clone)]
pub(crate) struct StaticHeaders {
    /// Everything sent: the client headers, the metadata, the authorization.
    entries: Box<[(HeaderName, HeaderValue)]>,
    /// The validated metadata alone, kept to rebuild `entries` with a new API key.
    metadata: Box<[(HeaderName, HeaderValue)]>,
    /// `Bearer <key>` (marked sensitive, so `Debug` hides it), kept to rebuild
    /// `entries` with new metadata.
    authorization: Option<HeaderValue>,
    rpc_timeout: HeaderValue,
    long_poll_timeout: HeaderValue,
    /// The size of `entries` as HTTP/2 counts it (see [`metadata_size`]).
    size: usize,
}

/// The largest metadata a call may send, counted as HTTP/2 counts a header list (name
/// plus value plus 32 bytes per entry): 16 MiB, the header limit gRPC servers built
/// on grpc-go (the Temporal server among them) accept by default. A larger header list
/// makes the server close the connection, and would again on every retry, so it is
/// refused before sending.
pub(crate) const MAX_METADATA_BYTES: usize = 16 << 20;

/// The size of header entries as HTTP/2 counts it (RFC 9113 §6.5.2).
pub(crate) fn metadata_size(entries: &[(HeaderName, HeaderValue)]) -> usize {
    entries
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 32)
        .sum()
}

/// Refuses metadata above [`MAX_METADATA_BYTES`], naming the limit.
fn check_size(size: usize) -> Result<(), String> {
    if size > MAX_METADATA_BYTES {
        Err(format!(
            "the metadata is {size} bytes (names, values and 32 bytes per entry) and exceeds \
             the limit of {MAX_METADATA_BYTES} bytes a gRPC server accepts; the server would \
             close the connection"
        ))
    } else {
        Ok(())
    }
}

impl StaticHeaders {
    /// Validates the options' metadata and API key and builds the header values.
    pub(crate) fn new(
        api_key: Option<&str>,
        metadata: &[(String, String)],
        rpc_timeout: Duration,
        long_poll_timeout: Duration,
    ) -> Result<Self, ConnectError> {
        let metadata = parse_metadata(metadata, api_key.is_some())?;
        let authorization = api_key.map(authorization_value).transpose()?;
        Self::assemble(
            metadata,
            authorization,
            grpc_timeout_value(rpc_timeout),
            grpc_timeout_value(long_poll_timeout),
        )
        .checked()
    }

    /// The same headers with another API key (`None` removes it), validated as at
    /// connect time.
    pub(crate) fn with_api_key(&self, api_key: Option<&str>) -> Result<Self, ConnectError> {
        if api_key.is_some()
            && self
                .metadata
                .iter()
                .any(|(name, _)| is_authorization(name.as_str()))
        {
            return Err(ConnectError::ApiKeyWithAuthorizationMetadata);
        }
        let authorization = api_key.map(authorization_value).transpose()?;
        Self::assemble(
            self.metadata.to_vec(),
            authorization,
            self.rpc_timeout.clone(),
            self.long_poll_timeout.clone(),
        )
        .checked()
    }

    /// The same headers with other metadata in place of the old, validated as at
    /// connect time.
    pub(crate) fn with_metadata(
        &self,
        metadata: &[(String, String)],
    ) -> Result<Self, ConnectError> {
        let metadata = parse_metadata(metadata, self.authorization.is_some())?;
        Self::assemble(
            metadata,
            self.authorization.clone(),
            self.rpc_timeout.clone(),
            self.long_poll_timeout.clone(),
        )
        .checked()
    }

    /// These headers, if their size is within [`MAX_METADATA_BYTES`].
    fn checked(self) -> Result<Self, ConnectError> {
        check_size(self.size).map_err(|reason| ConnectError::InvalidMetadata {
            name: "(all entries together)".to_owned(),
            reason,
        })?;
        Ok(self)
    }

    /// The size of the connection's own headers as HTTP/2 counts it.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    fn assemble(
        metadata: Vec<(HeaderName, HeaderValue)>,
        authorization: Option<HeaderValue>,
        rpc_timeout: HeaderValue,
        long_poll_timeout: HeaderValue,
    ) -> Self {
        let mut entries = Vec::with_capacity(metadata.len() + 4);
        entries.push((
            HeaderName::from_static("client-name"),
            HeaderValue::from_static(CLIENT_NAME),
        ));
        entries.push((
            HeaderName::from_static("client-version"),
            HeaderValue::from_static(CLIENT_VERSION),
        ));
        // Without this the server rewrites a close event that links a next run (retry,
        // cron) into a synthetic continued-as-new event for close-event history reads.
        entries.push((
            HeaderName::from_static("supported-features"),
            HeaderValue::from_static(SUPPORTED_FEATURES),
        ));
        entries.extend(metadata.iter().cloned());
        if let Some(value) = &authorization {
            entries.push((http::header::AUTHORIZATION, value.clone()));
        }
        Self {
            size: metadata_size(&entries),
            entries: entries.into_boxed_slice(),
            metadata: metadata.into_boxed_slice(),
            authorization,
            rpc_timeout,
            long_poll_timeout,
        }
    }

    /// The precomputed `grpc-timeout` value of an ordinary attempt.
    pub(crate) fn rpc_timeout(&self) -> &HeaderValue {
        &self.rpc_timeout
    }

    /// The precomputed `grpc-timeout` value of a long-poll attempt.
    pub(crate) fn long_poll_timeout(&self) -> &HeaderValue {
        &self.long_poll_timeout
    }

    /// The headers of one attempt. A per-call entry replaces a connection-level entry
    /// of the same name.
    pub(crate) fn build(
        &self,
        namespace: Option<&HeaderValue>,
        call_metadata: &[(HeaderName, HeaderValue)],
        timeout: HeaderValue,
    ) -> HeaderMap {
        let mut map =
            HeaderMap::with_capacity(self.entries.len() + call_metadata.len() + 2 + ADDED_LATER);
        for (name, value) in self.entries.iter() {
            map.append(name.clone(), value.clone());
        }
        if let Some(namespace) = namespace {
            map.insert(NAMESPACE_HEADER, namespace.clone());
        }
        for (name, value) in call_metadata {
            map.insert(name.clone(), value.clone());
        }
        map.insert(GRPC_TIMEOUT_HEADER, timeout);
        map
    }
}

/// The `temporal-namespace` value of a request, or `None` when the request has no
/// namespace (or one that is not a valid header value; the server rejects it anyway).
pub(crate) fn namespace_value(namespace: &str) -> Option<HeaderValue> {
    if namespace.is_empty() {
        None
    } else {
        HeaderValue::from_str(namespace).ok()
    }
}

/// Validates connection-level metadata; with an API key, an `authorization` entry is
/// refused.
fn parse_metadata(
    metadata: &[(String, String)],
    has_api_key: bool,
) -> Result<Vec<(HeaderName, HeaderValue)>, ConnectError> {
    metadata
        .iter()
        .map(|(name, value)| {
            if has_api_key && is_authorization(name) {
                return Err(ConnectError::ApiKeyWithAuthorizationMetadata);
            }
            parse_entry(name, value).map_err(|reason| ConnectError::InvalidMetadata {
                name: name.clone(),
                reason,
            })
        })
        .collect()
}

/// `Bearer <key>`, marked sensitive.
fn authorization_value(key: &str) -> Result<HeaderValue, ConnectError> {
    if !key.is_ascii() {
        return Err(ConnectError::InvalidApiKey);
    }
    let mut value =
        HeaderValue::try_from(format!("Bearer {key}")).map_err(|_| ConnectError::InvalidApiKey)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Validates the metadata of one call; with the connection's own headers
/// (`static_size` bytes) it must stay within [`MAX_METADATA_BYTES`].
#[allow(clippy::result_large_err)] // the service traits' error type
pub(crate) fn parse_call_metadata(
    rpc: &'static str,
    metadata: &[(String, String)],
    static_size: usize,
) -> Result<Vec<(HeaderName, HeaderValue)>, ServiceError> {
    let entries = parse_call_entries(rpc, metadata)?;
    check_size(metadata_size(&entries).saturating_add(static_size)).map_err(|reason| {
        ServiceError::new(rpc, Code::InvalidArgument, reason).with_origin(ErrorOrigin::Local)
    })?;
    Ok(entries)
}

#[allow(clippy::result_large_err)] // the service traits' error type
fn parse_call_entries(
    rpc: &'static str,
    metadata: &[(String, String)],
) -> Result<Vec<(HeaderName, HeaderValue)>, ServiceError> {
    metadata
        .iter()
        .map(|(name, value)| {
            parse_entry(name, value).map_err(|reason| {
                ServiceError::new(
                    rpc,
                    Code::InvalidArgument,
                    format!("the call's metadata entry '{name}' is not usable: {reason}"),
                )
                .with_origin(ErrorOrigin::Local)
            })
        })
        .collect()
}

/// Validates one ASCII metadata entry; the error is the reason in plain words.
fn parse_entry(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        "a name may only contain letters, digits and the characters !#$%&'*+-.^_`|~".to_owned()
    })?;
    let lower = header.as_str();
    if lower.ends_with("-bin") {
        return Err("binary ('-bin') metadata is not supported; send ASCII values".to_owned());
    }
    if lower.starts_with("grpc-") || lower == "te" || lower == "content-type" {
        return Err("this name is reserved by gRPC".to_owned());
    }
    if !value.is_ascii() {
        return Err("a value must be printable ASCII without line breaks".to_owned());
    }
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "a value must be printable ASCII without line breaks".to_owned())?;
    // Any value may be a credential, whatever its name: `Debug` shows none of them.
    value.set_sensitive(true);
    Ok((header, value))
}

/// A `grpc-timeout` header value (see [`grpc::encode_timeout`]).
pub(crate) fn grpc_timeout_value(timeout: Duration) -> HeaderValue {
    HeaderValue::try_from(grpc::encode_timeout(timeout))
        .unwrap_or(HeaderValue::from_static("99999999S"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn headers(
        api_key: Option<&str>,
        metadata: &[(&str, &str)],
    ) -> Result<StaticHeaders, ConnectError> {
        let metadata: Vec<(String, String)> = metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        StaticHeaders::new(
            api_key,
            &metadata,
            Duration::from_secs(10),
            Duration::from_secs(70),
        )
    }

    #[test]
    fn static_namespace_call_and_timeout_headers_are_combined() {
        let h = headers(Some("k3y"), &[("X-Team", "billing")]).unwrap();
        let call = parse_call_metadata("Rpc", &[("x-team".into(), "payments".into())], 0).unwrap();
        let ns = namespace_value("default");
        let map = h.build(ns.as_ref(), &call, h.rpc_timeout().clone());
        assert_eq!(map["client-name"], CLIENT_NAME);
        assert_eq!(map["client-version"], CLIENT_VERSION);
        assert_eq!(map["authorization"], "Bearer k3y");
        assert!(map["authorization"].is_sensitive());
        assert_eq!(map["temporal-namespace"], "default");
        assert_eq!(map.get_all("x-team").iter().count(), 1);
        assert_eq!(map["x-team"], "payments");
        assert_eq!(map["grpc-timeout"], "10000m");
        assert_eq!(h.long_poll_timeout(), "70000m");
    }

    #[test]
    fn api_key_and_authorization_metadata_conflict() {
        let err = headers(Some("k"), &[("AUTHORIZATION", "Bearer x")]).err();
        assert!(matches!(
            err,
            Some(ConnectError::ApiKeyWithAuthorizationMetadata)
        ));
        assert!(headers(None, &[("authorization", "Bearer x")]).is_ok());
    }

    #[test]
    fn invalid_names_values_and_keys_are_refused() {
        for (name, value) in [
            ("bad name", "v"),
            ("x-data-bin", "v"),
            ("grpc-timeout", "1S"),
            ("content-type", "text/plain"),
            ("x-ok", "line\nbreak"),
            ("x-ok", "caf\u{e9}"),
        ] {
            let err = headers(None, &[(name, value)]).err();
            assert!(
                matches!(err, Some(ConnectError::InvalidMetadata { .. })),
                "{name}={value:?}: {err:?}"
            );
        }
        assert!(matches!(
            headers(Some("bad\nkey"), &[]).err(),
            Some(ConnectError::InvalidApiKey)
        ));
        let err = parse_call_metadata("StartWorkflowExecution", &[("x y".into(), "v".into())], 0);
        let err = err.err().map(|e| (e.code(), e.rpc(), e.origin()));
        assert_eq!(
            err,
            Some((
                Code::InvalidArgument,
                "StartWorkflowExecution",
                ErrorOrigin::Local
            ))
        );
    }

    #[test]
    fn grpc_timeout_headers_use_the_shared_encoding() {
        assert_eq!(grpc_timeout_value(Duration::from_millis(1500)), "1500m");
        assert_eq!(grpc_timeout_value(Duration::MAX), "99999999S");
    }

    #[test]
    fn the_api_key_and_metadata_can_be_replaced_and_keep_each_other() {
        let h = headers(Some("old"), &[("x-team", "billing")]).unwrap();
        let h = h.with_api_key(Some("new")).unwrap();
        let map = h.build(None, &[], h.rpc_timeout().clone());
        assert_eq!(map["authorization"], "Bearer new");
        assert!(map["authorization"].is_sensitive());
        assert_eq!(map["x-team"], "billing");
        assert!(!format!("{h:?}").contains("new"), "{h:?}");

        let h = h
            .with_metadata(&[("x-region".into(), "eu".into())])
            .unwrap();
        let map = h.build(None, &[], h.rpc_timeout().clone());
        assert_eq!(map["authorization"], "Bearer new");
        assert_eq!(map["x-region"], "eu");
        assert!(map.get("x-team").is_none());
        assert_eq!(map["client-name"], CLIENT_NAME);
        assert_eq!(map["grpc-timeout"], "10000m");

        let h = h.with_api_key(None).unwrap();
        let map = h.build(None, &[], h.rpc_timeout().clone());
        assert!(map.get("authorization").is_none());
        assert_eq!(map["x-region"], "eu");
    }

    #[test]
    fn replacements_are_validated_like_the_options() {
        let h = headers(Some("k"), &[]).unwrap();
        assert!(matches!(
            h.with_metadata(&[("authorization".into(), "Bearer x".into())]),
            Err(ConnectError::ApiKeyWithAuthorizationMetadata)
        ));
        assert!(matches!(
            h.with_metadata(&[("grpc-status".into(), "0".into())]),
            Err(ConnectError::InvalidMetadata { .. })
        ));
        assert!(matches!(
            h.with_api_key(Some("bad\nkey")),
            Err(ConnectError::InvalidApiKey)
        ));
        let h = headers(None, &[("authorization", "Basic abc")]).unwrap();
        assert!(matches!(
            h.with_api_key(Some("k")),
            Err(ConnectError::ApiKeyWithAuthorizationMetadata)
        ));
    }

    #[test]
    fn empty_namespace_sends_no_header() {
        assert!(namespace_value("").is_none());
        assert_eq!(namespace_value("ns-1").unwrap(), "ns-1");
    }
}
