//! Parsing the server address, and settling where and how to connect (origin, TLS).

use http::Uri;
use http::uri::Authority;

use super::error::ConnectError;
use super::options::{ConnectionOptions, TlsMode};
use super::tls::TlsOptions;

/// The port used when a bare host is given.
const DEFAULT_PORT: u16 = 7233;

/// A parsed address: whether it asked for TLS (`https://`), and its `host:port`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ParsedAddress {
    /// `Some(true)` for `https://`, `Some(false)` for `http://`, `None` for none.
    pub(crate) https: Option<bool>,
    /// Host and port (the port is 7233 when a bare host was given).
    pub(crate) authority: String,
}

/// Parses `host:port`, `host`, `http://host[:port]` or `https://host[:port]`.
pub(crate) fn parse_address(address: &str) -> Result<ParsedAddress, ConnectError> {
    let invalid = |reason: &str| ConnectError::InvalidAddress {
        address: address.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(trimmed, "https://") {
        (Some(true), rest)
    } else if let Some(rest) = strip_prefix_ignore_case(trimmed, "http://") {
        (Some(false), rest)
    } else if trimmed.contains("://") {
        return Err(invalid(
            "only http:// and https:// URLs are supported (or plain host:port)",
        ));
    } else {
        (None, trimmed)
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') || rest.contains('?') {
        return Err(invalid(
            "a server address has no path; give only host and port",
        ));
    }
    if rest.contains('@') {
        return Err(invalid(
            "credentials in the address are not supported; use api_key or metadata",
        ));
    }
    let authority: Authority = rest
        .parse()
        .map_err(|_| invalid("expected host:port, e.g. localhost:7233"))?;
    if authority.host().is_empty() {
        return Err(invalid("the host is missing"));
    }
    if authority.port().is_none() && authority.as_str().len() > authority.host().len() {
        let port = authority.as_str().rsplit(':').next().unwrap_or_default();
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "the port is out of range: a port is a number from 1 to 65535",
            ));
        }
        return Err(invalid("the port must be a number, e.g. localhost:7233"));
    }
    if authority.port_u16() == Some(0) {
        return Err(invalid(
            "the port is out of range: a port is a number from 1 to 65535",
        ));
    }
    let authority = if authority.port().is_none() && https.is_none() {
        format!("{}:{DEFAULT_PORT}", authority.as_str())
    } else {
        authority.as_str().to_owned()
    };
    Ok(ParsedAddress { https, authority })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The TLS settings in force, after the address and the API key had their say.
fn effective_tls(
    options: &ConnectionOptions,
    https: Option<bool>,
) -> Result<Option<TlsOptions>, ConnectError> {
    Ok(match (&options.tls, https) {
        (TlsMode::Enabled(tls), _) => Some(tls.clone()),
        (TlsMode::Disabled, Some(true)) => {
            return Err(ConnectError::InvalidAddress {
                address: options.address.clone(),
                reason: "the address asks for https but TLS was disabled".to_owned(),
            });
        }
        (TlsMode::Disabled, _) => None,
        (TlsMode::Auto, Some(true)) => Some(TlsOptions::default()),
        (TlsMode::Auto, _) if options.api_key.is_some() => Some(TlsOptions::default()),
        (TlsMode::Auto, _) => None,
    })
}

/// Whether an API key may travel on a connection with these options: over TLS, or in
/// plain text only when the user chose it with
/// [`tls_disabled`](ConnectionOptions::tls_disabled).
pub(crate) fn api_key_allowed(options: &ConnectionOptions) -> Result<bool, ConnectError> {
    let parsed = parse_address(&options.address)?;
    Ok(matches!(options.tls, TlsMode::Disabled) || effective_tls(options, parsed.https)?.is_some())
}

/// Where and how to connect, from the options.
pub(crate) struct Target {
    /// `http://host:port/` or `https://host:port/`: the scheme and `:authority` of
    /// every request.
    pub(crate) origin: Uri,
    /// `host:port`, to connect to.
    pub(crate) authority: String,
    /// The host alone (the default TLS server name).
    pub(crate) host: String,
    /// The TLS settings in force, if TLS is on.
    pub(crate) tls: Option<TlsOptions>,
}

/// Parses the address and settles TLS.
pub(crate) fn target(options: &ConnectionOptions) -> Result<Target, ConnectError> {
    let parsed = parse_address(&options.address)?;
    let tls = effective_tls(options, parsed.https)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let origin: Uri = format!("{scheme}://{}/", parsed.authority)
        .parse()
        .map_err(|e: http::uri::InvalidUri| ConnectError::InvalidAddress {
            address: options.address.clone(),
            reason: e.to_string(),
        })?;
    let host = origin.host().unwrap_or_default().to_owned();
    Ok(Target {
        origin,
        authority: parsed.authority,
        host,
        tls,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn parsed(address: &str) -> (Option<bool>, String) {
        match parse_address(address) {
            Ok(p) => (p.https, p.authority),
            Err(e) => panic!("{address}: {e}"),
        }
    }

    #[test]
    fn host_port_and_urls_are_accepted() {
        assert_eq!(parsed("localhost:7233"), (None, "localhost:7233".into()));
        assert_eq!(parsed("  myhost "), (None, "myhost:7233".into()));
        assert_eq!(parsed("[::1]:7000"), (None, "[::1]:7000".into()));
        assert_eq!(parsed("http://h:1/"), (Some(false), "h:1".into()));
        assert_eq!(
            parsed("HTTPS://ns.tmprl.cloud"),
            (Some(true), "ns.tmprl.cloud".into())
        );
    }

    #[test]
    fn bad_addresses_name_the_address_and_the_problem() {
        for (address, words) in [
            ("", "empty"),
            ("grpc://h:1", "http://"),
            ("h:1/path", "no path"),
            ("user@h:1", "credentials"),
            ("h:notaport", "port must be a number"),
            ("h:70000", "port is out of range"),
            ("h:99999999999", "port is out of range"),
            ("h:0", "port is out of range"),
            (":7233", "host"),
        ] {
            let text = parse_address(address)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(text.contains(words), "{address}: {text}");
            assert!(text.contains(&format!("'{address}'")), "{address}: {text}");
        }
    }

    #[test]
    fn tls_follows_the_scheme_the_api_key_and_the_explicit_choice() {
        let tls = |o: ConnectionOptions| {
            let https = parse_address(&o.address).ok().and_then(|p| p.https);
            effective_tls(&o, https).map(|t| t.is_some())
        };
        assert!(!tls(ConnectionOptions::new("h:1")).unwrap());
        assert!(tls(ConnectionOptions::new("https://h:1")).unwrap());
        assert!(tls(ConnectionOptions::new("h:1").api_key("k")).unwrap());
        assert!(!tls(ConnectionOptions::new("h:1").api_key("k").tls_disabled()).unwrap());
        assert!(tls(ConnectionOptions::new("h:1").tls(TlsOptions::new())).unwrap());
        assert!(tls(ConnectionOptions::new("https://h:1").tls_disabled()).is_err());
    }

    #[test]
    fn the_origin_uses_https_exactly_when_tls_is_on() {
        let t = target(&ConnectionOptions::new("h:1")).ok();
        assert_eq!(
            t.map(|t| (t.origin.to_string(), t.host)),
            Some(("http://h:1/".to_owned(), "h".to_owned()))
        );
        let t = target(&ConnectionOptions::new("[::1]:2").api_key("k")).ok();
        assert_eq!(
            t.map(|t| (t.origin.to_string(), t.authority, t.tls.is_some())),
            Some(("https://[::1]:2/".to_owned(), "[::1]:2".to_owned(), true))
        );
    }
}
